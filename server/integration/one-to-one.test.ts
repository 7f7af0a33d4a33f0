import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../testing/test-server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ calls: { defaultRingTimeoutMs: 1_500 } });
  await t.addUser('alice', 'Alice');
  await t.addUser('bob', 'Bob');
});
afterEach(async () => {
  await t.dispose();
});

describe('a one-to-one call', () => {
  it('rings, is accepted, and ends for both when one hangs up', async () => {
    const alice = await t.connect('alice');
    const bob = await t.connect('bob');
    const { call } = await alice.request('call.invite', {
      callId: 'call-0001',
      callees: ['bob'],
      media: 'video',
      payload: '{"topic":"lunch"}',
    });
    expect(call.legs[0]?.state).toBe('inviting');
    const incoming = await bob.waitFor('call.incoming');
    expect(incoming.call.callerId).toBe('alice');
    expect(incoming.call.payload).toBe('{"topic":"lunch"}');
    expect(incoming.remainingMs).toBeGreaterThan(1000);

    await bob.request('call.ack', { callId: 'call-0001' });
    const ringing = await alice.waitFor('call.updated', (d) => d.call.legs[0]?.state === 'ringing');
    expect(ringing.call.state).toBe('ringing');

    const accepted = await bob.request('call.accept', { callId: 'call-0001' });
    expect(accepted.call.state).toBe('active');
    const seen = await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(seen.call.legs[0]?.answeredDevice).toBe('dev-1');

    await alice.request('call.hangup', { callId: 'call-0001' });
    const ended = await bob.waitFor('call.ended');
    expect(ended.reason).toBe('completed');
    await alice.waitFor('call.ended');

    await t.server.services.stores.records.flush();
    const history = await bob.request('history.list', {});
    expect(history.records).toHaveLength(1);
    expect(history.records[0]?.endReason).toBe('completed');
    expect(alice.invalidFrames).toEqual([]);
    expect(bob.invalidFrames).toEqual([]);
  });
});
