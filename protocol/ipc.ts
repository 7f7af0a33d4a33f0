import { z } from 'zod';
import {
  SOFTPHONE_COMMANDS,
  type SoftphoneCommand,
  type SoftphoneEventName,
  softphoneEvents,
} from './softphone.js';

/**
 * The Electron IPC contract, besides the softphone commands of `softphone.ts`: the shell-only
 * channels (window, app, tray-driven UI actions), named `domain:verb`, and the one response
 * envelope every `invoke` answers with. The main process validates every payload against these
 * schemas and checks the sender frame; the preload exposes named functions only.
 *
 * Why an envelope: `ipcRenderer.invoke` turns a thrown error into a bare message string, losing its
 * code; answering `{ ok: false, error: { code, message } }` lets the preload rethrow a typed
 * `SoftphoneError` with the code intact.
 */

/** Why the main process refused an IPC call before running it. */
export const IPC_REJECTION_CODES = [
  /** The payload does not match the channel's schema. */
  'invalid-argument',
  /** The call came from a frame that is not our own renderer's main frame. */
  'forbidden-sender',
  /** No such channel (never reached with the preload, which only knows real channels). */
  'unknown-channel',
] as const;
export type IpcRejectionCode = (typeof IPC_REJECTION_CODES)[number];

export const ipcErrorSchema = z.object({ code: z.string().max(64), message: z.string() });
export type IpcError = z.infer<typeof ipcErrorSchema>;

export type IpcResponse<T = unknown> = { ok: true; data: T } | { ok: false; error: IpcError };
export const ipcResponseSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: ipcErrorSchema }),
]);

const empty = z.object({}).strict();

/**
 * A global hotkey's state: `unset` (no accelerator), `idle` (valid, taken only while it has
 * something to act on: answer/decline while ringing, hang-up/mute in a call), `registered` (held
 * now), `failed` (the OS refused it: taken by another app, invalid, or no portal on Wayland).
 */
export const hotkeyStateSchema = z.enum(['unset', 'idle', 'registered', 'failed']);
export type HotkeyState = z.infer<typeof hotkeyStateSchema>;
const hotkeyEntrySchema = z.object({ accelerator: z.string().max(64), state: hotkeyStateSchema });
export const hotkeyStatusSchema = z.object({
  answer: hotkeyEntrySchema,
  decline: hotkeyEntrySchema,
  hangup: hotkeyEntrySchema,
  mute: hotkeyEntrySchema,
  /** Wayland: shortcuts go through the desktop's GlobalShortcuts portal, or `trayphone --answer`. */
  wayland: z.boolean(),
});
export type HotkeyStatus = z.infer<typeof hotkeyStatusSchema>;

/** Why the desktop app does not update itself (main/update/update-config.ts). */
export const updateOffReasonSchema = z.enum([
  /** A development build. */
  'not-packaged',
  /** The IT policy turned it off (`autoUpdate.enabled: false`). */
  'policy-off',
  /** No feed: the IT policy sets none (`autoUpdate.feedUrl`). */
  'no-feed',
  /** Installed for all users (MSI, deb/rpm): IT deploys updates, unless the policy enables it. */
  'per-machine',
]);
export type UpdateOffReason = z.infer<typeof updateOffReasonSchema>;

/**
 * Auto-update as the settings screen shows it. `downloaded`: installed when the app quits, or
 * while the machine is idle with no call live (never during a call).
 */
export const updateStatusSchema = z.object({
  state: z.enum([
    'disabled',
    'idle',
    'checking',
    'up-to-date',
    'downloading',
    'downloaded',
    'installing',
    'error',
  ]),
  reason: updateOffReasonSchema.optional(),
  /** The version found, downloading or downloaded. */
  version: z.string().max(64).optional(),
  percent: z.number().min(0).max(100).optional(),
  /** When the feed last answered (ms since the epoch). */
  checkedAt: z.number().optional(),
  error: z.string().max(500).optional(),
});
export type UpdateStatus = z.infer<typeof updateStatusSchema>;

/** A screen or window offered for sharing, as the renderer's picker shows it. */
export const captureSourceSchema = z.object({
  /** desktopCapturer's id (`screen:…`, `window:…`): what the renderer answers with. */
  id: z.string().max(200),
  name: z.string().max(300),
  kind: z.enum(['screen', 'window']),
  /** A PNG data URL of the thumbnail (320×180 at most). */
  thumbnail: z
    .string()
    .max(1_000_000)
    .regex(/^data:image\/png;base64,/),
});
export type CaptureSourceOffer = z.infer<typeof captureSourceSchema>;

