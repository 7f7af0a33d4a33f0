import type { CallRecord, Leg } from '../../protocol/index.js';
import {
  deviceEndReasonSchema,
  type SoftphoneCall,
  type SoftphoneSnapshot,
} from '../../protocol/softphone.js';

/**
 * Pure reading of the snapshot for the call screens: which call is shown where, and what each
 * callee's state means in words (translation keys). No React here, so it is tested in Node.
 */

/** How long an ended call stays visible as a summary banner. */
export const ENDED_SUMMARY_MS = 10_000;

export interface CallViews {
  /**
   * The call with media (answering or active); at most one is shown in full: one we do not
   * hold ourselves, if there is one (issue 18: a consultation, a call accepted with hold).
   */
  active: SoftphoneCall | undefined;
  /** Our other active calls, each on hold by us while `active` goes on: shown as a strip. */
  held: SoftphoneCall[];
  /** A call we are in on another device of ours: a notice with "Switch here", no media. */
  elsewhere: SoftphoneCall | undefined;
  /** Our own invitation still ringing out. */
  outgoing: SoftphoneCall | undefined;
  /** Every invitation ringing here. */
  incoming: SoftphoneCall[];
  /** The latest call that ended recently, for the summary banner. */
  ended: SoftphoneCall | undefined;
}

export function callViews(snapshot: SoftphoneSnapshot, now = Date.now()): CallViews {
  const calls = snapshot.calls;
  const ended = calls
    .filter((c) => c.state === 'ended' && now - (c.endedAt ?? 0) < ENDED_SUMMARY_MS)
    .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))[0];
  const me = snapshot.account?.userId;
  const inCall = calls.filter((c) => c.state === 'active' || c.state === 'answering');
  const heldByMe = (c: SoftphoneCall) => me !== undefined && c.info?.hold?.by === me;
  const active = inCall.find((c) => !heldByMe(c)) ?? inCall[0];
  return {
    active,
    held: inCall.filter((c) => c !== active && heldByMe(c)),
    elsewhere: calls.find((c) => c.state === 'elsewhere'),
    outgoing: calls.find(
      (c) => c.direction === 'outgoing' && (c.state === 'dialing' || c.state === 'ringback'),
    ),
    incoming: calls.filter((c) => c.direction === 'incoming' && c.state === 'ringing'),
    ended,
  };
}

export interface Label {
  key: string;
  params?: Record<string, string>;
}

const REFUSALS = new Set(['declined', 'busy', 'dnd']);

/** What one callee's state means to the caller. */
export function legLabel(leg: Leg): Label {
  switch (leg.state) {
    case 'inviting':
    case 'ringing':
    case 'pushed':
    case 'canceled':
      return { key: `call.leg.${leg.state}` };
    case 'accepted':
      return { key: leg.leftAt ? 'call.leg.left' : 'call.leg.accepted' };
    case 'refused': {
      const reason = leg.reason ?? 'declined';
      return REFUSALS.has(reason)
        ? { key: `call.leg.${reason}` }
        : { key: 'call.leg.refusedOther', params: { reason } };
    }
    case 'failed':
      return leg.reason === 'timeout' || leg.reason === 'unreachable'
        ? { key: `call.leg.${leg.reason}` }
        : { key: 'call.leg.failed' };
  }
}

/** Every reason a device can see has its own words; anything else (a newer server's) is shown as is. */
const END_KEYS: ReadonlySet<string> = new Set(deviceEndReasonSchema.options);

export function endLabel(reason: string | undefined): Label {
  const r = reason ?? 'completed';
  return END_KEYS.has(r)
    ? { key: `call.end.${r}` }
    : { key: 'call.end.other', params: { reason: r } };
}

/** The people of a call other than me, with their leg (the caller has none). */
export function otherParties(call: SoftphoneCall, me: string): { userId: string; leg?: Leg }[] {
  const info = call.info;
  if (!info) return [];
  const out: { userId: string; leg?: Leg }[] = [];
  if (info.callerId !== me) out.push({ userId: info.callerId });
  for (const leg of info.legs) if (leg.userId !== me) out.push({ userId: leg.userId, leg });
  return out;
}

