import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecord, ParticipantRecord } from '../../../protocol/index.js';
import { captureLogger, makeRecord, makeTempDir } from '../test-support.js';
import type { BatchWriter } from './batch-writer.js';
import { CALL_WRITE_SQL, openCallsDatabase } from './calls-database.js';
import type { SqliteDatabase } from './database.js';
import type { CallJournal } from './call-journal.js';
import { openCallJournal } from './index.js';
import { SqliteRecordStore, USER_HISTORY_SQL } from './records.js';
import { ThreadBatchWriter } from './writer-thread.js';

let temp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let log: ReturnType<typeof captureLogger>;
let records: SqliteRecordStore;
let writer: BatchWriter | undefined;
let journal: CallJournal;

const T0 = 1_700_000_000_000;
const ids = (list: readonly CallRecord[]): string[] => list.map((record) => record.callId);

/** alice calls bob, bob calls carol and alice, carol calls dan: one minute apart. */
function addHistory(): void {
  records.add(makeRecord({ callId: 'call-0001', createdAt: T0, callerId: 'alice' }));
  records.add(
    makeRecord({
      callId: 'call-0002',
      createdAt: T0 + 60_000,
      callerId: 'bob',
      participants: [
        { userId: 'carol', role: 'callee', invitedAt: T0, outcome: 'refused', durationSec: 0 },
        { userId: 'alice', role: 'callee', invitedAt: T0, outcome: 'timeout', durationSec: 0 },
      ],
    }),
  );
  records.add(
    makeRecord({
      callId: 'call-0003',
      createdAt: T0 + 120_000,
      callerId: 'carol',
      participants: [
        { userId: 'dan', role: 'callee', invitedAt: T0, outcome: 'answered', durationSec: 5 },
      ],
    }),
  );
}

/** The store over the calls file, writing in-line or through a writer thread. */
function openStore(threaded: boolean): void {
  db = openCallsDatabase(temp.file);
  writer = threaded
    ? new ThreadBatchWriter(temp.file, CALL_WRITE_SQL, log.logger, () =>
        openCallsDatabase(temp.file),
      )
    : undefined;
  journal = openCallJournal(db, log.logger, writer);
  records = new SqliteRecordStore(db, log.logger, journal);
}

async function closeStore(): Promise<void> {
  await journal.close();
  await writer?.close();
  db.close();
}

