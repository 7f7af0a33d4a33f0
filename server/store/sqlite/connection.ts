import Database from 'better-sqlite3';

/**
 * A SQLite connection brought to a schema: the connection rules and the migration runner, with no
 * schema of its own (database.ts opens the accounts file with its migrations), so that the
 * modules that define migrations can use it without importing the list they are part of.
 */

export type SqliteDatabase = Database.Database;
export type Statement<Params extends unknown[], Row = unknown> = Database.Statement<Params, Row>;

/** One schema step. `up` runs inside a transaction together with the version bump. */
export interface Migration {
  /** 1, 2, 3...: stored in the `user_version` pragma once applied. */
  readonly version: number;
  readonly description: string;
  readonly up: (db: SqliteDatabase) => void;
}

/** The file was written by a newer server: running old code on it could corrupt it. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly file: string,
    readonly fileVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `database ${file} has schema version ${fileVersion}, but this server only knows up to ` +
        `version ${knownVersion}: upgrade the server (or point it at another data dir)`,
    );
  }
}

export interface OpenConnectionOptions {
  /** The schema of this file, oldest step first. */
  migrations: readonly Migration[];
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
}

/** Opens (creating if needed) a database file, or ':memory:', and brings its schema up to date. */
export function openConnection(file: string, options: OpenConnectionOptions): SqliteDatabase {
  const db = new Database(file);
  try {
    // busy_timeout first, so that switching to WAL also waits for a lock held by another process.
    db.pragma(`busy_timeout = ${String(options.busyTimeoutMs ?? 5000)}`);
    db.pragma('journal_mode = WAL');
    // Safe with WAL: a crash of the process loses nothing committed, a power loss at most the
    // last commits; and commits no longer wait for an fsync.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: SqliteDatabase): number {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number') throw new Error('user_version pragma did not return a number');
  return version;
}

/**
 * Applies the migrations the database has not seen yet, each in its own transaction, so a
 * failing step leaves the file at the previous version. Rerunning is a no-op.
 */
export function migrate(
  db: SqliteDatabase,
  migrations: readonly Migration[],
): { from: number; to: number } {
  assertNumberedInOrder(migrations);
  const known = migrations.at(-1)?.version ?? 0;
  const from = schemaVersion(db);
  if (from > known) throw new SchemaTooNewError(db.name, from, known);

  for (const migration of migrations) {
    if (migration.version <= from) continue;
    const apply = db.transaction(() => {
      // Read again under the write lock: another process may have applied it meanwhile.
      if (schemaVersion(db) >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${String(migration.version)}`);
    });
    apply.immediate();
  }
  return { from, to: schemaVersion(db) };
}

function assertNumberedInOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration "${migration.description}" has version ${migration.version}, expected ${index + 1}`,
      );
    }
  });
}
