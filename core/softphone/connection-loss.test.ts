import { afterEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, testPhone } from './testing/softphone-fixture.js';

/**
 * The softphone keeps what the server says about the other people of a call: whether each is in
 * it, reconnecting within the rejoin window, or gone (and why), so the renderer only names it.
 */
const WINDOW_MS = 600;

let t: TestServer;
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

async function start(users: string[]): Promise<void> {
  t = await startTestServer({ calls: { defaultRingTimeoutMs: 10_000, rejoinWindowMs: WINDOW_MS } });
  for (const id of users) await t.addUser(id);
}

async function signedIn(userId: string) {
  const phone = testPhone({ deviceId: `${userId}-desk` });
  await phone.sp.signIn({ serverUrl: t.server.httpUrl, userId, password: password(userId) });
  await phone.until((s) => s.connection === 'connected');
  return phone;
}

const callIn = (s: SoftphoneSnapshot, callId: string) => s.calls.find((c) => c.callId === callId);
const peerIn = (s: SoftphoneSnapshot, callId: string, userId: string) =>
  callIn(s, callId)?.peers?.find((p) => p.userId === userId);

describe('Softphone: a peer whose connection dropped', () => {
  it('is reconnecting during the window, then left with connection-lost, and the one-to-one call ends so', async () => {
    await start(['alice', 'bob']);
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await bob.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'active');
    expect(peerIn(alice.last(), callId, 'bob')).toEqual({ userId: 'bob', connection: 'connected' });
    // Nobody is their own peer.
    expect(peerIn(alice.last(), callId, 'alice')).toBeUndefined();

    await bob.sp.close();
    const dropped = await alice.until(
      (s) => peerIn(s, callId, 'bob')?.connection === 'reconnecting',
    );
    expect(callIn(dropped, callId)?.state).toBe('active');

    const ended = await alice.until((s) => callIn(s, callId)?.state === 'ended');
    expect(callIn(ended, callId)?.endReason).toBe('connection-lost');
    expect(peerIn(ended, callId, 'bob')).toEqual({
      userId: 'bob',
      connection: 'left',
      leftReason: 'connection-lost',
    });
  });

  it('comes back when a device of theirs signs in within the window', async () => {
    await start(['alice', 'bob']);
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await bob.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'active');

    await bob.sp.close();
    await alice.until((s) => peerIn(s, callId, 'bob')?.connection === 'reconnecting');
    const bobAgain = await signedIn('bob');
    // Bob's new session is put back into the call it is still in, without ringing.
    await bobAgain.until((s) => callIn(s, callId)?.state === 'active');
    expect(bobAgain.snapshots.some((s) => callIn(s, callId)?.state === 'ringing')).toBe(false);
    await alice.until((s) => peerIn(s, callId, 'bob')?.connection === 'connected');
    expect(callIn(alice.last(), callId)?.state).toBe('active');
  });

  it('in a group call: the others see them left with connection-lost while the call goes on', async () => {
    await start(['alice', 'bob', 'carol']);
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const carol = await signedIn('carol');
    const { callId } = await alice.sp.call({ callees: ['bob', 'carol'], media: 'audio' });
    for (const phone of [bob, carol]) {
      await phone.until((s) => callIn(s, callId)?.state === 'ringing');
      await phone.sp.accept({ callId, media: 'audio' });
    }
    await alice.until((s) => (callIn(s, callId)?.peers ?? []).length === 2);

    await carol.sp.close();
    await bob.until((s) => peerIn(s, callId, 'carol')?.connection === 'reconnecting');
    const left = await bob.until((s) => peerIn(s, callId, 'carol')?.connection === 'left');
    expect(peerIn(left, callId, 'carol')?.leftReason).toBe('connection-lost');
    expect(callIn(left, callId)?.state).toBe('active');
    expect(peerIn(left, callId, 'alice')).toEqual({ userId: 'alice', connection: 'connected' });
  });
});
