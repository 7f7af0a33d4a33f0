import { afterEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, rejected, testPhone } from './testing/softphone-fixture.js';

let t: TestServer;
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

describe('Softphone call waiting: accepting ends the current call (end and answer)', () => {
  it('bob, talking to alice, accepts carol: alice sees completed, carol becomes active, media follows', async () => {
    t = await startTestServer({ calls: { defaultRingTimeoutMs: 30_000 } });
    for (const id of ['alice', 'bob', 'carol']) await t.addUser(id);
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const carol = await signedIn('carol');
    await bob.sp.updateSettings({ callWaiting: true });

    const first = (await alice.sp.call({ callees: ['bob'], media: 'audio' })).callId;
    await bob.until((s) => callIn(s, first)?.state === 'ringing');
    await bob.sp.accept({ callId: first, media: 'audio' });
    await alice.until((s) => callIn(s, first)?.state === 'active');
    expect((await bob.sp.mediaTicket({ callId: first })).ticket.length).toBeGreaterThan(0);

    const second = (await carol.sp.call({ callees: ['bob'], media: 'video' })).callId;
    const ringing = await bob.until((s) => callIn(s, second)?.state === 'ringing');
    expect(callIn(ringing, second)?.waiting).toBe(true);
    expect(callIn(ringing, first)?.state).toBe('active');

    expect(await bob.sp.accept({ callId: second, media: 'audio' })).toBeNull();
    // The old call is over for everyone, as a normal hang-up; the new one is the call now.
    const aliceEnd = await alice.until((s) => callIn(s, first)?.state === 'ended');
    expect(callIn(aliceEnd, first)?.endReason).toBe('completed');
    const now = await bob.until(
      (s) => callIn(s, first)?.state === 'ended' && callIn(s, second)?.state === 'active',
    );
    expect(callIn(now, first)?.endReason).toBe('completed');
    expect(callIn(now, second)?.localMedia).toBe('audio');
    await carol.until((s) => callIn(s, second)?.state === 'active');
    // The old call was ended before the new one was answered: never two live calls at once.
    for (const s of bob.snapshots) {
      expect(s.calls.filter((c) => c.state === 'active').length).toBeLessThanOrEqual(1);
    }
    // Media follows: the new call gets a media ticket, the ended one does not any more.
    expect((await bob.sp.mediaTicket({ callId: second })).ticket.length).toBeGreaterThan(0);
    expect((await rejected(bob.sp.mediaTicket({ callId: first }))).code).toBe('forbidden');
  });
});
