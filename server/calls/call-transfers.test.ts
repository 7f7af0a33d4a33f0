import { describe, expect, it } from 'vitest';
import { ProtocolError, type QueueOffer } from '../../protocol/index.js';
import { CallEngine } from './call-engine.js';
import { engineOptions, testActor } from './testing.js';

const available = { status: 'available', callWaiting: false, blockedCaller: false } as const;
const checks = new Map([
  ['sue', available],
  ['tom', available],
]);

/** A customer's call through a queue, answered by agent sue. */
function queueCall(engine: CallEngine, callId: string) {
  engine.createQueued(
    testActor('cust'),
    { callId, callees: ['queue:sales'], media: 'audio' },
    'sales',
  );
  const offer: QueueOffer = {
    queue: 'sales',
    callerId: 'cust',
    callerName: 'Cust',
    waitMs: 0,
    autoAnswer: false,
  };
  expect(engine.offer(callId, 'sue', 30_000, offer)).toBe(true);
  engine.accept(testActor('sue'), callId);
}

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof ProtocolError ? error.code : 'not a protocol error';
  }
};

describe('transfer rights in a queue call (as for conference control)', () => {
  it('the customer may not transfer the agent away; the agent may, and hands the call over', () => {
    const engine = new CallEngine(engineOptions());
    queueCall(engine, 'q-transfer-1');
    expect(
      codeOf(() =>
        engine.transfer(testActor('cust'), { callId: 'q-transfer-1', target: 'tom' }, checks),
      ),
    ).toBe('forbidden');
    const moved = engine.transfer(
      testActor('sue'),
      { callId: 'q-transfer-1', target: 'tom' },
      checks,
    );
    expect(moved.transfer).toMatchObject({ by: 'sue', party: 'cust', state: 'ringing' });
    const taken = engine.accept(testActor('tom'), 'q-transfer-1');
    expect(taken.transfer?.state).toBe('connected');
    // Tom runs the call now: its moderator and its agent.
    expect(taken.moderatorId).toBe('tom');
    expect(taken.queue?.agentId).toBe('tom');
  });

  it('in an ordinary 1:1 call either party transfers', () => {
    const engine = new CallEngine(engineOptions());
    engine.invite(
      testActor('ann'),
      { callId: 'p-transfer-1', callees: ['sue'], media: 'audio' },
      checks,
    );
    engine.accept(testActor('sue'), 'p-transfer-1');
    const moved = engine.transfer(
      testActor('sue'),
      { callId: 'p-transfer-1', target: 'tom' },
      checks,
    );
    expect(moved.transfer).toMatchObject({ by: 'sue', party: 'ann' });
  });
});
