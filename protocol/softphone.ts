import { z } from 'zod';
import {
  callIdSchema,
  callInfoSchema,
  leftReasonSchema,
  mediaKindSchema,
  presenceSchema,
  presenceStatusSchema,
  userIdSchema,
} from './common.js';
import { callRecordSchema } from './records.js';
import {
  agentStateSchema,
  agentStatsSchema,
  monitorModeSchema,
  queueAddressSchema,
  queueNameSchema,
  queueOfferSchema,
  queueSnapshotSchema,
} from './contact-center.js';

/**
 * The one API the React renderer uses. In a browser page `core/` implements it directly; in
 * Electron the preload implements it over IPC to the main process, which runs the same `core/`
 * object and validates every payload against the schemas below. Commands resolve when the server
 * answered and reject with a `SoftphoneError`; state reaches the renderer as a full snapshot on
 * every change (small, and nothing is lost or out of order across IPC).
 */

/** What the renderer shows about the signaling connection. */
export const softphoneConnectionSchema = z.enum([
  'signed-out',
  'connecting',
  'connected',
  'reconnecting',
  /** Stopped for good: the token was refused, or the server speaks an incompatible protocol. */
  'failed',
]);
export type SoftphoneConnection = z.infer<typeof softphoneConnectionSchema>;

/**
 * Another participant of a call as this device shows them: in it (`connected`), without a live
 * device while the server waits for them to rejoin (`reconnecting`), or gone (`left`, and why).
 */
export const softphonePeerSchema = z.object({
  userId: userIdSchema,
  connection: z.enum(['connected', 'reconnecting', 'left']),
  leftReason: leftReasonSchema.optional(),
});
export type SoftphonePeer = z.infer<typeof softphonePeerSchema>;

/**
 * A call's state on one device (the client's call machine, core/calls/call-machine.ts), finer than
 * the server's `CallState` (ringing / active / ended), which is the call's state for everyone.
 */
export const deviceCallStateSchema = z.enum([
  /** The call object exists, nothing happened yet. */
  'idle',
  /** Our invitation is on its way; no callee reached yet. */
  'dialing',
  /** A callee's device rings (or was pushed): we hear ringback. */
  'ringback',
  /** An invitation rings on this device. */
  'ringing',
  /** We accepted; waiting for the server to confirm. */
  'answering',
  /** We are in the call. */
  'active',
  /**
   * We are in the call on another device of ours: no media here; `switchHere` moves it to this
   * device (it is then `active` here and this state on the other).
   */
  'elsewhere',
  /** Over, with a `DeviceEndReason`. */
  'ended',
]);
export type DeviceCallState = z.infer<typeof deviceCallStateSchema>;

/**
 * Why a call ended for this device: the server's `CallEndReason` (the call's end for everyone)
 * refined by what this device saw (`declined` by us, `refused` by the callee, `answered-elsewhere`
 * by another of our devices, `removed` by the moderator, and the like).
 */
export const deviceEndReasonSchema = z.enum([
  'completed',
  'canceled',
  'declined',
  'refused',
  'busy',
  'dnd',
  'timeout',
  'unreachable',
  'answered-elsewhere',
  'refused-elsewhere',
  'removed',
  'ended-by-moderator',
  'media-failed',
  'server-shutdown',
  'server-failure',
  'connection-lost',
  'failed',
]);
export type DeviceEndReason = z.infer<typeof deviceEndReasonSchema>;

/** One call as this device sees it: the client state machine plus the server's snapshot. */
export const softphoneCallSchema = z.object({
  callId: callIdSchema,
  direction: z.enum(['outgoing', 'incoming']),
  state: deviceCallStateSchema,
  endReason: deviceEndReasonSchema.optional(),
  /** Incoming while already in a call (call waiting). */
  waiting: z.boolean(),
  /** Audio or video, as this device answered or placed it. */
  localMedia: mediaKindSchema,
  info: callInfoSchema.optional(),
  endedAt: z.number().optional(),
  /** The other people who answered or placed the call, and whether they are in it now. */
  peers: z.array(softphonePeerSchema).optional(),
});
export type SoftphoneCall = z.infer<typeof softphoneCallSchema>;