describe.each([
  ['in-line', false],
  ['through the writer thread', true],
])('call records written %s', (_name, threaded) => {
  beforeEach(() => {
    temp = makeTempDir();
    log = captureLogger();
    openStore(threaded);
  });
  afterEach(async () => {
    await closeStore();
    temp.remove();
  });

  it('gets a record by call id', async () => {
    const record = makeRecord({ callId: 'call-0001' });
    records.add(record);
    expect(await records.get('call-0001')).toEqual(record);
    expect(await records.get('call-none')).toBeUndefined();
  });

  it('finds a user’s records as caller and as participant, newest first', async () => {
    addHistory();
    expect(ids(await records.query({ userId: 'alice' }))).toEqual(['call-0002', 'call-0001']);
    expect(ids(await records.query({ userId: 'bob' }))).toEqual(['call-0002', 'call-0001']);
    expect(ids(await records.query({ userId: 'carol' }))).toEqual(['call-0003', 'call-0002']);
    expect(ids(await records.query({ userId: 'dan' }))).toEqual(['call-0003']);
    expect(await records.query({ userId: 'nobody' })).toEqual([]);
  });

  it('pages with a before cursor and a limit', async () => {
    for (let i = 0; i < 7; i += 1) {
      records.add(makeRecord({ callId: `call-page-${String(i)}`, createdAt: T0 + i * 1000 }));
    }
    const pages: string[][] = [];
    let before: number | undefined;
    for (;;) {
      const page = await records.query({ userId: 'bob', before, limit: 3 });
      if (page.length === 0) break;
      pages.push(ids(page));
      before = page.at(-1)?.createdAt;
    }
    expect(pages).toEqual([
      ['call-page-6', 'call-page-5', 'call-page-4'],
      ['call-page-3', 'call-page-2', 'call-page-1'],
      ['call-page-0'],
    ]);
  });

  it('pages below a (createdAt, callId) key: records sharing a millisecond are each read once', async () => {
    // Three bursts of five records each in one millisecond, added out of id order.
    for (const burst of [0, 1, 2]) {
      for (const n of [3, 0, 4, 1, 2]) {
        const callId = `call-b${String(burst)}-${String(n)}`;
        records.add(makeRecord({ callId, createdAt: T0 + burst }));
      }
    }
    const seen: string[] = [];
    let olderThan: { createdAt: number; callId: string } | undefined;
    for (;;) {
      const page = await records.query({
        userId: 'bob',
        limit: 4,
        ...(olderThan && { olderThan }),
      });
      const last = page.at(-1);
      if (!last) break;
      seen.push(...ids(page));
      olderThan = { createdAt: last.createdAt, callId: last.callId };
    }
    const expected = [2, 1, 0].flatMap((b) => [4, 3, 2, 1, 0].map((n) => `call-b${b}-${n}`));
    expect(seen).toEqual(expected);
    // With `before` as well, the lower bound wins.
    const both = await records.query({
      before: T0 + 1,
      olderThan: { createdAt: T0 + 2, callId: 'call-b2-2' },
    });
    expect(ids(both)).toEqual(expected.slice(10));
  });

  it('lists every record in a time range for admins: from inclusive, before exclusive', async () => {
    addHistory();
    expect(ids(await records.query({}))).toEqual(['call-0003', 'call-0002', 'call-0001']);
    expect(ids(await records.query({ from: T0 + 60_000, before: T0 + 120_000 }))).toEqual([
      'call-0002',
    ]);
    expect(ids(await records.query({ from: T0 + 1 }))).toEqual(['call-0003', 'call-0002']);
    expect(ids(await records.query({ limit: 1 }))).toEqual(['call-0003']);
    expect(await records.query({ limit: 0 })).toEqual([]);
  });

  it('replaces a record added again for the same call, participants included', async () => {
    records.add(makeRecord({ callId: 'call-0001' }));
    await records.flush();
    const dan: ParticipantRecord = {
      userId: 'dan',
      role: 'callee',
      invitedAt: T0,
      outcome: 'busy',
      durationSec: 0,
    };
    records.add(
      makeRecord({ callId: 'call-0001', callerId: 'carol', durationSec: 7, participants: [dan] }),
    );
    expect(await records.get('call-0001')).toMatchObject({ callerId: 'carol', durationSec: 7 });
    expect(ids(await records.query({ userId: 'carol' }))).toEqual(['call-0001']);
    expect(ids(await records.query({ userId: 'dan' }))).toEqual(['call-0001']);
    // alice and bob were only in the replaced version.
    expect(await records.query({ userId: 'alice' })).toEqual([]);
    expect(await records.query({ userId: 'bob' })).toEqual([]);
  });

  it('reads see records that are not flushed yet', async () => {
    records.add(makeRecord({ callId: 'call-unflushed' }));
    const stored = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM call_records');
    expect(stored.get()?.n).toBe(0);
    expect(ids(await records.query({ userId: 'alice' }))).toEqual(['call-unflushed']);
    expect(stored.get()?.n).toBe(1);
  });

  it('keeps every record of many adds across a reopen', async () => {
    const count = 5000;
    for (let i = 0; i < count; i += 1) {
      records.add(makeRecord({ callId: `call-bulk-${String(i)}`, createdAt: T0 + i }));
    }
    await records.flush();
    await closeStore();

    openStore(threaded);
    const all = await records.query({ limit: 1000 });
    expect(all).toHaveLength(1000);
    expect(all[0]?.callId).toBe(`call-bulk-${String(count - 1)}`);
    const total = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM call_records').get();
    expect(total?.n).toBe(count);
  });

  it('skips and logs a corrupt record instead of failing the query', async () => {
    records.add(makeRecord({ callId: 'call-good', createdAt: T0 }));
    records.add(makeRecord({ callId: 'call-bad', createdAt: T0 + 1 }));
    await records.flush();
    db.prepare(
      "UPDATE call_records SET record = '{\"callId\":1}' WHERE call_id = 'call-bad'",
    ).run();

    expect(ids(await records.query({ userId: 'alice' }))).toEqual(['call-good']);
    expect(await records.get('call-bad')).toBeUndefined();
    const skipped = log.lines.filter((line) => line.msg === 'corrupt call record skipped');
    expect(skipped.map((line) => line.callId)).toEqual(['call-bad', 'call-bad']);
  });

  it('finds a user’s records through the participants index', () => {
    const plan = db
      .prepare<[string, number, number, string, number], { detail: string }>(
        `EXPLAIN QUERY PLAN ${USER_HISTORY_SQL}`,
      )
      .all('alice', 0, 1, 'call-0001', 10)
      .map((row) => row.detail)
      .join('\n');
    expect(plan).toContain('call_participants_by_user');
    expect(plan).not.toContain('TEMP B-TREE');
  });
});
