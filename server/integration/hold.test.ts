import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opusParameters } from '../sfu/testing/media-fixtures.js';
import { SfuTestClient } from '../sfu/testing/sfu-test-client.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, answeredCall, eventually, rejection, settled, callOutcome } from './support.js';

/**
 * Hold and resume (issue 18) against the real server with real clients: both sides see who
 * holds, the SFU pauses the holder's media both ways and restores it, only the holder resumes,
 * and a hold racing a hang-up has one outcome whichever the server takes first.
 */

let s: Scenario;
beforeAll(async () => {
  s = await Scenario.start({ media: { enabled: true }, sfu: { workers: 1 } }, [
    'alice',
    'bob',
    'carol',
    'dave',
  ]);
});
afterAll(async () => {
  await s.dispose();
});

/** Both in the media room: alice produces audio (no RTP needed), bob consumes it, resumed. */
async function inMedia(alice: TestClient, bob: TestClient, callId: string) {
  const join = async (client: TestClient) => {
    const { sfuUrl, ticket } = await client.request('media.ticket', { callId });
    return SfuTestClient.join(sfuUrl, ticket);
  };
  const aliceMedia = await join(alice);
  const bobMedia = await join(bob);
  const room = s.t.sfu().roomOf(callId);
  if (!room) throw new Error('no media room');
  await bobMedia.client.request('transport.create', { direction: 'recv' });
  await bobMedia.client.request('consumer.ready', { rtpCapabilities: room.router.rtpCapabilities });
  const send = await aliceMedia.client.request('transport.create', { direction: 'send' });
  const mic = await aliceMedia.client.request('produce', {
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opusParameters(0x2222),
  });
  const { consumerId } = await bobMedia.client.waitFor(
    'consumer.new',
    (c) => c.producerId === mic.producerId,
  );
  await bobMedia.client.request('consumer.resume', { consumerId });
  const consumer = () => s.t.sfu().roomOf(callId)?.peer('bob')?.consumers.get(consumerId)?.consumer;
  const close = async () => {
    await aliceMedia.client.close();
    await bobMedia.client.close();
  };
  return { consumer, close };
}

describe('call.hold and call.resume', () => {
  it('tells both sides who holds, pauses the media at the SFU and restores it', async () => {
    const alice = await s.signIn('alice', 'alice-h1');
    const bob = await s.signIn('bob', 'bob-h1');
    const callId = 'hold-0001';
    await answeredCall(alice, bob, 'bob', callId);
    const media = await inMedia(alice, bob, callId);
    expect(media.consumer()?.paused).toBe(false);

    const held = await alice.request('call.hold', { callId });
    expect(held.call).toMatchObject({ state: 'active', hold: { by: 'alice' } });
    const told = await bob.waitFor('call.updated', (d) => d.call.hold?.by === 'alice');
    expect(told.call.hold?.since).toBe(held.call.hold?.since);
    await eventually(() => media.consumer()?.paused === true);

    // A repeat changes nothing and tells nobody.
    await settled(alice, bob);
    const updates = bob.received('call.updated').length;
    const again = await alice.request('call.hold', { callId });
    expect(again.call.hold).toEqual(held.call.hold);
    await settled(alice, bob);
    expect(bob.received('call.updated').length).toBe(updates);

    const resumed = await alice.request('call.resume', { callId });
    expect(resumed.call.hold).toBeUndefined();
    expect(resumed.call.state).toBe('active');
    await bob.waitFor('call.updated', (d) => d.call.callId === callId && !d.call.hold);
    await eventually(() => media.consumer()?.paused === false);
    // Resuming a call not on hold answers it as it is.
    expect((await alice.request('call.resume', { callId })).call.hold).toBeUndefined();

    await bob.request('call.hangup', { callId });
    await alice.waitFor('call.ended', (d) => d.call.callId === callId);
    await media.close();
  });

  it('only the holder resumes; nobody else holds meanwhile; others learn nothing', async () => {
    const alice = await s.signIn('alice', 'alice-h2');
    const bob = await s.signIn('bob', 'bob-h2');
    const carol = await s.signIn('carol', 'carol-h2');
    const callId = 'hold-0002';
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
    await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
    // A call still ringing has nobody to hold yet.
    await rejection(alice.request('call.hold', { callId }), 'invalid-state');
    await bob.request('call.accept', { callId });

    await bob.request('call.hold', { callId });
    await rejection(alice.request('call.resume', { callId }), 'forbidden');
    const other = await rejection(alice.request('call.hold', { callId }), 'invalid-state');
    expect(other.call).toMatchObject({ callId, hold: { by: 'bob' } });
    // Someone never in the call: the same answer as for no call at all.
    await rejection(carol.request('call.hold', { callId }), 'not-found');
    await rejection(carol.request('call.resume', { callId }), 'not-found');
    // Bob's other device is not in the call: it neither holds nor resumes.
    const bobPhone = await s.signIn('bob', 'bob-h2-phone');
    await rejection(bobPhone.request('call.resume', { callId }), 'invalid-state');

    await bob.request('call.resume', { callId });
    await alice.request('call.hangup', { callId });
    await bob.waitFor('call.ended', (d) => d.call.callId === callId);
    // Once ended: invalid-state, with the call as it ended.
    const ended = await rejection(bob.request('call.hold', { callId }), 'invalid-state');
    expect(ended.call).toMatchObject({ callId, state: 'ended', endReason: 'completed' });
  });

  it('a hold ends with its holder leaving; the others go on, off hold', async () => {
    const alice = await s.signIn('alice', 'alice-h3');
    const bob = await s.signIn('bob', 'bob-h3');
    const carol = await s.signIn('carol', 'carol-h3');
    const callId = 'hold-0003';
    await alice.request('call.invite', { callId, callees: ['bob', 'carol'], media: 'audio' });
    await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
    await carol.waitFor('call.incoming', (d) => d.call.callId === callId);
    await bob.request('call.accept', { callId });
    await carol.request('call.accept', { callId });
    await bob.request('call.hold', { callId });
    await carol.waitFor('call.updated', (d) => d.call.hold?.by === 'bob');
    await bob.request('call.hangup', { callId });
    const after = await carol.waitFor(
      'call.updated',
      (d) => d.call.callId === callId && d.call.legs.some((l) => l.userId === 'bob' && l.leftAt),
    );
    expect(after.call).toMatchObject({ state: 'active' });
    expect(after.call.hold).toBeUndefined();
    await alice.request('call.control', { callId, action: 'end' });
    await carol.waitFor('call.ended', (d) => d.call.callId === callId);
  });
});

