import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, rejected, testPhone } from './testing/softphone-fixture.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ calls: { defaultRingTimeoutMs: 30_000 } });
  await t.addUser('alice', 'Alice Liddell');
  await t.addUser('alan', 'Alan Turing');
  await t.addUser('bob', 'Bob');
  await t.addUser('mallory', 'Mallory');
  await t.server.services.stores.users.setDisabled('mallory', true);
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

describe('Softphone directory', () => {
  it('searches enabled users by id and name', async () => {
    const bob = await signedIn('bob');
    expect(await bob.sp.searchDirectory({ query: 'al', limit: 10 })).toEqual([
      { userId: 'alan', displayName: 'Alan Turing' },
      { userId: 'alice', displayName: 'Alice Liddell' },
    ]);
    expect(await bob.sp.searchDirectory({ query: 'TURING', limit: 10 })).toEqual([
      { userId: 'alan', displayName: 'Alan Turing' },
    ]);
    expect(await bob.sp.searchDirectory({ query: 'mallory', limit: 10 })).toEqual([]);
    expect(await bob.sp.searchDirectory({ query: '', limit: 1 })).toHaveLength(1);
  });
});

describe('Softphone history', () => {
  it('lists all calls, or only the missed ones, paging until a page is full', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const ring = async () => {
      const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
      await bob.until((s) => s.calls.some((c) => c.callId === callId && c.state === 'ringing'));
      return callId;
    };
    // Oldest first: missed (canceled), declined, answered, missed, and one bob placed himself.
    const missed1 = await ring();
    await alice.sp.cancel({ callId: missed1 });
    const declined = await ring();
    await bob.sp.decline({ callId: declined });
    const answered = await ring();
    await bob.sp.accept({ callId: answered, media: 'audio' });
    await alice.until((s) => s.calls.some((c) => c.callId === answered && c.state === 'active'));
    await alice.sp.hangup({ callId: answered });
    const missed2 = await ring();
    await alice.sp.cancel({ callId: missed2 });
    const outgoing = await bob.sp.call({ callees: ['alice'], media: 'audio' });
    await bob.sp.cancel(outgoing);

    const all = [outgoing.callId, missed2, answered, declined, missed1];
    const wait = async () => {
      const start = Date.now();
      while ((await bob.sp.history({})).records.length < all.length) {
        if (Date.now() - start > 10_000) throw new Error('records not written');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await wait();
    expect((await bob.sp.history({})).records.map((r) => r.callId)).toEqual(all);

    const missed = await bob.sp.history({ missedOnly: true });
    expect(missed.records.map((r) => r.callId)).toEqual([missed2, missed1]);
    expect(missed.nextBefore).toBeUndefined();

    // One at a time: the cursor leads from the first missed call to the second.
    const first = await bob.sp.history({ missedOnly: true, limit: 1 });
    expect(first.records.map((r) => r.callId)).toEqual([missed2]);
    expect(first.nextBefore).toBeDefined();
    const second = await bob.sp.history({ missedOnly: true, limit: 1, before: first.nextBefore! });
    expect(second.records.map((r) => r.callId)).toEqual([missed1]);
    // The server ran out: no cursor, so the UI does not ask for an empty page.
    expect(second.nextBefore).toBeUndefined();

    // For alice, only the call bob placed and withdrew was missed; her own calls never are.
    const aliceMissed = await alice.sp.history({ missedOnly: true });
    expect(aliceMissed.records.map((r) => r.callId)).toEqual([outgoing.callId]);
    expect((await rejected(alice.sp.history({ limit: 0 }))).code).toBe('invalid-argument');
  });
});
