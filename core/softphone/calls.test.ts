import { afterEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { STORE_KEYS } from './persistence.js';
import {
  type TestPhone,
  closePhones,
  password,
  rejected,
  testPhone,
  until,
} from './testing/softphone-fixture.js';

let t: TestServer;
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

async function start(ringTimeoutMs = 30_000): Promise<void> {
  t = await startTestServer({ calls: { defaultRingTimeoutMs: ringTimeoutMs } });
  for (const id of ['alice', 'bob', 'carol']) await t.addUser(id);
}

async function signedIn(userId: string, options: Parameters<typeof testPhone>[0] = {}) {
  const phone = testPhone(options);
  await phone.sp.signIn({ serverUrl: t.server.httpUrl, userId, password: password(userId) });
  await phone.until((s) => s.connection === 'connected');
  return phone;
}

const callIn = (s: SoftphoneSnapshot, callId: string) => s.calls.find((c) => c.callId === callId);
const stateOf = (phone: TestPhone, callId: string) => callIn(phone.last(), callId)?.state;

describe('Softphone calls', () => {
  it('places a video call that bob answers with audio, then hangs up; both sides see it all', async () => {
    await start();
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');

    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'video' });
    const ringing = await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    expect(callIn(ringing, callId)).toMatchObject({
      direction: 'incoming',
      waiting: false,
      localMedia: 'video', // Until answered: what the call offers.
      info: { callerId: 'alice', media: 'video' },
    });
    await alice.until((s) => callIn(s, callId)?.state === 'ringback');
    expect(callIn(alice.last(), callId)).toMatchObject({
      direction: 'outgoing',
      localMedia: 'video',
    });
    // Alice's snapshots never showed her video call as audio, not even while dialing.
    for (const s of alice.snapshots) {
      const call = callIn(s, callId);
      if (call) expect(call.localMedia).toBe('video');
    }

    expect(await bob.sp.accept({ callId, media: 'audio' })).toBeNull();
    await bob.until((s) => callIn(s, callId)?.state === 'active');
    await alice.until((s) => callIn(s, callId)?.state === 'active');
    expect(callIn(bob.last(), callId)?.localMedia).toBe('audio');
    const ticket = await bob.sp.mediaTicket({ callId });
    expect(ticket.ticket.length).toBeGreaterThan(0);

    await alice.sp.hangup({ callId });
    const ended = await bob.until((s) => callIn(s, callId)?.state === 'ended');
    expect(callIn(ended, callId)?.endReason).toBe('completed');
    expect(stateOf(alice, callId)).toBe('ended');
    // Hanging up again is harmless; accepting an ended call is not possible.
    expect(await alice.sp.hangup({ callId })).toBeNull();
    expect((await rejected(bob.sp.accept({ callId, media: 'audio' }))).code).toBe('invalid-state');
    expect(bob.last().missedUnread).toBe(0);
  });

  it('bob declines: alice sees the call end as declined', async () => {
    await start();
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await bob.sp.decline({ callId });
    expect(stateOf(bob, callId)).toBe('ended');
    const ended = await alice.until((s) => callIn(s, callId)?.state === 'ended');
    expect(callIn(ended, callId)?.endReason).toBe('refused');
    expect(callIn(ended, callId)?.info?.legs[0]).toMatchObject({
      state: 'refused',
      reason: 'declined',
    });
    expect(bob.last().missedUnread).toBe(0);
  });

  it('alice cancels: bob stops ringing and counts a missed call', async () => {
    await start();
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await alice.sp.cancel({ callId });
    const ended = await bob.until((s) => callIn(s, callId)?.state === 'ended');
    expect(callIn(ended, callId)?.endReason).toBe('canceled');
    expect(ended.missedUnread).toBe(1);
  });

  it('counts a call that timed out as missed, keeps the count across restarts, and resets it', async () => {
    await start(1_500);
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    const ended = await bob.until((s) => callIn(s, callId)?.state === 'ended');
    expect(callIn(ended, callId)?.endReason).toBe('timeout');
    await bob.until((s) => s.missedUnread === 1);
    expect(
      callIn(await alice.until((s) => callIn(s, callId)?.state === 'ended'), callId)?.endReason,
    ).toBe('timeout');
    const stored = () =>
      JSON.parse(bob.store.get(STORE_KEYS.missedUnread('bob')) ?? '{}') as { ids?: string[] };
    await until(() => stored().ids?.length === 1, 'missed call stored');

    // An app restart keeps the unread count.
    await bob.sp.close();
    const again = testPhone({ store: bob.store });
    await again.until((s) => s.connection === 'connected' && s.missedUnread === 1);
    await again.sp.markMissedSeen({});
    await again.until((s) => s.missedUnread === 0);
    expect(stored().ids).toEqual([]);
  });

  it('counts calls missed while the app was closed, but not those from before the first sign-in', async () => {
    await start();
    const alice = await signedIn('alice');
    const placeAndCancel = async () => {
      const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
      await alice.sp.cancel({ callId });
      await alice.until((s) => s.calls.some((c) => c.callId === callId && c.state === 'ended'));
      return callId;
    };
    await placeAndCancel(); // Bob has never signed in on this device: old news.
    const bob = await signedIn('bob');
    await new Promise((r) => setTimeout(r, 300));
    expect(bob.last().missedUnread).toBe(0);
    await bob.sp.close();

    await placeAndCancel();
    await placeAndCancel();
    await t.server.services.stores.records.flush();
    const again = testPhone({ store: bob.store });
    await again.until((s) => s.connection === 'connected' && s.missedUnread === 2);
    // A reconnect reads History again and counts nothing twice.
    await again.sp.markMissedSeen({});
    await again.until((s) => s.missedUnread === 0);
    // Online now: it rings here before it is withdrawn.
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await again.until((s) => s.calls.some((c) => c.callId === callId && c.state === 'ringing'));
    await alice.sp.cancel({ callId });
    await again.until((s) => s.missedUnread === 1);
    await t.server.services.stores.records.flush();
    await again.sp.close();
    const third = testPhone({ store: bob.store });
    await third.until((s) => s.connection === 'connected');
    await new Promise((r) => setTimeout(r, 300));
    expect(third.last().missedUnread).toBe(1);
  });

  it('signing out leaves the call properly: the other side sees it end at once', async () => {
    await start();
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await bob.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'active');
    await bob.sp.signOut({});
    const ended = await alice.until((s) => callIn(s, callId)?.state === 'ended');
    expect(callIn(ended, callId)?.endReason).toBe('completed');
    expect(bob.last()).toMatchObject({ connection: 'signed-out', calls: [], account: null });
  });

  it('refuses commands on calls that are unknown or in the wrong state', async () => {
    await start();
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    expect((await rejected(alice.sp.hangup({ callId: 'no-such-call' }))).code).toBe('not-found');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'ringback');
    // Alice cannot answer her own call; bob cannot cancel it.
    expect((await rejected(alice.sp.accept({ callId, media: 'audio' }))).code).toBe(
      'invalid-state',
    );
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    expect((await rejected(bob.sp.cancel({ callId }))).code).toBe('invalid-state');
    // Hangup works whatever the state: here it declines.
    await bob.sp.hangup({ callId });
    await alice.until((s) => callIn(s, callId)?.state === 'ended');
  });

  it('a server refusal rejects the command: calling a user who does not exist', async () => {
    await start();
    const alice = await signedIn('alice');
    const error = await rejected(alice.sp.call({ callees: ['nobody'], media: 'audio' }));
    expect(error.code).toBe('not-found');
    // The failed call is shown as ended (and is not also reported as a separate toast).
    expect(alice.last().calls.every((c) => c.state === 'ended')).toBe(true);
    expect(alice.errors).toEqual([]);
  });

  it('keeps ended calls only for a while, and only so many', async () => {
    await start();
    const alice = await signedIn('alice', { endedCallRetentionMs: 400 });
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await alice.sp.cancel({ callId });
    await alice.until((s) => callIn(s, callId)?.state === 'ended');
    // Gone after the retention, with a snapshot saying so.
    await alice.until((s) => s.calls.length === 0);

    const many = await signedIn('carol', { endedCallRetentionMs: 60_000 });
    for (let i = 0; i < 25; i++) {
      const placed = await many.sp.call({ callees: ['bob'], media: 'audio' });
      await many.sp.hangup(placed);
    }
    await many.until((s) => s.calls.every((c) => c.state === 'ended'));
    expect(many.last().calls.length).toBeLessThanOrEqual(20);
  });
});
