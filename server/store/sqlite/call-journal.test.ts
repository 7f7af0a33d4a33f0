import { beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, makeCall, makeRecord } from '../test-support.js';
import type { BatchWriter, WriteBatch } from './batch-writer.js';
import { ALIVE_KEY, CallJournal, OUTBOX_REMOVAL_DELAY_MS } from './call-journal.js';
import { recordOps } from './records.js';

/** Keeps the batches it is given; each commits only when the test says so. */
class ManualWriter implements BatchWriter {
  readonly batches: WriteBatch[] = [];
  private commits: (() => void)[] = [];
  write(batch: WriteBatch): void {
    this.batches.push(batch);
  }
  settled(): Promise<void> {
    return new Promise((resolve) => this.commits.push(resolve));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  /** Commits what was handed over, and lets the journal's promise jobs run. */
  async commit(): Promise<void> {
    const commits = this.commits;
    this.commits = [];
    for (const commit of commits) commit();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let log: ReturnType<typeof captureLogger>;
let writer: ManualWriter;
let journal: CallJournal;

const open = (stored: string[] = []): CallJournal =>
  new CallJournal({ writer, logger: log.logger, storedLiveCalls: stored, recordOps });

const allStatements = (batch: WriteBatch | undefined): string[] =>
  batch?.groups.flatMap((group) => group.ops.map(([name]) => `${group.key}:${name}`)) ?? [];
/** A batch's call writes, without its alive note. */
const statements = (batch: WriteBatch | undefined): string[] =>
  allStatements(batch).filter((s) => !s.startsWith(`${ALIVE_KEY}:`));

beforeEach(() => {
  log = captureLogger();
  writer = new ManualWriter();
  journal = open();
});

describe('CallJournal', () => {
  it('needs no commit while nothing was written: a ticket taken then is released at once', () => {
    const ticket = journal.ticket();
    expect(journal.isCommitted(ticket)).toBe(true);
    let released = false;
    journal.whenCommitted(ticket, () => (released = true));
    expect(released).toBe(true);
  });

  it('commits one turn’s writes as one batch and releases their ticket only after the commit', async () => {
    journal.saveLive(makeCall({ callId: 'call-a' }));
    journal.saveLive(makeCall({ callId: 'call-b' }));
    const ticket = journal.ticket();
    let released = false;
    journal.whenCommitted(ticket, () => (released = true));
    expect(writer.batches).toEqual([]);

    await endOfTurn();
    expect(statements(writer.batches[0])).toEqual([
      'call-a:upsertLiveCall',
      'call-b:upsertLiveCall',
    ]);
    expect(released).toBe(false);
    await writer.commit();
    expect(released).toBe(true);
    expect(journal.isCommitted(ticket)).toBe(true);
  });

  it('keeps one batch in flight: what is written meanwhile goes right after, in one batch', async () => {
    journal.saveLive(makeCall({ callId: 'call-1' }));
    await endOfTurn();
    const first = journal.ticket();
    journal.saveLive(makeCall({ callId: 'call-2' }));
    await endOfTurn();
    journal.saveLive(makeCall({ callId: 'call-3' }));
    await endOfTurn();
    const second = journal.ticket();
    expect(second).toBeGreaterThan(first);
    expect(writer.batches).toHaveLength(1);

    await writer.commit();
    expect(journal.isCommitted(first)).toBe(true);
    expect(journal.isCommitted(second)).toBe(false);
    expect(statements(writer.batches[1])).toEqual([
      'call-2:upsertLiveCall',
      'call-3:upsertLiveCall',
    ]);
    await writer.commit();
    expect(journal.isCommitted(second)).toBe(true);
  });

  it('ends a stored call in one group: its record and the delete of its live row', async () => {
    journal = open(['call-ending']);
    journal.deleteLive('call-ending');
    journal.addRecord(makeRecord({ callId: 'call-ending' }));
    await endOfTurn();
    const groups = writer.batches[0]?.groups ?? [];
    expect(groups.map((group) => group.key)).toEqual(['call-ending']);
    const ops = statements(writer.batches[0]);
    expect(ops[0]).toBe('call-ending:upsertRecord');
    expect(ops.at(-1)).toBe('call-ending:deleteLiveCall');
  });

  it('writes only the record of a call that ends before its live row was ever committed', async () => {
    journal.saveLive(makeCall({ callId: 'call-short' }));
    journal.deleteLive('call-short');
    journal.addRecord(makeRecord({ callId: 'call-short' }));
    await endOfTurn();
    expect(statements(writer.batches[0]).filter((s) => s.includes('LiveCall'))).toEqual([]);
  });

  it('deletes a live row once it has been handed to the writer, even before that commit', async () => {
    journal.saveLive(makeCall({ callId: 'call-x' }));
    await endOfTurn();
    journal.deleteLive('call-x');
    await writer.commit();
    expect(statements(writer.batches[1])).toEqual(['call-x:deleteLiveCall']);
  });

  it('notes that the server is alive while calls are live, and not when none are', async () => {
    journal.touch();
    await endOfTurn();
    expect(writer.batches).toEqual([]);
    journal.saveLive(makeCall({ callId: 'call-live' }));
    await endOfTurn();
    await writer.commit();
    journal.touch();
    await endOfTurn();
    expect(allStatements(writer.batches[1])).toEqual(['alive-at:upsertServerState']);
  });

  it('notes the time with every batch that leaves calls live, so a crash dates them at the last commit', async () => {
    journal.saveLive(makeCall({ callId: 'call-1' }));
    await endOfTurn();
    await writer.commit();
    journal.addRecord(makeRecord({ callId: 'call-other' }));
    await endOfTurn();
    expect(allStatements(writer.batches[0])).toEqual([
      'call-1:upsertLiveCall',
      'alive-at:upsertServerState',
    ]);
    expect(allStatements(writer.batches[1])).toContain('call-other:upsertRecord');
    expect(allStatements(writer.batches[1]).at(-1)).toBe('alive-at:upsertServerState');
    await writer.commit();
    journal.deleteLive('call-1');
    await endOfTurn();
    // The last live call leaves: nothing is left to date.
    expect(allStatements(writer.batches[2])).toEqual(['call-1:deleteLiveCall']);
  });

  it('removes a settled webhook row with the next batch, or alone after OUTBOX_REMOVAL_DELAY_MS', async () => {
    journal.removeWebhook('delivery-1');
    await endOfTurn();
    expect(writer.batches).toHaveLength(0);
    journal.saveLive(makeCall({ callId: 'call-a' }));
    await endOfTurn();
    expect(statements(writer.batches[0])).toEqual([
      'call-a:upsertLiveCall',
      'webhook-outbox:deleteOutbox',
    ]);
    await writer.commit();
    journal.removeWebhook('delivery-2');
    await new Promise((resolve) => setTimeout(resolve, OUTBOX_REMOVAL_DELAY_MS + 50));
    expect(writer.batches.map(statements)).toEqual([
      ['call-a:upsertLiveCall', 'webhook-outbox:deleteOutbox'],
      ['webhook-outbox:deleteOutbox'],
    ]);
  });

  it('settled() resolves once everything written before it is committed', async () => {
    journal.addRecord(makeRecord({ callId: 'call-r' }));
    let settled = false;
    const done = journal.settled().then(() => (settled = true));
    expect(writer.batches).toHaveLength(1);
    await endOfTurn();
    expect(settled).toBe(false);
    await writer.commit();
    await done;
    expect(settled).toBe(true);
  });
});