/** Main asks the main window to pick what to share (getDisplayMedia in the desktop app). */
export const sourcePickRequestSchema = z.object({
  requestId: z.string().max(64),
  sources: z.array(captureSourceSchema).max(64),
});
export type SourcePickRequest = z.infer<typeof sourcePickRequestSchema>;

/** Renderer → main commands of the desktop shell. */
export const shellCommands = {
  /** Show and focus the main window (e.g. after answering from the ringing window). */
  'window:show': { args: empty, result: z.null() },
  /** Hide the main window to the tray (calls go on). */
  'window:hide': { args: empty, result: z.null() },
  /** Quit for real: live calls are ended cleanly first. */
  'app:quit': { args: empty, result: z.null() },
  /** Which global hotkeys are held, idle or refused by the OS (the settings screen shows it). */
  'hotkeys:status': { args: empty, result: hotkeyStatusSchema },
  /** Auto-update's state (the settings screen shows it). */
  'update:status': { args: empty, result: updateStatusSchema },
  /** Opens the folder of the app's logs in the file manager (what support asks for). */
  'app:open-logs': { args: empty, result: z.null() },
  /** The picker's answer to `shell:pick-source`: a source it offered, or null (cancelled). */
  'screen-share:choose': {
    args: z.object({ requestId: z.string().max(64), sourceId: z.string().max(200).nullable() }),
    result: z.null(),
  },
} as const;
export type ShellCommand = keyof typeof shellCommands;
export type ShellArgs<C extends ShellCommand> = z.infer<(typeof shellCommands)[C]['args']>;
export type ShellResult<C extends ShellCommand> = z.infer<(typeof shellCommands)[C]['result']>;
export const SHELL_COMMANDS = Object.keys(shellCommands) as ShellCommand[];

/** The views the shell may ask the renderer to open (tray menu entries). */
export const shellViewSchema = z.enum(['dialer', 'history', 'settings']);
export type ShellView = z.infer<typeof shellViewSchema>;

/** Main → renderer pushes of the desktop shell. */
export const shellEvents = {
  /** The global mute hotkey was pressed: the renderer owns the microphone, so it toggles. */
  'shell:mute-toggle': empty,
  /** Open a view (the tray's "Missed calls" opens history). */
  'shell:open-view': z.object({ view: shellViewSchema }),
  /** The global hotkeys' status changed (a registration failed, a call started or ended). */
  'shell:hotkey-status': hotkeyStatusSchema,
  /** Auto-update's state changed (checking, downloading, downloaded, error). */
  'shell:update-status': updateStatusSchema,
  /** Pick a screen or window to share; answered with `screen-share:choose`. */
  'shell:pick-source': sourcePickRequestSchema,
} as const;
export type ShellEventChannel = keyof typeof shellEvents;
export type ShellEventData<E extends ShellEventChannel> = z.infer<(typeof shellEvents)[E]>;
export const SHELL_EVENT_CHANNELS = Object.keys(shellEvents) as ShellEventChannel[];

/** Every invoke channel main answers, with its argument schema. */
export type InvokeChannel = `softphone:${SoftphoneCommand}` | ShellCommand;
export const SOFTPHONE_EVENT_NAMES = Object.keys(softphoneEvents) as SoftphoneEventName[];
export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  ...SOFTPHONE_COMMANDS.map((c): InvokeChannel => `softphone:${c}`),
  ...SHELL_COMMANDS,
];

/** What the preload exposes as `window.trayphoneShell` (desktop only). */
export interface ShellApi {
  showWindow(): Promise<null>;
  hideWindow(): Promise<null>;
  quit(): Promise<null>;
  onMuteToggle(listener: () => void): () => void;
  onOpenView(listener: (view: ShellView) => void): () => void;
  hotkeyStatus(): Promise<HotkeyStatus>;
  onHotkeyStatus(listener: (status: HotkeyStatus) => void): () => void;
  updateStatus(): Promise<UpdateStatus>;
  onUpdateStatus(listener: (status: UpdateStatus) => void): () => void;
  openLogs(): Promise<null>;
  onPickSource(listener: (request: SourcePickRequest) => void): () => void;
  chooseSource(requestId: string, sourceId: string | null): Promise<null>;
}

/** Global names the preload defines with `contextBridge.exposeInMainWorld`. */
export const PRELOAD_GLOBALS = { softphone: 'softphone', shell: 'trayphoneShell' } as const;
