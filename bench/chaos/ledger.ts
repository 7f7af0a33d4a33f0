import type { CallInfo, ErrorBody, ParsedEvent, RequestType } from '../../protocol/index.js';
import type { ChaosDevice, DeviceObserver, HelloResult } from './device.js';

export type CallKind = 'direct' | 'group' | 'push' | 'queue' | 'abandoned';

/** One thing the server told a device about a call: its arrival time and what it said. */
export interface Seen {
  at: number;
  device: string;
  userId: string;
  /** `incoming`, `ringEnded:<reason>`, `updated:<state>`, `ended:<reason>`, `ok:<request>`, `hello:<state>`, `error:<request>:<code>`, `queue.position`. */
  what: string;
  /** The call as that frame showed it, when it carried one. */
  call?: CallInfo;
  /** `call.incoming`: the time left that the server gave. */
  remainingMs?: number;
}

export interface CallEntry {
  callId: string;
  kind: CallKind;
  callerId: string;
  callees: readonly string[];
  /** When the caller got the ok answer to `call.invite`. */
  inviteAckAt?: number;
  seen: Seen[];
  /** The call requests devices sent (answered or not), in sending order. */
  sent: Sent[];
}

/** A call request as it went out. */
export interface Sent {
  at: number;
  device: string;
  type: RequestType;
}

const CALL_REQUESTS: ReadonlySet<RequestType> = new Set([
  'call.invite',
  'call.accept',
  'call.refuse',
  'call.cancel',
  'call.hangup',
]);

/**
 * Everything the server acknowledged, per call: every ok answer and every event any device got,
 * in arrival order. The invariants are checked against it at the end; a kill can be aimed right
 * after one of these (`onAcknowledged`), when the step it acknowledged was just written or not.
 */
export class Ledger implements DeviceObserver {
  readonly calls = new Map<string, CallEntry>();
  /** Frames that failed the protocol schemas, with the device and the reason. */
  readonly invalidFrames: string[] = [];
  /** Error answers other than the expected races, by code (for the summary). */
  readonly errorCodes = new Map<string, number>();
  /** Every hello: who, when, and which calls it listed. */
  readonly hellos: { device: string; userId: string; at: number; callIds: string[] }[] = [];
  onAcknowledged: (() => void) | undefined;

  /** `startedAt`: the clock of the evidence (ms since then); shards of one run share it. */
  constructor(readonly startedAt = Date.now()) {}

  register(entry: Omit<CallEntry, 'seen' | 'sent'>): CallEntry {
    const full: CallEntry = { ...entry, seen: [], sent: [] };
    this.calls.set(entry.callId, full);
    return full;
  }

  private note(device: ChaosDevice, callId: string, seen: Omit<Seen, 'device' | 'userId'>): void {
    const entry = this.calls.get(callId);
    if (!entry) return;
    entry.seen.push({ ...seen, device: device.label, userId: device.userId });
    this.onAcknowledged?.();
  }

  hello(device: ChaosDevice, hello: HelloResult, at: number): void {
    this.hellos.push({
      device: device.label,
      userId: device.userId,
      at,
      callIds: hello.calls.map((c) => c.callId),
    });
    for (const call of hello.calls)
      this.note(device, call.callId, { at, what: `hello:${call.state}`, call });
  }

  event(device: ChaosDevice, event: ParsedEvent, at: number): void {
    switch (event.type) {
      case 'call.incoming':
        this.note(device, event.data.call.callId, {
          at,
          what: 'incoming',
          call: event.data.call,
          remainingMs: event.data.remainingMs,
        });
        return;
      case 'call.ringEnded':
        this.note(device, event.data.callId, { at, what: `ringEnded:${event.data.reason}` });
        return;
      case 'call.updated':
        this.note(device, event.data.call.callId, {
          at,
          what: `updated:${event.data.call.state}`,
          call: event.data.call,
        });
        return;
      case 'call.ended':
        this.note(device, event.data.call.callId, {
          at,
          what: `ended:${event.data.reason}`,
          call: event.data.call,
        });
        return;
      case 'queue.position':
        this.note(device, event.data.callId, { at, what: 'queue.position' });
        return;
      // Not about the life of a call.
      case 'call.controlled':
      case 'presence.changed':
      case 'message.received':
      case 'message.delivered':
      case 'session.closing':
      case 'agent.status':
      case 'queue.state':
        return;
    }
  }

  request(device: ChaosDevice, type: RequestType, data: unknown, at: number): void {
    if (!CALL_REQUESTS.has(type) || type === 'call.invite') return;
    const { callId } = data as { callId: string };
    this.calls.get(callId)?.sent.push({ at, device: device.label, type });
  }

  response(device: ChaosDevice, type: RequestType, data: unknown, at: number): void {
    if (!CALL_REQUESTS.has(type)) return;
    const { call } = data as { call: CallInfo };
    if (type === 'call.invite') {
      const entry = this.calls.get(call.callId);
      if (entry) entry.inviteAckAt ??= at;
    }
    this.note(device, call.callId, { at, what: `ok:${type}`, call });
  }

  errorResponse(device: ChaosDevice, type: RequestType, error: ErrorBody, at: number): void {
    const key = `${type}:${error.code}`;
    this.errorCodes.set(key, (this.errorCodes.get(key) ?? 0) + 1);
    // The loser of a race learns the outcome: that answer acknowledges the call's state too.
    if (error.call)
      this.note(device, error.call.callId, {
        at,
        what: `error:${type}:${error.code}`,
        call: error.call,
      });
  }

  invalidFrame(device: ChaosDevice, text: string, reason: string): void {
    this.invalidFrames.push(`${device.label}: ${reason}: ${text.slice(0, 200)}`);
  }

  /** Compact evidence: each frame as `+<ms since start> <device> <what>`, requests as `sent:`. */
  evidence(callId: string, limit = 16): string[] {
    const entry = this.calls.get(callId);
    const seen = (entry?.seen ?? []).map((s) => {
      const extra = s.call?.endReason ? ` (${s.call.endReason} @${s.call.endedAt ?? '?'})` : '';
      return { at: s.at, line: `${s.device} ${s.what}${extra}` };
    });
    const sent = (entry?.sent ?? []).map((s) => ({ at: s.at, line: `${s.device} sent:${s.type}` }));
    const lines = [...seen, ...sent]
      .sort((a, b) => a.at - b.at)
      .map((x) => `+${x.at - this.startedAt}ms ${x.line}`);
    if (lines.length <= limit) return lines;
    return [
      ...lines.slice(0, limit / 2),
      `… ${lines.length - limit} more`,
      ...lines.slice(-limit / 2),
    ];
  }
}
