import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, rejection, settled, callOutcome } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({ calls: { defaultRingTimeoutMs: 10_000 } }, ['alice', 'bob', 'carol']);
});
afterEach(async () => {
  await s.dispose();
});

async function invite(alice: TestClient, bobs: TestClient[], callId: string): Promise<void> {
  await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
  for (const bob of bobs) {
    await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
    await bob.request('call.ack', { callId });
  }
  await alice.waitFor(
    'call.updated',
    (d) => d.call.callId === callId && d.call.legs[0]?.state === 'ringing',
  );
}

describe('racing answers', () => {
  it('accept against cancel at the same moment: exactly one wins and both sides agree', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    const wins = { accept: 0, cancel: 0 };
    for (let round = 1; round <= 6; round++) {
      const callId = `race-accept-cancel-${round}`;
      await invite(alice, [bob], callId);

      // Both frames leave before either answer is awaited; which is written first alternates.
      const send = {
        accept: () => callOutcome(bob.request('call.accept', { callId })),
        cancel: () => callOutcome(alice.request('call.cancel', { callId })),
      };
      const [accept, cancel] =
        round % 2 === 1
          ? await Promise.all([send.accept(), send.cancel()])
          : await Promise.all([send.cancel(), send.accept()]).then(([c, a]) => [a, c] as const);

      expect(accept.ok !== cancel.ok).toBe(true);
      if (accept.ok && !cancel.ok) {
        wins.accept++;
        expect(cancel.code).toBe('invalid-state');
        expect(cancel.call).toMatchObject({ callId, state: 'active' });
        expect(cancel.call?.legs[0]?.state).toBe('accepted');
        expect(accept.call.state).toBe('active');
        await alice.waitFor(
          'call.updated',
          (d) => d.call.callId === callId && d.call.state === 'active',
        );
        await alice.request('call.hangup', { callId });
        await bob.waitFor('call.ended', (d) => d.call.callId === callId);
        await alice.waitFor('call.ended', (d) => d.call.callId === callId);
        await settled(bob);
        expect(bob.received('call.ringEnded')).toEqual([]);
      } else if (cancel.ok && !accept.ok) {
        wins.cancel++;
        expect(accept.code).toBe('invalid-state');
        expect(accept.call).toMatchObject({ callId, state: 'ended', endReason: 'canceled' });
        expect(accept.call?.legs[0]?.state).toBe('canceled');
        expect(cancel.call).toMatchObject({ state: 'ended', endReason: 'canceled' });
        expect(await bob.waitFor('call.ringEnded')).toEqual({ callId, reason: 'canceled' });
        expect((await alice.waitFor('call.ended', (d) => d.call.callId === callId)).reason).toBe(
          'canceled',
        );
      }
      // Whoever won, both histories keep the same outcome.
      const endReason = accept.ok ? 'completed' : 'canceled';
      for (const client of [alice, bob]) {
        const { records } = await client.request('history.list', { limit: 1 });
        expect(records[0]).toMatchObject({ callId, endReason });
      }
    }
    // Which side wins depends on arrival (the send order alternates); every round had one.
    expect(wins.accept + wins.cancel).toBe(6);
  });

  it('two devices accepting at once: one is answered ok, the other invalid-state', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const desk = await s.signIn('bob', 'bob-desk');
    const phone = await s.signIn('bob', 'bob-phone');
    await invite(alice, [desk, phone], 'race-two-accepts');

    const results = await Promise.all([
      callOutcome(desk.request('call.accept', { callId: 'race-two-accepts' })),
      callOutcome(phone.request('call.accept', { callId: 'race-two-accepts' })),
    ]);

    const won = results.filter((r) => r.ok);
    const lost = results.filter((r) => !r.ok);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winnerDevice = won[0]!.call.legs[0]?.answeredDevice;
    expect(lost[0]).toMatchObject({ code: 'invalid-state' });
    expect(lost[0]!.call?.legs[0]).toMatchObject({
      state: 'accepted',
      answeredDevice: winnerDevice,
    });

    const loser = winnerDevice === 'bob-desk' ? phone : desk;
    expect(await loser.waitFor('call.ringEnded')).toEqual({
      callId: 'race-two-accepts',
      reason: 'answered-elsewhere',
    });
    const active = await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(active.call.legs[0]?.answeredDevice).toBe(winnerDevice);
  });

  it('accept after the timeout fired: invalid-state with the call failed by timeout', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await alice.request('call.invite', {
      callId: 'race-late-accept',
      callees: ['bob'],
      media: 'audio',
      ringTimeoutMs: 1_000,
    });
    await bob.waitFor('call.incoming');
    expect(await bob.waitFor('call.ringEnded')).toMatchObject({ reason: 'timeout' });

    const late = await rejection(
      bob.request('call.accept', { callId: 'race-late-accept' }),
      'invalid-state',
    );
    expect(late.call).toMatchObject({ state: 'ended', endReason: 'timeout' });
    expect(late.call?.legs[0]).toMatchObject({ state: 'failed', reason: 'timeout' });
    expect((await alice.waitFor('call.ended')).reason).toBe('timeout');
  });
});

