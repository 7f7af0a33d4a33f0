import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, answeredCall, rejection, settled, callOutcome } from './support.js';

/**
 * Attended transfer (issue 18) against the real server: the transferor holds the call, consults
 * the target in a call of their own, then completes (the two remote parties are joined, the
 * transferor leaves) or cancels (hangs up the consultation and resumes the held call).
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

/** Alice calls bob, bob holds and consults carol: the two calls, both active. */
async function consulting(tag: string) {
  const alice = await s.signIn('alice', `alice-${tag}`);
  const bob = await s.signIn('bob', `bob-${tag}`);
  const carol = await s.signIn('carol', `carol-${tag}`);
  const held = `att-held-${tag}`;
  const consult = `att-consult-${tag}`;
  await answeredCall(alice, bob, 'bob', held);
  await bob.request('call.hold', { callId: held });
  await answeredCall(bob, carol, 'carol', consult);
  await bob.waitFor('call.updated', (d) => d.call.callId === consult && d.call.state === 'active');
  return { alice, bob, carol, held, consult };
}

const inCall = (call: CallInfo, userId: string) =>
  call.legs.some((l) => l.userId === userId && l.state === 'accepted' && l.leftAt === undefined);

describe('attended transfer', () => {
  it('complete: the consultation ends, the target is in the held call, the transferor is out', async () => {
    const { alice, bob, carol, held, consult } = await consulting('a1');
    const done = await bob.request('call.completeTransfer', {
      callId: held,
      consultCallId: consult,
    });
    expect(done.call.transfer).toMatchObject({
      by: 'bob',
      party: 'alice',
      target: 'carol',
      state: 'connected',
    });
    expect(done.call.hold).toBeUndefined();
    expect(inCall(done.call, 'carol')).toBe(true);
    expect(inCall(done.call, 'bob')).toBe(false);
    expect(done.call.legs.find((l) => l.userId === 'carol')).toMatchObject({
      transferredBy: 'bob',
      answeredDevice: 'carol-a1',
    });

    const ended = await carol.waitFor('call.ended', (d) => d.call.callId === consult);
    expect(ended.reason).toBe('completed');
    const joined = await carol.waitFor('call.updated', (d) => d.call.callId === held);
    expect(joined.call.callerId).toBe('alice');
    await alice.waitFor('call.updated', (d) => d.call.callId === held && inCall(d.call, 'carol'));
    // Media belongs to the two who now talk.
    await carol.request('media.ticket', { callId: held });
    await alice.request('media.ticket', { callId: held });
    await rejection(bob.request('media.ticket', { callId: held }), 'forbidden');

    await carol.request('call.hangup', { callId: held });
    await alice.waitFor('call.ended', (d) => d.call.callId === held);
    const records = await s.t.server.services.stores.records.query({ userId: 'carol', limit: 10 });
    const record = records.find((r) => r.callId === held);
    expect(record?.transfers).toEqual([
      expect.objectContaining({ by: 'bob', party: 'alice', target: 'carol', state: 'connected' }),
    ]);
    expect(record?.participants.map((p) => p.userId)).toEqual(['alice', 'bob', 'carol']);
  });

  it('cancel: the transferor hangs up the consultation and resumes; nothing moved', async () => {
    const { alice, bob, carol, held, consult } = await consulting('a2');
    await bob.request('call.hangup', { callId: consult });
    await carol.waitFor('call.ended', (d) => d.call.callId === consult);
    const resumed = await bob.request('call.resume', { callId: held });
    expect(resumed.call.hold).toBeUndefined();
    expect(resumed.call.transfer).toBeUndefined();
    await alice.waitFor('call.updated', (d) => d.call.callId === held && !d.call.hold);
    await bob.request('call.hangup', { callId: held });
    await alice.waitFor('call.ended', (d) => d.call.callId === held);
  });

  it('is refused without the hold, by an outsider, or with the same call twice', async () => {
    const { alice, bob, carol, held, consult } = await consulting('a3');
    const dave = await s.signIn('dave', 'dave-a3');
    await rejection(
      dave.request('call.completeTransfer', { callId: held, consultCallId: consult }),
      'not-found',
    );
    // Carol is in the consultation, not in the held call.
    await rejection(
      carol.request('call.completeTransfer', { callId: held, consultCallId: consult }),
      'not-found',
    );
    await rejection(
      bob.request('call.completeTransfer', { callId: held, consultCallId: held }),
      'bad-request',
    );
    await bob.request('call.resume', { callId: held });
    await rejection(
      bob.request('call.completeTransfer', { callId: held, consultCallId: consult }),
      'invalid-state',
    );
    await bob.request('call.hangup', { callId: consult });
    await bob.request('call.hangup', { callId: held });
    await alice.waitFor('call.ended', (d) => d.call.callId === held);
  });

  it('the holder’s media leaving while consulting opens no rejoin window', async () => {
    const { alice, bob, held, consult } = await consulting('a4');
    s.t.server.services.calls.mediaLost(held, 'bob');
    await settled(alice, bob);
    const now = s.t.server.services.calls.get(held);
    expect(now?.callerConnection).toBeUndefined();
    expect(now?.legs.find((l) => l.userId === 'bob')?.connection).toBeUndefined();
    // The same for the party who does not hold: their window opens (the check can fail).
    s.t.server.services.calls.mediaLost(held, 'alice');
    expect(s.t.server.services.calls.get(held)?.callerConnection).toBe('reconnecting');
    s.t.server.services.calls.mediaBack(held, 'alice');
    await bob.request('call.hangup', { callId: consult });
    await bob.request('call.hangup', { callId: held });
    await alice.waitFor('call.ended', (d) => d.call.callId === held);
  });
});

describe('attended transfer races', () => {
  it('the target hangs up the consultation as the transferor completes: one outcome', async () => {
    const results = { completed: 0, refused: 0 };
    for (let round = 1; round <= 4; round++) {
      const { alice, bob, carol, held, consult } = await consulting(`r${round}`);
      const send = {
        complete: () =>
          callOutcome(
            bob.request('call.completeTransfer', { callId: held, consultCallId: consult }),
          ),
        hangup: () => callOutcome(carol.request('call.hangup', { callId: consult })),
      };
      const [complete, hangup] =
        round % 2 === 1
          ? await Promise.all([send.complete(), send.hangup()])
          : await Promise.all([send.hangup(), send.complete()]).then(([h, c]) => [c, h] as const);
      // Carol's hang-up of the consultation answers either way (a repeat once it ended).
      expect(hangup.ok).toBe(true);
      if (complete.ok) {
        results.completed++;
        expect(inCall(complete.call, 'carol')).toBe(true);
        await alice.waitFor(
          'call.updated',
          (d) => d.call.callId === held && inCall(d.call, 'carol'),
        );
        await carol.request('call.hangup', { callId: held });
      } else {
        results.refused++;
        // The consultation was over first: bob still holds alice, and takes her back.
        expect(complete.code).toBe('invalid-state');
        await bob.request('call.resume', { callId: held });
        await bob.request('call.hangup', { callId: held });
      }
      await alice.waitFor('call.ended', (d) => d.call.callId === held);
      await closeAll(alice, bob, carol);
    }
    expect(results.completed + results.refused).toBe(4);
  });
});

async function closeAll(...clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}
