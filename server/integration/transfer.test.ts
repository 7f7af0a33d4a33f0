import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scenario, answeredCall, eventually, rejection, callOutcome } from './support.js';

/**
 * Blind transfer (issue 18) against the real server with real clients: the target rings with
 * the call (who is transferred, by whom), the transferor leaves at once, an unanswered target
 * rings the transferor back, the record keeps every transfer, and the races have one outcome.
 */

let s: Scenario;
beforeAll(async () => {
  s = await Scenario.start({ calls: { defaultRingTimeoutMs: 10_000 } }, [
    'alice',
    'bob',
    'carol',
    'dave',
  ]);
});
afterAll(async () => {
  await s.dispose();
});

async function records(userId: string, callId: string) {
  const list = await s.t.server.services.stores.records.query({ userId, limit: 10 });
  return list.find((r) => r.callId === callId);
}

describe('call.transfer (blind)', () => {
  it('the target rings with the call and who transferred it; the transferor is out at once', async () => {
    const alice = await s.signIn('alice', 'alice-t1');
    const bob = await s.signIn('bob', 'bob-t1');
    const carol = await s.signIn('carol', 'carol-t1');
    const callId = 'transfer-0001';
    await answeredCall(alice, bob, 'bob', callId);

    const moved = await bob.request('call.transfer', { callId, target: 'carol' });
    expect(moved.call.transfer).toMatchObject({ by: 'bob', party: 'alice', target: 'carol' });
    expect(moved.call.transfer?.state).toBe('ringing');
    expect(moved.call.legs.find((l) => l.userId === 'bob')?.leftAt).toEqual(expect.any(Number));
    // Bob is no participant any more: no media for him.
    await rejection(bob.request('media.ticket', { callId }), 'forbidden');

    const incoming = await carol.waitFor('call.incoming', (d) => d.call.callId === callId);
    expect(incoming.call.callerId).toBe('alice');
    expect(incoming.call.transfer).toMatchObject({ by: 'bob', party: 'alice' });
    expect(incoming.call.legs.find((l) => l.userId === 'carol')?.transferredBy).toBe('bob');
    await alice.waitFor('call.updated', (d) => d.call.transfer?.target === 'carol');

    const answered = await carol.request('call.accept', { callId });
    expect(answered.call.transfer?.state).toBe('connected');
    const seen = await alice.waitFor('call.updated', (d) => d.call.transfer?.state === 'connected');
    expect(seen.call.state).toBe('active');
    await carol.request('media.ticket', { callId });

    await alice.request('call.hangup', { callId });
    await carol.waitFor('call.ended', (d) => d.call.callId === callId);
    const record = await records('carol', callId);
    expect(record?.endReason).toBe('completed');
    expect(record?.transfers).toEqual([
      expect.objectContaining({ by: 'bob', party: 'alice', target: 'carol', state: 'connected' }),
    ]);
    expect(record?.participants.map((p) => [p.userId, p.outcome])).toEqual([
      ['alice', 'caller'],
      ['bob', 'answered'],
      ['carol', 'answered'],
    ]);
  });

  it('a target who declines rings the transferor back; answering it rejoins the two', async () => {
    const alice = await s.signIn('alice', 'alice-t2');
    const bob = await s.signIn('bob', 'bob-t2');
    const carol = await s.signIn('carol', 'carol-t2');
    const callId = 'transfer-0002';
    await answeredCall(alice, bob, 'bob', callId);
    await bob.request('call.transfer', { callId, target: 'carol' });
    await carol.waitFor('call.incoming', (d) => d.call.callId === callId);
    const refused = await carol.request('call.refuse', { callId });
    expect(refused.call.transfer?.state).toBe('returning');

    const back = await bob.waitFor(
      'call.incoming',
      (d) => d.call.callId === callId && d.call.transfer?.state === 'returning',
    );
    expect(back.call.legs.find((l) => l.userId === 'bob')?.state).toBe('inviting');
    const rejoined = await bob.request('call.accept', { callId });
    expect(rejoined.call.transfer?.state).toBe('returned');
    await alice.waitFor('call.updated', (d) => d.call.transfer?.state === 'returned');
    await bob.request('media.ticket', { callId });
    await bob.request('call.hangup', { callId });
    await alice.waitFor('call.ended', (d) => d.call.callId === callId);
  });

  it('nobody answers the target nor the ring-back: the call ends for the party', async () => {
    const alice = await s.signIn('alice', 'alice-t3');
    const bob = await s.signIn('bob', 'bob-t3');
    const callId = 'transfer-0003';
    await answeredCall(alice, bob, 'bob', callId);
    // Dave has no device online: the invitation is pushed, and times out unreachable.
    await bob.request('call.transfer', { callId, target: 'dave', ringTimeoutMs: 1_000 });
    await bob.waitFor('call.incoming', (d) => d.call.callId === callId, 5_000);
    await bob.request('call.refuse', { callId });
    const ended = await alice.waitFor('call.ended', (d) => d.call.callId === callId);
    expect(ended.call.transfer?.state).toBe('failed');
    expect((await records('alice', callId))?.transfers?.[0]?.state).toBe('failed');
  });

  it('the caller transfers: no leg to ring back, so an unanswered transfer ends the call', async () => {
    const alice = await s.signIn('alice', 'alice-t4');
    const bob = await s.signIn('bob', 'bob-t4');
    const carol = await s.signIn('carol', 'carol-t4');
    const callId = 'transfer-0004';
    await answeredCall(alice, bob, 'bob', callId);
    await alice.request('call.transfer', { callId, target: 'carol' });
    const incoming = await carol.waitFor('call.incoming', (d) => d.call.callId === callId);
    expect(incoming.call.transfer).toMatchObject({ by: 'alice', party: 'bob' });
    await carol.request('call.refuse', { callId });
    const ended = await bob.waitFor('call.ended', (d) => d.call.callId === callId);
    expect(ended.call.transfer?.state).toBe('failed');
  });

  it('is refused for a ringing or group call, an outsider, the other side’s hold, or oneself', async () => {
    const alice = await s.signIn('alice', 'alice-t5');
    const bob = await s.signIn('bob', 'bob-t5');
    const carol = await s.signIn('carol', 'carol-t5');
    const callId = 'transfer-0005';
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
    await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
    await rejection(alice.request('call.transfer', { callId, target: 'carol' }), 'invalid-state');
    await bob.request('call.accept', { callId });
    await rejection(carol.request('call.transfer', { callId, target: 'dave' }), 'not-found');
    await rejection(bob.request('call.transfer', { callId, target: 'bob' }), 'bad-request');
    await rejection(bob.request('call.transfer', { callId, target: 'alice' }), 'bad-request');
    await alice.request('call.hold', { callId });
    await rejection(bob.request('call.transfer', { callId, target: 'carol' }), 'invalid-state');
    await alice.request('call.resume', { callId });
    await alice.request('call.add', { callId, callees: ['carol'] });
    await rejection(bob.request('call.transfer', { callId, target: 'dave' }), 'invalid-state');
    await alice.request('call.control', { callId, action: 'end' });
    await bob.waitFor('call.ended', (d) => d.call.callId === callId);
  });
});

