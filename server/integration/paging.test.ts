import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../protocol/index.js';
import { adminRecordListSchema, adminUserListSchema } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, rejection } from './support.js';

/**
 * Admin paging through the real HTTP server on a real SQLite file: `nextCursor` visits every
 * item exactly once, however many share a creation time (issue 15: paging by `before` lost
 * 11–14 of 30 records created in one burst).
 */
const CALLERS = 20;
const BURSTS = 25;

let s: Scenario;
const callerIds = Array.from({ length: CALLERS }, (_, i) => `caller${String(i).padStart(2, '0')}`);
const calleeIds = callerIds.map((id) => id.replace('caller', 'callee'));

beforeEach(async () => {
  s = await Scenario.start({}, [...callerIds, ...calleeIds]);
});
afterEach(async () => {
  await s.dispose();
});

/** Every caller places a call at once and withdraws it: `BURSTS` times, 500 calls in all. */
async function callsInBursts(callers: readonly TestClient[]): Promise<string[]> {
  const ids: string[] = [];
  for (let burst = 0; burst < BURSTS; burst++) {
    const calls = callers.map((caller, i) => ({
      caller,
      callId: `burst-${String(burst).padStart(2, '0')}-${String(i).padStart(2, '0')}`,
      callee: calleeIds[i] ?? 'callee00',
    }));
    await Promise.all(
      calls.map(({ caller, callId, callee }) =>
        caller.request('call.invite', { callId, callees: [callee], media: 'audio' }),
      ),
    );
    await Promise.all(calls.map(({ caller, callId }) => caller.request('call.cancel', { callId })));
    ids.push(...calls.map((c) => c.callId));
  }
  return ids;
}

function tiedRecord(callId: string, createdAt: number): CallRecord {
  return {
    callId,
    callerId: 'caller00',
    media: 'audio',
    createdAt,
    endedAt: createdAt + 1,
    endReason: 'canceled',
    durationSec: 0,
    participants: [
      {
        userId: 'caller00',
        role: 'caller',
        invitedAt: createdAt,
        outcome: 'caller',
        durationSec: 0,
      },
    ],
  };
}

async function pageAll<T>(
  path: (cursor: string | undefined) => string,
  parse: (json: unknown) => { items: T[]; nextCursor?: string },
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages < 1000; pages++) {
    const answer = await s.http('GET', path(cursor));
    expect(answer.status).toBe(200);
    const page = parse(answer.json);
    items.push(...page.items);
    if (page.nextCursor === undefined) return { items, pages };
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

describe('admin paging with nextCursor', () => {
  it('pages /admin/records through 500 calls made in bursts: each exactly once, newest first', async () => {
    const callers = await Promise.all(callerIds.map((id) => s.signIn(id, `${id}-desk`)));
    const made = await callsInBursts(callers);
    await s.t.server.services.stores.records.flush();

    const { items: records, pages } = await pageAll(
      (cursor) => `/admin/records?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      (json) => {
        const page = adminRecordListSchema.parse(json);
        expect(page.records.length).toBeLessThanOrEqual(7);
        return { items: page.records, nextCursor: page.nextCursor };
      },
    );
    expect(pages).toBe(Math.ceil(500 / 7));
    const ids = records.map((r) => r.callId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...made].sort());
    // The bursts did share milliseconds: the case `before` paging lost records in.
    const times = records.map((r) => r.createdAt);
    expect(new Set(times).size).toBeLessThan(times.length);
    // Newest first, ties by call id descending: the order the cursor encodes.
    const ordered = [...records].sort(
      (a, b) => b.createdAt - a.createdAt || (a.callId < b.callId ? 1 : -1),
    );
    expect(ids).toEqual(ordered.map((r) => r.callId));

    // A cursor pages within a time range as well; a cursor the server did not make is refused.
    const middle = records[250];
    if (!middle) throw new Error('no middle record');
    const ranged = await pageAll(
      (cursor) =>
        `/admin/records?limit=9&before=${middle.createdAt}${cursor ? `&cursor=${cursor}` : ''}`,
      (json) => {
        const page = adminRecordListSchema.parse(json);
        return { items: page.records, nextCursor: page.nextCursor };
      },
    );
    expect(ranged.items.map((r) => r.callId)).toEqual(
      records.filter((r) => r.createdAt < middle.createdAt).map((r) => r.callId),
    );
    const forged = await s.http('GET', '/admin/records?cursor=bm90LWEtY3Vyc29y');
    expect(forged).toMatchObject({ status: 400, json: { error: { code: 'bad-request' } } });
    const userCursor = Buffer.from(JSON.stringify(['u1', 'alice'])).toString('base64url');
    expect((await s.http('GET', `/admin/records?cursor=${userCursor}`)).status).toBe(400);
  });

  it('pages a user’s history by cursor: records sharing a millisecond, each exactly once', async () => {
    const records = s.t.server.services.stores.records;
    const at = Date.now() - 60_000;
    const made: string[] = [];
    // Ten bursts of 1 to 10 records in one millisecond each.
    for (let burst = 0; burst < 10; burst++) {
      for (let n = 0; n <= burst; n++) {
        const callId = `tied-${String(burst)}-${String(n)}`;
        records.add(tiedRecord(callId, at + burst));
        made.push(callId);
      }
    }
    await records.flush();
    const caller = await s.signIn('caller00', 'caller00-desk');
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await caller.request('history.list', { limit: 4, ...(cursor && { cursor }) });
      // A page asked for by cursor holds at most `limit`; the first one (no cursor, the
      // creation-time paging of older clients) ends after all ties of its last millisecond.
      if (cursor !== undefined) expect(page.records.length).toBeLessThanOrEqual(4);
      seen.push(...page.records.map((r) => r.callId));
      if (page.nextCursor === undefined) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(made.length);
    expect([...seen].sort()).toEqual([...made].sort());
    // A legacy `before` page hands out a cursor too, and switching to it loses nothing.
    const legacy = await caller.request('history.list', { limit: 4 });
    expect(legacy.nextBefore).toBeDefined();
    const next = await caller.request('history.list', { limit: 100, cursor: legacy.nextCursor! });
    expect([...legacy.records, ...next.records].map((r) => r.callId)).toEqual(seen);
    await rejection(caller.request('history.list', { cursor: 'bm90LWEtY3Vyc29y' }), 'bad-request');
  });

  it('pages /admin/users by cursor: each user exactly once, and `after` still works', async () => {
    // 60 more accounts created in bursts, many in one millisecond.
    const users = s.t.server.services.stores.users;
    for (let burst = 0; burst < 3; burst++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          users.create({ userId: `burst${burst}-user${i}`, displayName: `User ${burst}.${i}` }),
        ),
      );
    }
    const { items } = await pageAll(
      (cursor) => `/admin/users?limit=6${cursor ? `&cursor=${cursor}` : ''}`,
      (json) => {
        const page = adminUserListSchema.parse(json);
        return { items: page.users, nextCursor: page.nextCursor };
      },
    );
    const ids = items.map((u) => u.userId);
    expect(ids).toHaveLength(CALLERS * 2 + 60);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());

    const after = adminUserListSchema.parse(
      (await s.http('GET', `/admin/users?after=${ids[9] ?? ''}&limit=2`)).json,
    );
    expect(after.users.map((u) => u.userId)).toEqual(ids.slice(10, 12));
    const recordCursor = Buffer.from(JSON.stringify(['r1', 1, 'call-0001'])).toString('base64url');
    expect((await s.http('GET', `/admin/users?cursor=${recordCursor}`)).status).toBe(400);
  });
});
