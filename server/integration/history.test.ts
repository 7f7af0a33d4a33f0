import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../protocol/index.js';
import { callRecordSchema } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, nextMillisecond } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({}, ['alice', 'bob', 'carol']);
});
afterEach(async () => {
  await s.dispose();
});

/** Calls that Alice places and withdraws at once, one per millisecond at least. */
async function canceledCalls(alice: TestClient, callees: string[], count: number, prefix: string) {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const callId = `${prefix}-${i}`;
    await nextMillisecond();
    await alice.request('call.invite', { callId, callees, media: 'audio' });
    await alice.request('call.cancel', { callId });
    ids.push(callId);
  }
  return ids;
}

const recordsOf = (json: unknown): CallRecord[] =>
  (json as { records: unknown[] }).records.map((r) => callRecordSchema.parse(r));

describe('call history', () => {
  it('pages through a user’s records, newest first, with limit and nextBefore', async () => {
    const alice = await s.signIn('alice');
    const ids = await canceledCalls(alice, ['bob'], 5, 'page-call');

    const first = await alice.request('history.list', { limit: 2 });
    expect(first.records.map((r) => r.callId)).toEqual(['page-call-5', 'page-call-4']);
    expect(first.nextBefore).toBe(first.records[1]?.createdAt);

    const second = await alice.request('history.list', { limit: 2, before: first.nextBefore! });
    expect(second.records.map((r) => r.callId)).toEqual(['page-call-3', 'page-call-2']);

    const last = await alice.request('history.list', { limit: 2, before: second.nextBefore! });
    expect(last.records.map((r) => r.callId)).toEqual(['page-call-1']);
    expect(last.nextBefore).toBeUndefined();

    // The callee sees the same calls in their own history.
    const bob = await s.signIn('bob');
    const all = await bob.request('history.list', {});
    expect(all.records.map((r) => r.callId)).toEqual([...ids].reverse());
  });

  it('never skips records that share a creation time at a page edge', async () => {
    const records = s.t.server.services.stores.records;
    const at = Date.now() - 60_000;
    // Five calls: one older, three created in the same millisecond, one newer.
    const times = [at - 1, at, at, at, at + 1];
    times.forEach((createdAt, i) => {
      records.add({
        callId: `tied-call-${i}`,
        callerId: 'alice',
        media: 'audio',
        createdAt,
        endedAt: createdAt + 1,
        endReason: 'canceled',
        durationSec: 0,
        participants: [
          {
            userId: 'alice',
            role: 'caller',
            invitedAt: createdAt,
            outcome: 'caller',
            durationSec: 0,
          },
        ],
      });
    });
    await records.flush();

    const alice = await s.signIn('alice');
    const seen: string[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await alice.request('history.list', { limit: 2, ...(before ? { before } : {}) });
      seen.push(...page.records.map((r) => r.callId));
      if (page.nextBefore === undefined) break;
      before = page.nextBefore;
    }
    expect(seen.sort()).toEqual(times.map((_, i) => `tied-call-${i}`).sort());
  });

  it('lists only the calls the user took part in', async () => {
    const alice = await s.signIn('alice');
    await canceledCalls(alice, ['bob'], 1, 'with-bob');
    await canceledCalls(alice, ['carol'], 1, 'with-carol');
    const bob = await s.signIn('bob');
    const { records } = await bob.request('history.list', {});
    expect(records.map((r) => r.callId)).toEqual(['with-bob-1']);
  });
});

describe('the admin records API', () => {
  it('returns a user’s records with the admin key, and 401 without it', async () => {
    const alice = await s.signIn('alice');
    await canceledCalls(alice, ['bob'], 2, 'admin-rec');
    await canceledCalls(alice, ['carol'], 1, 'admin-carol');

    const forBob = await s.http('GET', '/admin/records?userId=bob');
    expect(forBob.status).toBe(200);
    expect(recordsOf(forBob.json).map((r) => r.callId)).toEqual(['admin-rec-2', 'admin-rec-1']);

    const limited = await s.http('GET', '/admin/records?userId=alice&limit=1');
    expect(recordsOf(limited.json).map((r) => r.callId)).toEqual(['admin-carol-1']);

    const one = await s.http('GET', '/admin/records/admin-rec-1');
    expect(one.status).toBe(200);
    expect(callRecordSchema.parse(one.json)).toMatchObject({
      callId: 'admin-rec-1',
      callerId: 'alice',
      endReason: 'canceled',
    });
    expect((await s.http('GET', '/admin/records/unknown-call')).status).toBe(404);

    const anonymous = await s.http('GET', '/admin/records?userId=bob', { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error: { code: 'unauthorized' } });
    const wrongKey = await s.http('GET', '/admin/records?userId=bob', {
      key: 'not-the-admin-key-not-the-admin-k',
    });
    expect(wrongKey.status).toBe(401);
  });
});