/** Who is in the call's media now: the caller (until they left) and every accepted callee. */
export function participantsOf(call: SoftphoneCall): {
  userId: string;
  muted: { audio: boolean; video: boolean };
}[] {
  const info = call.info;
  if (!info) return [];
  const out: { userId: string; muted: { audio: boolean; video: boolean } }[] = [];
  if (info.callerLeftAt === undefined) out.push({ userId: info.callerId, muted: info.callerMuted });
  for (const leg of info.legs)
    if (leg.state === 'accepted' && leg.leftAt === undefined)
      out.push({ userId: leg.userId, muted: leg.muted });
  return out;
}

/** Callees still being rung (group calls, in-call additions). */
export const pendingLegs = (call: SoftphoneCall): Leg[] =>
  call.info?.legs.filter((l) => ['inviting', 'ringing', 'pushed'].includes(l.state)) ?? [];

/** Should the caller hear ringback: while any callee rings or was pushed. */
export const wantsRingback = (call: SoftphoneCall): boolean =>
  call.info?.legs.some((l) => l.state === 'ringing' || l.state === 'pushed') ?? false;

// ---- history ---------------------------------------------------------------------------------

/**
 * Missed, for me: one definition for core's unread count and this view (an incoming call never
 * answered on any device that timed out, was canceled, never reached me, or hit do-not-disturb).
 */
export { isMissed } from '../../core/calls/missed.js';

export const isOutgoing = (record: CallRecord, me: string): boolean => record.callerId === me;

/** Whom "call back" calls: the caller of an incoming call, the callees of my own. */
export function callBackTargets(record: CallRecord, me: string): string[] {
  if (record.callerId !== me) return [record.callerId];
  return record.participants.filter((p) => p.role === 'callee').map((p) => p.userId);
}

/** Seconds as a translation label: "42 s", "3 min 5 s", "1 h 2 min". */
export function durationLabel(totalSec: number): Label {
  const sec = Math.max(0, Math.round(totalSec));
  if (sec < 60) return { key: 'time.seconds', params: { count: String(sec) } };
  if (sec < 3600)
    return {
      key: 'time.minutes',
      params: { m: String(Math.floor(sec / 60)), s: String(sec % 60) },
    };
  return {
    key: 'time.hours',
    params: { h: String(Math.floor(sec / 3600)), m: String(Math.floor((sec % 3600) / 60)) },
  };
}

/** The in-call timer: m:ss or h:mm:ss. */
export function clock(totalSec: number): string {
  const sec = Math.max(0, Math.floor(totalSec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = String(sec % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** User ids typed into the dialer: split on commas/spaces, lower-cased (ids are lower case). */
export function parseTargets(text: string): { valid: string[]; invalid: string[] } {
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const id = raw.trim().toLowerCase();
    if (!id) continue;
    if (/^(queue:)?[a-z0-9][a-z0-9._-]{0,63}$/.test(id)) {
      if (!valid.includes(id)) valid.push(id);
    } else invalid.push(raw);
  }
  // A queue (`queue:<name>`, seat calling) is called alone: mixed with others it is invalid.
  if (valid.length > 1) {
    const queues = valid.filter((id) => id.startsWith('queue:'));
    return { valid: valid.filter((id) => !queues.includes(id)), invalid: [...invalid, ...queues] };
  }
  return { valid, invalid };
}

/** Link targets (trayphone://call/bob, tel:bob, sip:bob@host) arrive as text: keep the user part. */
export function dialTargetFromLink(target: string): string {
  const stripped = target.replace(/^(trayphone:\/\/(call\/)?|tel:|sips?:)/i, '');
  return stripped.split('@')[0]?.split('?')[0] ?? stripped;
}

/**
 * Whether accepting `callId` ends another call of this device first: core's accept hangs up an
 * answered call before answering a waiting one (core/softphone/call-commands.ts).
 */
export const acceptEndsCurrent = (calls: readonly SoftphoneCall[], callId: string): boolean =>
  calls.some((c) => c.callId !== callId && (c.state === 'answering' || c.state === 'active'));
