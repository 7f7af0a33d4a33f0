import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scenario, settled } from './support.js';

const RING_MS = 1_500;

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({ calls: { defaultRingTimeoutMs: RING_MS } }, ['alice', 'bob']);
});
afterEach(async () => {
  await s.dispose();
});

/** Alice calls Bob, and Bob's device has acknowledged the invitation. */
async function ringingCall(callId: string) {
  const alice = await s.signIn('alice', 'alice-laptop');
  const bob = await s.signIn('bob', 'bob-laptop');
  await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
  await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
  await bob.request('call.ack', { callId });
  await alice.waitFor('call.updated', (d) => d.call.legs[0]?.state === 'ringing');
  return { alice, bob };
}

describe('a one-to-one call that is not answered', () => {
  it('is refused by the callee: the caller sees the leg refused as declined and the call ends refused', async () => {
    const { alice, bob } = await ringingCall('refuse-0001');

    const refused = await bob.request('call.refuse', { callId: 'refuse-0001' });
    expect(refused.call.legs[0]).toMatchObject({ state: 'refused', reason: 'declined' });

    const ended = await alice.waitFor('call.ended');
    expect(ended.reason).toBe('refused');
    expect(ended.call.state).toBe('ended');
    expect(ended.call.endReason).toBe('refused');
    expect(ended.call.legs[0]).toMatchObject({
      userId: 'bob',
      state: 'refused',
      reason: 'declined',
    });

    // The refusing device answered itself: it is not told to stop ringing, nor that the call ended.
    await settled(bob);
    expect(bob.received('call.ringEnded')).toEqual([]);
    expect(bob.received('call.ended')).toEqual([]);

    const { records } = await alice.request('history.list', {});
    expect(records[0]).toMatchObject({ callId: 'refuse-0001', endReason: 'refused' });
    expect(records[0]?.participants.find((p) => p.userId === 'bob')).toMatchObject({
      outcome: 'refused',
      reason: 'declined',
    });
  });

  it('is refused with a custom reason, which the caller sees as given', async () => {
    const { alice, bob } = await ringingCall('refuse-0002');

    await bob.request('call.refuse', { callId: 'refuse-0002', reason: 'in-a-meeting' });

    const ended = await alice.waitFor('call.ended');
    expect(ended.reason).toBe('refused');
    expect(ended.call.legs[0]).toMatchObject({ state: 'refused', reason: 'in-a-meeting' });
    const { records } = await bob.request('history.list', {});
    expect(records[0]?.participants.find((p) => p.userId === 'bob')?.reason).toBe('in-a-meeting');
  });

  it('is canceled by the caller: the callee stops ringing with reason canceled', async () => {
    const { alice, bob } = await ringingCall('cancel-0001');

    const canceled = await alice.request('call.cancel', { callId: 'cancel-0001' });
    expect(canceled.call.legs[0]?.state).toBe('canceled');
    expect(canceled.call).toMatchObject({ state: 'ended', endReason: 'canceled' });

    expect(await bob.waitFor('call.ringEnded')).toEqual({
      callId: 'cancel-0001',
      reason: 'canceled',
    });
    expect((await alice.waitFor('call.ended')).reason).toBe('canceled');

    const { records } = await bob.request('history.list', {});
    expect(records[0]).toMatchObject({ callId: 'cancel-0001', endReason: 'canceled' });
    expect(records[0]?.participants.find((p) => p.userId === 'bob')?.outcome).toBe('canceled');
  });

  it('times out when nobody answers: the leg fails with timeout and the callee stops ringing', async () => {
    const started = Date.now();
    const { alice, bob } = await ringingCall('timeout-0001');

    const ringEnded = await bob.waitFor('call.ringEnded');
    expect(ringEnded).toEqual({ callId: 'timeout-0001', reason: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(RING_MS - 50);

    const ended = await alice.waitFor('call.ended');
    expect(ended.reason).toBe('timeout');
    expect(ended.call.legs[0]).toMatchObject({ state: 'failed', reason: 'timeout' });

    const { records } = await alice.request('history.list', {});
    expect(records[0]).toMatchObject({ callId: 'timeout-0001', endReason: 'timeout' });
    expect(records[0]?.participants.find((p) => p.userId === 'bob')?.outcome).toBe('timeout');
  });

  it('times out after the ring timeout the caller chose, not the default', async () => {
    const alice = await s.signIn('alice');
    const bob = await s.signIn('bob');
    const started = Date.now();
    const { call } = await alice.request('call.invite', {
      callId: 'timeout-0002',
      callees: ['bob'],
      media: 'video',
      ringTimeoutMs: 1_000,
    });
    expect(call.legs[0]!.expiresAt - call.legs[0]!.invitedAt).toBe(1_000);
    expect((await bob.waitFor('call.incoming')).remainingMs).toBeLessThanOrEqual(1_000);

    // Never acknowledged: still a timeout (a device had it), not `unreachable`.
    const ended = await alice.waitFor('call.ended');
    expect(ended.call.legs[0]).toMatchObject({ state: 'failed', reason: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe('a one-to-one call that was answered', () => {
  it('ends for both as completed when the callee hangs up', async () => {
    const { alice, bob } = await ringingCall('hangup-0001');
    const accepted = await bob.request('call.accept', { callId: 'hangup-0001' });
    expect(accepted.call.legs[0]).toMatchObject({
      state: 'accepted',
      answeredDevice: 'bob-laptop',
    });
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');

    const hungUp = await bob.request('call.hangup', { callId: 'hangup-0001' });
    expect(hungUp.call).toMatchObject({ state: 'ended', endReason: 'completed' });

    const [forAlice, forBob] = await Promise.all([
      alice.waitFor('call.ended'),
      bob.waitFor('call.ended'),
    ]);
    expect(forAlice.reason).toBe('completed');
    expect(forBob.reason).toBe('completed');
    expect(forAlice.call.legs[0]?.leftAt).toBeTypeOf('number');

    // Hanging up again is a harmless repeat.
    const again = await bob.request('call.hangup', { callId: 'hangup-0001' });
    expect(again.call.state).toBe('ended');

    const { records } = await alice.request('history.list', {});
    const record = records[0]!;
    expect(record).toMatchObject({ callId: 'hangup-0001', endReason: 'completed' });
    expect(record.answeredAt).toBeTypeOf('number');
    expect(record.participants.find((p) => p.userId === 'bob')).toMatchObject({
      role: 'callee',
      outcome: 'answered',
      answeredDevice: 'bob-laptop',
    });
    expect(record.participants.find((p) => p.userId === 'alice')?.role).toBe('caller');
    expect(await alice.request('call.list', {})).toEqual({ calls: [] });
  });
});
