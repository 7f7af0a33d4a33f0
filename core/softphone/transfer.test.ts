import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, testPhone } from './testing/softphone-fixture.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ calls: { defaultRingTimeoutMs: 30_000 } });
  for (const id of ['alice', 'bob', 'carol']) await t.addUser(id);
});
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

async function signedIn(userId: string) {
  const phone = testPhone();
  await phone.sp.signIn({ serverUrl: t.server.httpUrl, userId, password: password(userId) });
  await phone.until((s) => s.connection === 'connected');
  return phone;
}

const callIn = (s: SoftphoneSnapshot, callId: string) => s.calls.find((c) => c.callId === callId);

describe('Softphone blind transfer', () => {
  it('the transferor’s call ends, the target rings with it; unanswered, it rings us back', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const carol = await signedIn('carol');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await bob.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'active');

    await bob.sp.transfer({ callId, target: 'carol' });
    expect(callIn(bob.last(), callId)).toMatchObject({ state: 'ended', endReason: 'completed' });
    const ringing = await carol.until((s) => callIn(s, callId)?.state === 'ringing');
    expect(callIn(ringing, callId)?.info?.transfer).toMatchObject({ by: 'bob', party: 'alice' });
    expect(callIn(alice.last(), callId)?.state).toBe('active');

    await carol.sp.decline({ callId });
    // Bob's ended call rings again: the ring-back of a transfer nobody took.
    const back = await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    expect(callIn(back, callId)?.endReason).toBeUndefined();
    await bob.sp.accept({ callId, media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'active');
    await alice.until((s) => callIn(s, callId)?.info?.transfer?.state === 'returned');
    await alice.sp.hangup({ callId });
    await bob.until((s) => callIn(s, callId)?.state === 'ended');
  });
});