export const softphoneAccountSchema = z.object({
  userId: userIdSchema,
  displayName: z.string(),
  serverUrl: z.string(),
});
export type SoftphoneAccount = z.infer<typeof softphoneAccountSchema>;

export const screenPopMomentSchema = z.enum(['ringing', 'answered']);
export type ScreenPopMoment = z.infer<typeof screenPopMomentSchema>;
export const crmScreenPopSchema = z.object({
  template: z
    .string()
    .max(2048)
    .regex(/^(https:\/\/\S+)?$/i, 'the screen pop template must be an https:// URL'),
  when: screenPopMomentSchema,
});
export type CrmScreenPop = z.infer<typeof crmScreenPopSchema>;

/** Client settings; Electron keeps them in electron-store, the browser in localStorage. */
export const clientSettingsSchema = z.object({
  serverUrl: z.string().max(2048),
  language: z.enum(['en', 'zh-CN']),
  ringtone: z.string().max(64),
  /** Audio output device ids (`''`: the system default). */
  ringingDevice: z.string().max(256),
  speakerDevice: z.string().max(256),
  microphoneDevice: z.string().max(256),
  cameraDevice: z.string().max(256),
  callWaiting: z.boolean(),
  startHidden: z.boolean(),
  launchAtLogin: z.boolean(),
  /** Click-to-call: make this app the OS handler of tel:, sip:, callto: (opt-in; desktop only). */
  clickToCall: z.boolean(),
  hotkeys: z.object({
    answer: z.string().max(64),
    decline: z.string().max(64),
    hangup: z.string().max(64),
    mute: z.string().max(64),
  }),
  favourites: z.array(userIdSchema).max(500),
  /**
   * CRM screen pop (desktop): a URL template with {caller}, {queue}, {callId} opened in the
   * browser when an incoming call rings or when it is answered; '' for none. https only (checked
   * again after substitution by main/crm/screen-pop.ts).
   */
  crmScreenPop: crmScreenPopSchema,
  /**
   * Desktop: while the desktop's own do-not-disturb is on (GNOME's "show banners" off), an
   * invitation gets no ringtone and no ringing window, only the (silent) notification. Opt-in.
   */
  followOsDoNotDisturb: z.boolean(),
});
export type ClientSettings = z.infer<typeof clientSettingsSchema>;
export type ClientSettingKey = keyof ClientSettings;