describe('transfer races', () => {
  it('the target answers while the transferor hangs up: the call goes on with the target', async () => {
    const alice = await s.signIn('alice', 'alice-t6');
    const bob = await s.signIn('bob', 'bob-t6');
    const carol = await s.signIn('carol', 'carol-t6');
    for (let round = 1; round <= 4; round++) {
      const callId = `transfer-race-${round}`;
      await answeredCall(alice, bob, 'bob', callId);
      await bob.request('call.transfer', { callId, target: 'carol' });
      await carol.waitFor('call.incoming', (d) => d.call.callId === callId);
      const send = {
        accept: () => callOutcome(carol.request('call.accept', { callId })),
        hangup: () => callOutcome(bob.request('call.hangup', { callId })),
      };
      const [accept, hangup] =
        round % 2 === 1
          ? await Promise.all([send.accept(), send.hangup()])
          : await Promise.all([send.hangup(), send.accept()]).then(([h, a]) => [a, h] as const);
      // The transferor left with the transfer: a hang-up is a repeat, whatever came first.
      expect(hangup.ok).toBe(true);
      expect(accept).toMatchObject({ ok: true, call: { state: 'active' } });
      await alice.waitFor('call.updated', (d) => d.call.transfer?.state === 'connected');
      await alice.request('call.hangup', { callId });
      await carol.waitFor('call.ended', (d) => d.call.callId === callId);
    }
  });

  it('the party hangs up while the target rings: the call ends, the target stops ringing', async () => {
    const alice = await s.signIn('alice', 'alice-t7');
    const bob = await s.signIn('bob', 'bob-t7');
    const carol = await s.signIn('carol', 'carol-t7');
    const callId = 'transfer-0007';
    await answeredCall(alice, bob, 'bob', callId);
    await bob.request('call.transfer', { callId, target: 'carol' });
    await carol.waitFor('call.incoming', (d) => d.call.callId === callId);
    const [hung, accepted] = await Promise.all([
      callOutcome(alice.request('call.hangup', { callId })),
      callOutcome(carol.request('call.accept', { callId })),
    ]);
    expect(hung.ok).toBe(true);
    if (accepted.ok) {
      // The accept came first: carol and alice were connected, then alice left.
      await carol.waitFor('call.ended', (d) => d.call.callId === callId);
    } else {
      expect(accepted.code).toBe('invalid-state');
      await carol.waitFor('call.ringEnded', (d) => d.callId === callId);
    }
    await eventually(async () => (await records('alice', callId)) !== undefined);
    expect((await records('alice', callId))?.endReason).toBe('completed');
  });
});
