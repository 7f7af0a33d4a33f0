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

describe('Softphone hold and accept (call waiting)', () => {
  it('bob, talking to alice, holds her and accepts carol; then ends carol and resumes alice', async () => {
    await t.addUser('carol');
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const carol = await signedIn('carol');
    await bob.sp.updateSettings({ callWaiting: true });
    const first = (await alice.sp.call({ callees: ['bob'], media: 'audio' })).callId;
    await bob.until((s) => callIn(s, first)?.state === 'ringing');
    await bob.sp.accept({ callId: first, media: 'audio' });
    await alice.until((s) => callIn(s, first)?.state === 'active');

    const second = (await carol.sp.call({ callees: ['bob'], media: 'audio' })).callId;
    await bob.until((s) => callIn(s, second)?.state === 'ringing');
    await bob.sp.accept({ callId: second, media: 'audio', current: 'hold' });
    // The first call is not ended: it waits on hold, alice sees who holds it.
    const both = await bob.until((s) => callIn(s, second)?.state === 'active');
    expect(callIn(both, first)).toMatchObject({ state: 'active', info: { hold: { by: 'bob' } } });
    await alice.until((s) => callIn(s, first)?.info?.hold?.by === 'bob');
    await carol.until((s) => callIn(s, second)?.state === 'active');

    await bob.sp.hangup({ callId: second });
    await bob.sp.resume({ callId: first });
    await alice.until((s) => callIn(s, first)?.info?.hold === undefined);
    expect(callIn(alice.last(), first)?.state).toBe('active');
    // The held call's media comes back to it: bob gets a ticket for it again.
    expect((await bob.sp.mediaTicket({ callId: first })).ticket.length).toBeGreaterThan(0);
    await alice.sp.hangup({ callId: first });
    await bob.until((s) => callIn(s, first)?.state === 'ended');
  });
});
