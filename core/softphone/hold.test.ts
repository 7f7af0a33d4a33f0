import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, rejected, testPhone } from './testing/softphone-fixture.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ calls: { defaultRingTimeoutMs: 30_000 } });
  for (const id of ['alice', 'bob']) await t.addUser(id);
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

describe('Softphone hold and resume', () => {
  it('holds and resumes an active call; both snapshots say who holds; only they resume', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    // Nothing to hold while it rings.
    await alice.until((s) => callIn(s, callId)?.state === 'ringback');
    expect((await rejected(alice.sp.hold({ callId }))).code).toBe('invalid-state');
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await bob.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'active');

    await alice.sp.hold({ callId });
    // The holder's own snapshot has it at once (the answer), the other's from `call.updated`.
    expect(callIn(alice.last(), callId)?.info?.hold?.by).toBe('alice');
    const onHold = await bob.until((s) => callIn(s, callId)?.info?.hold?.by === 'alice');
    expect(callIn(onHold, callId)?.state).toBe('active');
    expect((await rejected(bob.sp.resume({ callId }))).code).toBe('forbidden');
    expect((await rejected(bob.sp.hold({ callId }))).code).toBe('invalid-state');

    await alice.sp.resume({ callId });
    await bob.until((s) => callIn(s, callId)?.info?.hold === undefined);
    expect(callIn(alice.last(), callId)?.info?.hold).toBeUndefined();
    await bob.sp.hangup({ callId });
    await alice.until((s) => callIn(s, callId)?.state === 'ended');
  });
});
