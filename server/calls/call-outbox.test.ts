import { describe, expect, it, vi } from 'vitest';
import type { CallInfo } from '../../protocol/index.js';
import { CallEngine } from './call-engine.js';
import { CallOutbox } from './call-outbox.js';
import { engineOptions, testActor } from './testing.js';

const available = { status: 'available', callWaiting: false, blockedCaller: false } as const;

describe('CallOutbox', () => {
  it('sends in the order queued, making each call frame once from the text it is given', () => {
    const outbox = new CallOutbox();
    const sent: string[] = [];
    const router = {
      toDevice: (userId: string, deviceId: string, frame: string) => {
        sent.push(`${userId}/${deviceId} ${frame}`);
        return true;
      },
    };
    const made = vi.fn((json: string) => `updated:${json}`);
    outbox.send('bob', 'b1', 'ringEnded');
    outbox.sendCall('alice', 'a1', made);
    outbox.sendCall('bob', 'b2', made);
    expect(outbox.isEmpty).toBe(false);
    outbox.flush(router, '{"final":true}' as never);
    expect(sent).toEqual([
      'bob/b1 ringEnded',
      'alice/a1 updated:{"final":true}',
      'bob/b2 updated:{"final":true}',
    ]);
    expect(made).toHaveBeenCalledTimes(1);
    expect(outbox.isEmpty).toBe(true);
    outbox.flush(router, '{}' as never);
    expect(sent).toHaveLength(3);
  });
});

describe('a step sends its frames when it ends', () => {
  it('gives every callee of an invitation the call as the step left it, with every leg', () => {
    const frames: { to: string; type: string; call?: CallInfo }[] = [];
    const engine = new CallEngine(
      engineOptions({
        router: {
          toUser: () => 1,
          toDevice: (userId, _deviceId, frame) => {
            const parsed = JSON.parse(frame) as { type: string; data: { call?: CallInfo } };
            frames.push({ to: userId, type: parsed.type, ...parsed.data });
            return true;
          },
        },
      }),
    );
    const checks = new Map([
      ['bob', available],
      ['carol', available],
    ]);
    const info = engine.invite(
      testActor('alice'),
      { callId: 'ob-1', callees: ['bob', 'carol'], media: 'audio' },
      checks,
    );
    // The inviting device has the call in its answer: no call.updated of the same snapshot.
    expect(frames.map((f) => `${f.to} ${f.type}`)).toEqual([
      'bob call.incoming',
      'carol call.incoming',
    ]);
    for (const frame of frames) {
      expect(frame.call?.legs.map((l) => l.userId)).toEqual(['bob', 'carol']);
      expect(frame.call).toEqual(JSON.parse(JSON.stringify(info)));
    }
  });
});
