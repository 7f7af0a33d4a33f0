import { contactCenterMigration } from './contact-center-migration.js';
import { copyCallDataFrom } from './calls-database.js';
import type { Migration } from './connection.js';

/**
 * The schema, in order. Never edit a migration that has shipped: append a new one.
 *
 * Settings, blocks and push tokens carry no foreign key to `users`: users who sign in only with
 * tokens minted by the business server may have no account row, and still have settings.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'accounts, settings, blocks, push tokens, live calls, call records',
    up: (db) => {
      db.exec(`
        CREATE TABLE users (
          user_id TEXT PRIMARY KEY,
          display_name TEXT NOT NULL,
          password_hash TEXT,
          disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
          created_at INTEGER NOT NULL
        );

        CREATE TABLE user_settings (
          user_id TEXT PRIMARY KEY,
          call_waiting INTEGER NOT NULL DEFAULT 0 CHECK (call_waiting IN (0, 1)),
          status TEXT NOT NULL DEFAULT 'available'
            CHECK (status IN ('available', 'away', 'busy', 'dnd'))
        );

        CREATE TABLE blocks (
          user_id TEXT NOT NULL,
          blocked_id TEXT NOT NULL,
          PRIMARY KEY (user_id, blocked_id)
        ) WITHOUT ROWID;

        CREATE TABLE push_tokens (
          user_id TEXT NOT NULL,
          device_id TEXT NOT NULL,
          platform TEXT NOT NULL CHECK (platform IN ('apns-voip', 'fcm', 'vendor')),
          token TEXT NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (user_id, device_id)
        );
        -- A token moving to another account is found by value.
        CREATE INDEX push_tokens_by_token ON push_tokens (token);

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
          record TEXT NOT NULL
        );
        -- Admin listing by time range, newest first, ties broken by call id.
        CREATE INDEX call_records_by_time ON call_records (created_at, call_id);

        -- One row per user in a call, the caller included, so that a user's history is one index
        -- range scan (created_at is copied here for that).
        CREATE TABLE call_participants (
          call_id TEXT NOT NULL REFERENCES call_records (call_id) ON DELETE CASCADE,
          user_id TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (call_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX call_participants_by_user
          ON call_participants (user_id, created_at DESC, call_id DESC);
      `);
    },
  },
  contactCenterMigration,
  {
    version: 3,
    description: 'live calls and call records move to their own file (calls-database.ts)',
    // The rows reach the calls file first; only then are the tables dropped here.
    up: (db) => {
      copyCallDataFrom(db);
      db.exec(`
        DROP TABLE call_participants;
        DROP TABLE call_records;
        DROP TABLE live_calls;
      `);
    },
  },
  {
    version: 4,
    description:
      'sign-in families: refresh-token rotation with reuse detection (refresh-families.ts)',
    up: (db) => {
      db.exec(`
        -- One row per sign-in (a login): the refresh token of it that is current (its id and
        -- times, enough to sign it again), the one it replaced (accepted again within the reuse
        -- grace), and whether the whole sign-in was revoked (signed out, a reused token, a
        -- password change). Times in ms except current_issued_at (the token's iat, seconds).
        CREATE TABLE refresh_families (
          family_id TEXT PRIMARY KEY,
          user_id TEXT NOT NULL,
          current_token_id TEXT NOT NULL,
          current_issued_at INTEGER NOT NULL,
          previous_token_id TEXT,
          created_at INTEGER NOT NULL,
          rotated_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          revoked_at INTEGER,
          revoked_reason TEXT
        );
        CREATE INDEX refresh_families_by_user ON refresh_families (user_id);
        CREATE INDEX refresh_families_by_expiry ON refresh_families (expires_at);
      `);
    },
  },
];
