import { afterEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, rejected, testPhone } from './testing/softphone-fixture.js';

/**
 * One device at a time in a call (issue 14): a second device of the user that signs in during a
 * call shows it `elsewhere` (no media), and "Switch here" moves it: `active` here, `elsewhere`
 * on the device it was on.
 */

let t: TestServer;
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

async function signedIn(userId: string, deviceId: string) {
  const phone = testPhone({ deviceId });
  await phone.sp.signIn({ serverUrl: t.server.httpUrl, userId, password: password(userId) });
  await phone.until((s) => s.connection === 'connected');
  return phone;
}

const callIn = (s: SoftphoneSnapshot, callId: string) => s.calls.find((c) => c.callId === callId);

describe('a call on another device of ours', () => {
  it('shows elsewhere without media, and switching here moves it', async () => {
    t = await startTestServer({ calls: { defaultRingTimeoutMs: 30_000 } });
    for (const id of ['alice', 'bob']) await t.addUser(id);
    const alice = await signedIn('alice', 'alice-desk');
    const desk = await signedIn('bob', 'bob-desk');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await desk.until((s) => callIn(s, callId)?.state === 'ringing');
    await desk.sp.accept({ callId, media: 'audio' });
    await desk.until((s) => callIn(s, callId)?.state === 'active');

    const laptop = await signedIn('bob', 'bob-laptop');
    await laptop.until((s) => callIn(s, callId)?.state === 'elsewhere');
    // Never active here before asking: nothing would have joined media.
    expect(laptop.snapshots.some((s) => callIn(s, callId)?.state === 'active')).toBe(false);
    expect((await rejected(laptop.sp.mediaTicket({ callId }))).code).toBe('forbidden');

    expect(await laptop.sp.switchHere({ callId })).toBeNull();
    await laptop.until((s) => callIn(s, callId)?.state === 'active');
    await desk.until((s) => callIn(s, callId)?.state === 'elsewhere');
    expect((await laptop.sp.mediaTicket({ callId })).ticket.length).toBeGreaterThan(0);
    expect((await rejected(desk.sp.mediaTicket({ callId }))).code).toBe('forbidden');
    // A repeat is harmless; the desk can switch it back.
    expect(await laptop.sp.switchHere({ callId })).toBeNull();
    expect(await desk.sp.switchHere({ callId })).toBeNull();
    await desk.until((s) => callIn(s, callId)?.state === 'active');
    await laptop.until((s) => callIn(s, callId)?.state === 'elsewhere');

    // The device not in the call hears of its end.
    await alice.sp.hangup({ callId });
    await laptop.until((s) => callIn(s, callId)?.state === 'ended');
    await desk.until((s) => callIn(s, callId)?.state === 'ended');
  });

  it('a device that rang while another of ours answered shows the call elsewhere, and can switch here', async () => {
    t = await startTestServer({ calls: { defaultRingTimeoutMs: 30_000 } });
    for (const id of ['alice', 'bob']) await t.addUser(id);
    const alice = await signedIn('alice', 'alice-desk');
    const desk = await signedIn('bob', 'bob-desk');
    const laptop = await signedIn('bob', 'bob-laptop');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await laptop.until((s) => callIn(s, callId)?.state === 'ringing');
    await desk.until((s) => callIn(s, callId)?.state === 'ringing');
    await desk.sp.accept({ callId, media: 'audio' });
    await laptop.until((s) => callIn(s, callId)?.state === 'elsewhere');
    // It stopped ringing and never ended or joined here.
    const states = laptop.snapshots.map((s) => callIn(s, callId)?.state);
    expect(states).not.toContain('ended');
    expect(states).not.toContain('active');
    expect(await laptop.sp.switchHere({ callId })).toBeNull();
    await laptop.until((s) => callIn(s, callId)?.state === 'active');
    await desk.until((s) => callIn(s, callId)?.state === 'elsewhere');
    expect(alice.snapshots.some((s) => callIn(s, callId)?.state === 'ended')).toBe(false);
    // Bob hangs up where the call is now: it ends for everyone, the desk included.
    await laptop.sp.hangup({ callId });
    await alice.until((s) => callIn(s, callId)?.state === 'ended');
    await desk.until((s) => callIn(s, callId)?.state === 'ended');
  });

  it('signing out on the device not in the call leaves the call going', async () => {
    t = await startTestServer({ calls: { defaultRingTimeoutMs: 30_000 } });
    for (const id of ['alice', 'bob']) await t.addUser(id);
    const alice = await signedIn('alice', 'alice-desk');
    const desk = await signedIn('bob', 'bob-desk');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await desk.until((s) => callIn(s, callId)?.state === 'ringing');
    await desk.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'active');
    const laptop = await signedIn('bob', 'bob-laptop');
    await laptop.until((s) => callIn(s, callId)?.state === 'elsewhere');
    await laptop.sp.signOut({});
    // Its sign-out would have hung up before resolving: the server still has the call going.
    expect(t.server.services.calls.get(callId)?.state).toBe('active');
    await desk.sp.hangup({ callId });
    await alice.until((s) => callIn(s, callId)?.state === 'ended');
  });

  it('refuses to switch a call that is not elsewhere', async () => {
    t = await startTestServer({ calls: { defaultRingTimeoutMs: 30_000 } });
    for (const id of ['alice', 'bob']) await t.addUser(id);
    const alice = await signedIn('alice', 'alice-desk');
    await signedIn('bob', 'bob-desk');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'ringback');
    expect((await rejected(alice.sp.switchHere({ callId }))).code).toBe('invalid-state');
  });
});
