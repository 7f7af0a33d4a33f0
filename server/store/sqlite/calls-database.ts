import path from 'node:path';
import { type Migration, type SqliteDatabase, openConnection } from './connection.js';

/**
 * Call data (live calls, call records) lives in a file of its own, beside the accounts file.
 * Its writes come from a writer thread (writer-thread.ts); in the accounts file they would change
 * that file's `data_version` fifty times a second, which is how the user cache notices the admin
 * CLI's writes (user-cache.ts), and would contend for its write lock.
 */
export function callsFileFor(accountsFile: string): string {
  if (accountsFile === ':memory:' || accountsFile === '') return ':memory:';
  const { dir, name } = path.parse(accountsFile);
  return path.join(dir, `${name}-calls.sqlite`);
}

/** The schema of the calls file, in order. Never edit a migration that has shipped. */
export const CALLS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'live calls, call records and their participants',
    up: (db) => {
      db.exec(`
        CREATE TABLE live_calls (
          call_id TEXT PRIMARY KEY,
          snapshot TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );

        CREATE TABLE call_records (
          call_id TEXT PRIMARY KEY,
          caller_id TEXT NOT NULL,
          media TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          answered_at INTEGER,
          ended_at INTEGER NOT NULL,
          end_reason TEXT NOT NULL,
          duration_sec REAL NOT NULL,
          record TEXT NOT NULL,
          queue_name TEXT,
          agent_id TEXT,
          wait_sec REAL
        );
        -- Admin listing by time range, newest first, ties broken by call id.
        CREATE INDEX call_records_by_time ON call_records (created_at, call_id);
        CREATE INDEX call_records_by_queue ON call_records (queue_name, created_at)
          WHERE queue_name IS NOT NULL;

        -- One row per user in a call, the caller included, so that a user's history is one index
        -- range scan (created_at is copied here for that). Written only together with its record
        -- (same transaction), so no foreign key: its check was a third of a record's write cost.
        CREATE TABLE call_participants (
          call_id TEXT NOT NULL,
          user_id TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (call_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX call_participants_by_user
          ON call_participants (user_id, created_at DESC, call_id DESC);
      `);
    },
  },
  {
    version: 2,
    description: 'server state: when the server was last known alive',
    up: (db) => {
      db.exec(`
        -- 'alive-at': written every 250 ms while calls are live, so that calls cut by a
        -- crash are dated at (about) the crash, not at the restart.
        CREATE TABLE server_state (
          key TEXT PRIMARY KEY,
          value INTEGER NOT NULL
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    description: 'webhook outbox: deliveries not yet settled, kept across a crash',
    up: (db) => {
      db.exec(`
        -- Written in the same transaction as the call step it tells of (a record, a pushed
        -- invitation), deleted once delivered or given up: what is left is sent after a restart.
        CREATE TABLE webhook_outbox (
          delivery_id TEXT PRIMARY KEY,
          call_id TEXT NOT NULL,
          entry TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE INDEX webhook_outbox_by_time ON webhook_outbox (created_at);
      `);
    },
  },
];

/** Opens (creating if needed) a calls file, or ':memory:', and brings its schema up to date. */
export function openCallsDatabase(file: string): SqliteDatabase {
  return openConnection(file, { migrations: CALLS_MIGRATIONS });
}

/** The statements call data is written with; the writer thread prepares them by name. */
export const CALL_WRITE_SQL = {
  upsertRecord: `INSERT INTO call_records (call_id, caller_id, media, created_at, answered_at,
      ended_at, end_reason, duration_sec, record, queue_name, agent_id, wait_sec)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (call_id) DO UPDATE SET caller_id = excluded.caller_id,
      media = excluded.media, created_at = excluded.created_at,
      answered_at = excluded.answered_at, ended_at = excluded.ended_at,
      end_reason = excluded.end_reason, duration_sec = excluded.duration_sec,
      record = excluded.record, queue_name = excluded.queue_name,
      agent_id = excluded.agent_id, wait_sec = excluded.wait_sec`,
  deleteParticipants: 'DELETE FROM call_participants WHERE call_id = ?',
  insertParticipant:
    'INSERT OR IGNORE INTO call_participants (call_id, user_id, created_at) VALUES (?, ?, ?)',
  upsertLiveCall: `INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (call_id) DO UPDATE SET snapshot = excluded.snapshot,
      updated_at = excluded.updated_at`,
  deleteLiveCall: 'DELETE FROM live_calls WHERE call_id = ?',
  upsertServerState: `INSERT INTO server_state (key, value) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  insertOutbox: `INSERT OR IGNORE INTO webhook_outbox (delivery_id, call_id, entry, created_at)
    VALUES (?, ?, ?, ?)`,
  deleteOutbox: 'DELETE FROM webhook_outbox WHERE delivery_id = ?',
} as const satisfies Record<string, string>;

export type CallWriteStatement = keyof typeof CALL_WRITE_SQL;

/**
 * Copies call data an earlier version kept in the accounts file (accounts-file migration 3) into
 * the calls file, committed there: INSERT OR IGNORE, so a copy interrupted by a crash is simply
 * done again. The migration drops the old tables afterwards, in its own transaction.
 */
export function copyCallDataFrom(accounts: SqliteDatabase): void {
  const calls = openCallsDatabase(callsFileFor(accounts.name));
  try {
    copyCallData(accounts, calls);
  } finally {
    calls.close();
  }
}

function copyCallData(from: SqliteDatabase, to: SqliteDatabase): void {
  const copies: [table: string, columns: string][] = [
    ['live_calls', 'call_id, snapshot, updated_at'],
    [
      'call_records',
      'call_id, caller_id, media, created_at, answered_at, ended_at, end_reason, duration_sec, ' +
        'record, queue_name, agent_id, wait_sec',
    ],
    ['call_participants', 'call_id, user_id, created_at'],
  ];
  const copy = to.transaction(() => {
    for (const [table, columns] of copies) {
      const placeholders = columns.split(',').map(() => '?');
      const insert = to.prepare(
        `INSERT OR IGNORE INTO ${table} (${columns}) VALUES (${placeholders.join(', ')})`,
      );
      for (const row of from.prepare(`SELECT ${columns} FROM ${table}`).raw().iterate()) {
        insert.run(row);
      }
    }
  });
  copy();
}
