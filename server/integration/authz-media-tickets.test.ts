import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfuTestClient, errorCodeOf } from '../sfu/testing/sfu-test-client.js';
import { Scenario, answeredCall, rejection } from './support.js';

/**
 * Media tickets on the real server and the real SFU: a ticket admits once, only while the
 * signaling session that asked for it is signed in, and only the device that is in the call
 * gets one. A replayed ticket never pushes its owner out of the room.
 */

let s: Scenario;
beforeAll(async () => {
  s = await Scenario.start({ media: { enabled: true }, sfu: { workers: 1 } }, ['alice', 'bob']);
});
afterAll(async () => {
  await s.dispose();
});

describe('media tickets', () => {
  it('admit once: a replay from another socket is refused and the owner stays in', async () => {
    const alice = await s.signIn('alice', 'alice-a');
    const bob = await s.signIn('bob', 'bob-a');
    await answeredCall(alice, bob, 'bob', 'ticket-replay-1');
    const { ticket, sfuUrl } = await bob.request('media.ticket', { callId: 'ticket-replay-1' });
    const owner = await SfuTestClient.join(sfuUrl, ticket);
    expect(owner.joined.userId).toBe('bob');
    const ownerPeer = s.t.sfu().roomOf('ticket-replay-1')?.peer('bob');

    const replay = await SfuTestClient.connect(sfuUrl);
    expect(await errorCodeOf(replay.request('join', { ticket }))).toBe('unauthorized');
    // Still the owner's peer, its socket open and told nothing.
    expect(s.t.sfu().roomOf('ticket-replay-1')?.peer('bob')).toBe(ownerPeer);
    await expect(owner.client.request('transport.create', { direction: 'recv' })).resolves.toEqual(
      expect.objectContaining({ id: expect.any(String) as string }),
    );
    expect(owner.client.received('room.closed')).toEqual([]);

    // A fresh ticket of the owner's own session does get in (and replaces the peer: a rejoin).
    const fresh = await bob.request('media.ticket', { callId: 'ticket-replay-1' });
    await expect(SfuTestClient.join(sfuUrl, fresh.ticket)).resolves.toBeDefined();
    await replay.close();
    await alice.request('call.hangup', { callId: 'ticket-replay-1' });
  });

  it('admit nobody once the session that asked for them is gone', async () => {
    const alice = await s.signIn('alice', 'alice-b');
    const bob = await s.signIn('bob', 'bob-b');
    await answeredCall(alice, bob, 'bob', 'ticket-session-1');
    const { ticket, sfuUrl } = await bob.request('media.ticket', { callId: 'ticket-session-1' });
    // Bob's device signs in again: the old session is replaced, its ticket void.
    const again = await s.signIn('bob', 'bob-b');
    await bob.closed;
    const media = await SfuTestClient.connect(sfuUrl);
    expect(await errorCodeOf(media.request('join', { ticket }))).toBe('unauthorized');
    // The device's new session asks again and gets in.
    const fresh = await again.request('media.ticket', { callId: 'ticket-session-1' });
    await expect(media.request('join', { ticket: fresh.ticket })).resolves.toMatchObject({
      userId: 'bob',
    });
    await alice.request('call.hangup', { callId: 'ticket-session-1' });
  });

  it('go only to the device that is in the call', async () => {
    const alice = await s.signIn('alice', 'alice-c');
    const bob = await s.signIn('bob', 'bob-desk');
    const phone = await s.signIn('bob', 'bob-phone');
    await answeredCall(alice, bob, 'bob', 'ticket-device-1');
    await rejection(phone.request('media.ticket', { callId: 'ticket-device-1' }), 'forbidden');
    await expect(bob.request('media.ticket', { callId: 'ticket-device-1' })).resolves.toBeDefined();
    await alice.request('call.hangup', { callId: 'ticket-device-1' });
  });
});
