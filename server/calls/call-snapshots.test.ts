import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallInfo } from '../../protocol/index.js';
import { encodeEvent } from '../../protocol/index.js';
import { CallEngine } from './call-engine.js';
import { CallSnapshots, StaleSnapshotError } from './call-snapshots.js';
import { engineOptions, testActor as actor } from './testing.js';

const ringing = (): CallInfo => ({
  callId: 'call-0001',
  callerId: 'alice',
  callerDevice: 'alice-dev',
  moderatorId: 'alice',
  media: 'audio',
  state: 'ringing',
  createdAt: 1,
  callerMuted: { audio: false, video: false },
  legs: [],
});

describe('CallSnapshots', () => {
  it('gives back the text it published, without encoding the call again', () => {
    const snapshots = new CallSnapshots(false);
    const call = ringing();
    const json = snapshots.publish(call);
    expect(json).toBe(JSON.stringify(call));
    const stringify = vi.spyOn(JSON, 'stringify');
    expect(snapshots.of(call)).toBe(json);
    expect(stringify).not.toHaveBeenCalled();
    stringify.mockRestore();
  });

  it('encodes a call that was never published', () => {
    const call = ringing();
    expect(new CallSnapshots(true).of(call)).toBe(JSON.stringify(call));
  });

  it('a change that was not published goes unnoticed without verify, and throws with it', () => {
    const call = ringing();
    const trusting = new CallSnapshots(false);
    const verifying = new CallSnapshots(true);
    const before = trusting.publish(call);
    verifying.publish(call);
    call.state = 'ended';
    expect(trusting.of(call)).toBe(before);
    expect(() => verifying.of(call)).toThrow(StaleSnapshotError);
    // Published again, it is right again.
    expect(verifying.publish(call)).toBe(JSON.stringify(call));
    expect(verifying.of(call)).toBe(JSON.stringify(call));
  });
});

/**
 * A CallEngine whose frames are kept, with the call as it was when each was sent (when
 * verifying: that takes a JSON.stringify per frame).
 */
function engineWithFrames(verifySnapshots: boolean) {
  const sent: { to: string; frame: string; callNow: string | undefined }[] = [];
  const engine: CallEngine = new CallEngine(
    engineOptions({
      router: {
        toUser: () => 1,
        toDevice: (userId, _deviceId, frame) => {
          const data = (JSON.parse(frame) as { data: { call?: CallInfo } }).data;
          const now = verifySnapshots && data.call ? engine.get(data.call.callId) : undefined;
          sent.push({ to: userId, frame, callNow: now && JSON.stringify(now) });
          return true;
        },
      },
      verifySnapshots,
    }),
  );
  return { engine, sent };
}

/** invite → ack → accept → hang-up, with each answer's snapshot taken as the handler takes it. */
function callCycle(engine: CallEngine, callId: string): string[] {
  const answers: string[] = [];
  const available = { status: 'available', callWaiting: false, blockedCaller: false } as const;
  const checks = new Map([['bob', available]]);
  const answer = (info: CallInfo) => answers.push(engine.snapshotOf(info));
  answer(engine.invite(actor('alice'), { callId, callees: ['bob'], media: 'audio' }, checks));
  engine.ack(actor('bob'), callId);
  answer(engine.accept(actor('bob'), callId));
  answer(engine.hangup(actor('alice'), callId));
  return answers;
}

describe('CallEngine frames carry each call snapshot encoded once', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('every frame is the text encodeEvent gives, with the call as it was when sent', () => {
    const { engine, sent } = engineWithFrames(true);
    const answers = callCycle(engine, 'call-0001');
    // The inviting and the accepting device get their step's snapshot in the answer alone.
    expect(sent.map((s) => `${s.to} ${(JSON.parse(s.frame) as { type: string }).type}`)).toEqual([
      'bob call.incoming',
      'alice call.updated',
      'alice call.updated',
      'bob call.ended',
      'alice call.ended',
    ]);
    for (const { frame, callNow } of sent) {
      const { type, data } = JSON.parse(frame) as { type: 'call.updated'; data: { call: unknown } };
      expect(frame).toBe(encodeEvent(type, data as never));
      // The call as the engine has it when the frame goes (an ended call is kept as its final
      // text and read back through the schema: same content, the schema's key order).
      expect(data.call).toEqual(callNow === undefined ? 'missing' : JSON.parse(callNow));
    }
    expect(JSON.parse(answers[2] ?? 'null')).toEqual(engine.get('call-0001'));
  });

  it('encodes the call once per step: 4 times for a whole call, answers included', () => {
    const { engine } = engineWithFrames(false);
    const stringify = vi.spyOn(JSON, 'stringify');
    callCycle(engine, 'call-0002');
    const encodesOfTheCall = stringify.mock.calls.filter(([value]) => {
      const v = value as { legs?: unknown; call?: unknown; data?: { call?: unknown } };
      return v.legs !== undefined || v.call !== undefined || v.data?.call !== undefined;
    });
    // incoming+updated+answer (invite), updated (ack), updated+answer (accept), ended+answer.
    expect(encodesOfTheCall).toHaveLength(4);
  });
});
