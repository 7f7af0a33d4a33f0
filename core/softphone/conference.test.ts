import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, rejected, testPhone } from './testing/softphone-fixture.js';

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

const stateIn = (s: SoftphoneSnapshot, callId: string) =>
  s.calls.find((c) => c.callId === callId)?.state;

describe('Softphone conference control', () => {
  it('adds a participant, mutes and removes as moderator; others are refused', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const carol = await signedIn('carol');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => stateIn(s, callId) === 'ringing');
    await bob.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => stateIn(s, callId) === 'active');

    await alice.sp.addParticipants({ callId, userIds: ['carol'] });
    await carol.until((s) => stateIn(s, callId) === 'ringing');
    await carol.sp.accept({ callId, media: 'audio' });
    await carol.until((s) => stateIn(s, callId) === 'active');

    await alice.sp.control({ callId, action: 'mute', target: 'bob', kind: 'audio' });
    await bob.until(
      (s) =>
        s.calls.find((c) => c.callId === callId)?.info?.legs.find((l) => l.userId === 'bob')?.muted
          .audio === true,
    );
    const refused = await rejected(bob.sp.control({ callId, action: 'remove', target: 'carol' }));
    expect(refused.code).toBe('forbidden');

    await alice.sp.control({ callId, action: 'remove', target: 'carol' });
    const removed = await carol.until((s) => stateIn(s, callId) === 'ended');
    expect(removed.calls.find((c) => c.callId === callId)?.endReason).toBe('removed');
    expect(stateIn(bob.last(), callId)).toBe('active');

    await alice.sp.control({ callId, action: 'end' });
    await bob.until((s) => stateIn(s, callId) === 'ended');
  });
});