describe('retried requests', () => {
  it('the same invitation sent twice is one call, rung once', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    const data = { callId: 'retry-invite', callees: ['bob'], media: 'video' as const };

    const [first, second] = await Promise.all([
      alice.request('call.invite', data),
      alice.request('call.invite', data),
    ]);
    expect(second.call.callId).toBe(first.call.callId);
    expect(second.call.createdAt).toBe(first.call.createdAt);
    expect(second.call.legs).toHaveLength(1);

    await bob.waitFor('call.incoming');
    await settled(bob);
    expect(bob.received('call.incoming')).toEqual([]);
    expect(await alice.request('call.list', {})).toMatchObject({
      calls: [{ callId: 'retry-invite' }],
    });
  });

  it('accepting twice from the same device is answered ok twice', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await invite(alice, [bob], 'retry-accept');

    const [first, second] = await Promise.all([
      bob.request('call.accept', { callId: 'retry-accept' }),
      bob.request('call.accept', { callId: 'retry-accept' }),
    ]);
    expect(first.call.state).toBe('active');
    expect(second.call.legs[0]).toEqual(first.call.legs[0]);
  });

  it('refusing twice from the same device is answered ok twice, though the first ended the call', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await invite(alice, [bob], 'retry-refuse');

    const [first, second] = await Promise.all([
      bob.request('call.refuse', { callId: 'retry-refuse' }),
      bob.request('call.refuse', { callId: 'retry-refuse' }),
    ]);
    expect(first.call).toMatchObject({ state: 'ended', endReason: 'refused' });
    expect(second.call).toMatchObject({ state: 'ended', endReason: 'refused' });
    expect(second.call.legs[0]).toMatchObject({ state: 'refused', reason: 'declined' });
    expect((await alice.waitFor('call.ended')).reason).toBe('refused');
  });

  it('canceling twice is answered ok twice', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await invite(alice, [bob], 'retry-cancel');

    const [first, second] = await Promise.all([
      alice.request('call.cancel', { callId: 'retry-cancel' }),
      alice.request('call.cancel', { callId: 'retry-cancel' }),
    ]);
    expect(first.call.endReason).toBe('canceled');
    expect(second.call.endReason).toBe('canceled');
    expect(await bob.waitFor('call.ringEnded')).toMatchObject({ reason: 'canceled' });
    await settled(bob);
    expect(bob.received('call.ringEnded')).toEqual([]);
  });

  it('an invitation reusing a call id for other callees is a conflict', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    await s.signIn('bob', 'bob-laptop');
    await alice.request('call.invite', { callId: 'retry-other', callees: ['bob'], media: 'audio' });

    await rejection(
      alice.request('call.invite', { callId: 'retry-other', callees: ['carol'], media: 'audio' }),
      'conflict',
    );
    await rejection(
      alice.request('call.invite', { callId: 'retry-other', callees: ['bob'], media: 'video' }),
      'conflict',
    );
    const carol = await s.signIn('carol', 'carol-laptop');
    await rejection(
      carol.request('call.invite', { callId: 'retry-other', callees: ['bob'], media: 'audio' }),
      'conflict',
    );
  });
});