describe('hold racing a hang-up', () => {
  it('sent at once from both sides: the call ends completed either way, never held', async () => {
    const alice = await s.signIn('alice', 'alice-h4');
    const bob = await s.signIn('bob', 'bob-h4');
    const wins = { hold: 0, hangup: 0 };
    for (let round = 1; round <= 6; round++) {
      const callId = `hold-race-${round}`;
      await answeredCall(alice, bob, 'bob', callId);
      await alice.waitFor(
        'call.updated',
        (d) => d.call.callId === callId && d.call.state === 'active',
      );
      // Both frames leave before either answer is awaited; which is written first alternates.
      const send = {
        hold: () => callOutcome(alice.request('call.hold', { callId })),
        hangup: () => callOutcome(bob.request('call.hangup', { callId })),
      };
      const [hold, hangup] =
        round % 2 === 1
          ? await Promise.all([send.hold(), send.hangup()])
          : await Promise.all([send.hangup(), send.hold()]).then(([h, o]) => [o, h] as const);
      // The hang-up always wins its own request: the call ends completed for both.
      expect(hangup).toMatchObject({ ok: true, call: { state: 'ended', endReason: 'completed' } });
      const ended = await alice.waitFor('call.ended', (d) => d.call.callId === callId);
      expect(ended.reason).toBe('completed');
      expect(ended.call.hold).toBeUndefined();
      if (hold.ok) {
        // The hold came first: it was granted, then the hang-up ended the held call.
        wins.hold++;
        expect(hold.call.hold?.by).toBe('alice');
      } else {
        wins.hangup++;
        expect(hold.code).toBe('invalid-state');
        expect(hold.call).toMatchObject({ callId, state: 'ended', endReason: 'completed' });
      }
      expect(s.t.sfu().roomOf(callId)).toBeUndefined();
    }
    expect(wins.hold + wins.hangup).toBe(6);
  });

  it('the holder hangs up while holding: the call ends completed, the record says so', async () => {
    const alice = await s.signIn('alice', 'alice-h5');
    const dave = await s.signIn('dave', 'dave-h5');
    const callId = 'hold-0005';
    await answeredCall(alice, dave, 'dave', callId);
    const [held, hung] = await Promise.all([
      callOutcome(dave.request('call.hold', { callId })),
      callOutcome(dave.request('call.hangup', { callId })),
    ]);
    // One socket: the server takes them in order.
    expect(held).toMatchObject({ ok: true, call: { hold: { by: 'dave' } } });
    expect(hung).toMatchObject({ ok: true, call: { state: 'ended', endReason: 'completed' } });
    await alice.waitFor('call.ended', (d) => d.call.callId === callId);
    const history = await alice.request('history.list', {});
    expect(history.records.find((r) => r.callId === callId)?.endReason).toBe('completed');
  });
});