/** Settings plus what IT policy fixed: locked keys are shown read-only. */
export const settingsViewSchema = z.object({
  settings: clientSettingsSchema,
  locked: z.array(clientSettingsSchema.keyof()),
  /** A malformed policy file is reported here (and ignored as a whole). */
  policyError: z.string().optional(),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

/** A queue offer as the agent's device received it. */
export const queueOfferEntrySchema = queueOfferSchema.extend({
  callId: callIdSchema,
  /** When this device received the offer (its clock); the wait shown grows from `waitMs`. */
  receivedAt: z.number(),
});
export type QueueOfferEntry = z.infer<typeof queueOfferEntrySchema>;

export const softphoneSnapshotSchema = z.object({
  connection: softphoneConnectionSchema,
  /**
   * While not connected and waiting out the backoff: when the next attempt is due (epoch ms,
   * this machine's clock). The offline banner counts down to it; "Reconnect now" skips it.
   */
  nextAttemptAt: z.number().optional(),
  account: softphoneAccountSchema.nullable(),
  status: presenceStatusSchema,
  calls: z.array(softphoneCallSchema),
  /** Missed calls not yet seen in History. */
  missedUnread: z.number().int().min(0),
  /** Presence of everyone this device watches (contacts, favourites, call participants). */
  presence: z.array(presenceSchema),
  /** A click-to-call link or dialer request waiting for the UI: the dialer opens pre-filled. */
  dialRequest: z.object({ target: z.string(), media: mediaKindSchema }).nullable(),
  /** Seat calling: this user's agent status; absent when the user is no agent of any queue. */
  agentState: agentStateSchema.optional(),
  /** Seat calling: queue offers of calls this device still shows (the call.incoming payload). */
  queueOffers: z.array(queueOfferEntrySchema).optional(),
  /** Seat calling: this device's calls waiting in a queue, with their place (`queue.position`). */
  queuePositions: z
    .array(
      z.object({
        callId: callIdSchema,
        queue: queueNameSchema,
        position: z.number().int(),
        waiting: z.number().int(),
        waitedMs: z.number(),
        receivedAt: z.number(),
      }),
    )
    .optional(),
  /** Seat calling: the live state of the queues this device's supervisor subscribed to. */
  supervisedQueues: z.array(queueSnapshotSchema).optional(),
});
export type SoftphoneSnapshot = z.infer<typeof softphoneSnapshotSchema>;

export const directoryEntrySchema = z.object({
  userId: userIdSchema,
  displayName: z.string(),
});
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;

export const historyPageSchema = z.object({
  records: z.array(callRecordSchema),
  nextBefore: z.number().optional(),
});
export type HistoryPage = z.infer<typeof historyPageSchema>;

export const mediaTicketSchema = z.object({
  ticket: z.string(),
  sfuUrl: z.string(),
  expiresAt: z.number(),
});
export type MediaTicket = z.infer<typeof mediaTicketSchema>;

const callTarget = z.object({ callId: callIdSchema });

/**
 * Every command: its argument and result schemas. The IPC channel of a command is
 * `softphone:<name>` (see `softphoneChannel`).
 */
export const softphoneCommands = {
  getSnapshot: { args: z.object({}).strict(), result: softphoneSnapshotSchema },
  signIn: {
    args: z.object({
      serverUrl: z.string().min(1).max(2048),
      userId: userIdSchema,
      password: z.string().min(1).max(1024),
    }),
    result: softphoneAccountSchema,
  },
  signOut: { args: z.object({}).strict(), result: z.null() },
  /** "Reconnect now": retry the signaling connection at once instead of after its backoff. */
  retryConnection: { args: z.object({}).strict(), result: z.null() },
  setStatus: { args: z.object({ status: presenceStatusSchema }), result: z.null() },
  call: {
    args: z.object({
      /** User ids, or one `queue:<name>` alone (seat calling). */
      callees: z
        .array(z.union([userIdSchema, queueAddressSchema]))
        .min(1)
        .max(32)
        .refine((c) => c.length === 1 || !c.some((x) => x.startsWith('queue:')), {
          message: 'a queue is called alone',
        }),
      media: mediaKindSchema,
    }),
    result: z.object({ callId: callIdSchema }),
  },
  accept: { args: callTarget.extend({ media: mediaKindSchema }), result: z.null() },
  /** "Switch here": a call this user is in on another device (`elsewhere`) moves to this one. */
  switchHere: { args: callTarget, result: z.null() },
  decline: { args: callTarget, result: z.null() },
  cancel: { args: callTarget, result: z.null() },
  hangup: { args: callTarget, result: z.null() },
  addParticipants: {
    args: callTarget.extend({ userIds: z.array(userIdSchema).min(1).max(32) }),
    result: z.null(),
  },
  control: {
    args: z.discriminatedUnion('action', [
      callTarget.extend({
        action: z.enum(['mute', 'unmute']),
        target: userIdSchema,
        kind: mediaKindSchema,
      }),
      callTarget.extend({ action: z.literal('remove'), target: userIdSchema }),
      callTarget.extend({ action: z.literal('end') }),
    ]),
    result: z.null(),
  },
  mediaTicket: { args: callTarget, result: mediaTicketSchema },
  searchDirectory: {
    args: z.object({ query: z.string().max(100), limit: z.number().int().min(1).max(100) }),
    result: z.array(directoryEntrySchema),
  },
  watchPresence: { args: z.object({ userIds: z.array(userIdSchema).max(500) }), result: z.null() },
  history: {
    args: z.object({
      before: z.number().optional(),
      limit: z.number().int().min(1).max(100).optional(),
      missedOnly: z.boolean().optional(),
    }),
    result: historyPageSchema,
  },
  markMissedSeen: { args: z.object({}).strict(), result: z.null() },
  getSettings: { args: z.object({}).strict(), result: settingsViewSchema },
  updateSettings: { args: clientSettingsSchema.partial(), result: settingsViewSchema },
  /** The dialer consumed the pending click-to-call request. */
  clearDialRequest: { args: z.object({}).strict(), result: z.null() },
  // ---- seat calling ----
  agentSetStatus: {
    args: z.object({
      status: z.enum(['available', 'break', 'logged-out']),
      reason: z.string().min(1).max(64).optional(),
    }),
    result: agentStateSchema,
  },
  agentSettings: { args: z.object({ autoAnswer: z.boolean() }), result: agentStateSchema },
  /** The agent's own figures since the server started. */
  agentStats: { args: z.object({}).strict(), result: agentStatsSchema },
  /** The queues this user supervises. */
  supervisorQueues: {
    args: z.object({}).strict(),
    result: z.array(z.object({ name: queueNameSchema, displayName: z.string().optional() })),
  },
  /** Live queue state follows in the snapshot's `supervisedQueues`. */
  supervisorSubscribe: {
    args: z.object({ queues: z.array(queueNameSchema).min(1).max(50) }),
    result: z.null(),
  },
  supervisorUnsubscribe: {
    args: z.object({ queues: z.array(queueNameSchema).min(1).max(50) }),
    result: z.null(),
  },
  /** A media ticket to listen to, whisper into or barge into an agent's queue call. */
  monitorTicket: {
    args: callTarget.extend({ mode: monitorModeSchema }),
    result: mediaTicketSchema.extend({ agentId: userIdSchema }),
  },
} as const;

export type SoftphoneCommand = keyof typeof softphoneCommands;
export type SoftphoneArgs<C extends SoftphoneCommand> = z.infer<
  (typeof softphoneCommands)[C]['args']
>;
export type SoftphoneResult<C extends SoftphoneCommand> = z.infer<
  (typeof softphoneCommands)[C]['result']
>;
export const SOFTPHONE_COMMANDS = Object.keys(softphoneCommands) as SoftphoneCommand[];
export const softphoneChannel = (command: SoftphoneCommand): `softphone:${SoftphoneCommand}` =>
  `softphone:${command}`;

/** Main → renderer pushes. */
export const softphoneEvents = {
  snapshot: softphoneSnapshotSchema,
  /** A custom peer message arrived. */
  message: z.object({ messageId: z.string(), from: userIdSchema, body: z.string() }),
  /** A request failed in a way the user should hear about (shown as a toast). */
  error: z.object({ code: z.string(), message: z.string(), callId: callIdSchema.optional() }),
} as const;
export type SoftphoneEventName = keyof typeof softphoneEvents;
export type SoftphoneEventData<E extends SoftphoneEventName> = z.infer<(typeof softphoneEvents)[E]>;
export const softphoneEventChannel = (event: SoftphoneEventName): `softphone-event:${string}` =>
  `softphone-event:${event}`;

/** Codes a command may fail with, besides the server's own error codes. */
export const SOFTPHONE_ERROR_CODES = [
  'wrong-credentials',
  'unreachable',
  'incompatible-version',
  'not-signed-in',
  'invalid-argument',
  'policy-locked',
  'timeout',
] as const;

/** How a failed command reaches the renderer (thrown by the API; across IPC as a plain object). */
export class SoftphoneError extends Error {
  override readonly name = 'SoftphoneError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API the renderer receives: one async method per command, and typed event subscriptions. */
export type SoftphoneApi = {
  [C in SoftphoneCommand]: (args: SoftphoneArgs<C>) => Promise<SoftphoneResult<C>>;
} & {
  on<E extends SoftphoneEventName>(
    event: E,
    listener: (data: SoftphoneEventData<E>) => void,
  ): () => void;
  /** `electron` in the desktop app (tray, ringing window), `browser` in the web client. */
  readonly shell: 'electron' | 'browser';
};
