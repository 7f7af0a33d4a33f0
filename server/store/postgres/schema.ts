/**
 * The PostgreSQL schema, in order. Never edit a migration that has shipped: append a new one.
 * The same tables as the SQLite files (server/store/sqlite/migrations.ts, calls-database.ts),
 * in one database: here every node of a cluster reads and writes them.
 *
 * Ids are `COLLATE "C"` so that they sort bytewise, as in SQLite, whatever the database's locale:
 * paging (`user_id > $1`, `(created_at, call_id) < ($1, $2)`) depends on that order. Times are
 * epoch milliseconds in BIGINT, except the token times the JWTs carry (seconds).
 */
export interface PostgresMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'accounts, settings, blocks, push tokens',
    sql: `
      -- Settings, blocks and push tokens carry no foreign key to users: users who sign in only
      -- with tokens minted by the business server may have no account row.
      CREATE TABLE users (
        user_id TEXT COLLATE "C" PRIMARY KEY,
        display_name TEXT NOT NULL,
        password_hash TEXT,
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        created_at BIGINT NOT NULL
      );

      CREATE TABLE user_settings (
        user_id TEXT COLLATE "C" PRIMARY KEY,
        call_waiting BOOLEAN NOT NULL DEFAULT FALSE,
        status TEXT NOT NULL DEFAULT 'available'
          CHECK (status IN ('available', 'away', 'busy', 'dnd'))
      );

      CREATE TABLE blocks (
        user_id TEXT COLLATE "C" NOT NULL,
        blocked_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (user_id, blocked_id)
      );

      CREATE TABLE push_tokens (
        user_id TEXT COLLATE "C" NOT NULL,
        device_id TEXT COLLATE "C" NOT NULL,
        platform TEXT NOT NULL CHECK (platform IN ('apns-voip', 'fcm', 'vendor')),
        token TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, device_id)
      );
      -- A token moving to another account is found by value.
      CREATE INDEX push_tokens_by_token ON push_tokens (token);
    `,
  },
  {
    version: 2,
    description: 'sign-in families: refresh-token rotation with reuse detection',
    sql: `
      CREATE TABLE refresh_families (
        family_id TEXT COLLATE "C" PRIMARY KEY,
        user_id TEXT COLLATE "C" NOT NULL,
        current_token_id TEXT NOT NULL,
        current_issued_at BIGINT NOT NULL,
        previous_token_id TEXT,
        created_at BIGINT NOT NULL,
        rotated_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT,
        revoked_reason TEXT
      );
      CREATE INDEX refresh_families_by_user ON refresh_families (user_id);
      CREATE INDEX refresh_families_by_expiry ON refresh_families (expires_at);
    `,
  },
  {
    version: 3,
    description: 'live calls, call records and their participants, server state',
    sql: `
      CREATE TABLE live_calls (
        call_id TEXT COLLATE "C" PRIMARY KEY,
        snapshot TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );

      CREATE TABLE call_records (
        call_id TEXT COLLATE "C" PRIMARY KEY,
        caller_id TEXT COLLATE "C" NOT NULL,
        media TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        answered_at BIGINT,
        ended_at BIGINT NOT NULL,
        end_reason TEXT NOT NULL,
        duration_sec DOUBLE PRECISION NOT NULL,
        record TEXT NOT NULL,
        queue_name TEXT,
        agent_id TEXT,
        wait_sec DOUBLE PRECISION
      );
      -- Admin listing by time range, newest first, ties broken by call id.
      CREATE INDEX call_records_by_time ON call_records (created_at, call_id);
      CREATE INDEX call_records_by_queue ON call_records (queue_name, created_at)
        WHERE queue_name IS NOT NULL;

      -- One row per user in a call, the caller included: a user's history is one index range.
      -- Written only with its record (same transaction), so no foreign key.
      CREATE TABLE call_participants (
        call_id TEXT COLLATE "C" NOT NULL,
        user_id TEXT COLLATE "C" NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (call_id, user_id)
      );
      CREATE INDEX call_participants_by_user
        ON call_participants (user_id, created_at DESC, call_id DESC);

      -- 'alive-at': written every 250 ms while calls are live, so that calls cut by a crash are
      -- dated at (about) the crash, not at the restart.
      CREATE TABLE server_state (
        key TEXT PRIMARY KEY,
        value BIGINT NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: 'webhook outbox: deliveries not yet settled, kept across a crash',
    sql: `
      CREATE TABLE webhook_outbox (
        delivery_id TEXT COLLATE "C" PRIMARY KEY,
        call_id TEXT NOT NULL,
        entry TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX webhook_outbox_by_time ON webhook_outbox (created_at, delivery_id);
    `,
  },
  {
    version: 5,
    description: 'contact center: queues, members, supervisors, agent settings',
    sql: `
      CREATE TABLE cc_queues (
        name TEXT COLLATE "C" PRIMARY KEY,
        config TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );

      CREATE TABLE cc_queue_members (
        queue TEXT COLLATE "C" NOT NULL REFERENCES cc_queues (name) ON DELETE CASCADE,
        user_id TEXT COLLATE "C" NOT NULL,
        tier INTEGER NOT NULL DEFAULT 1,
        skill INTEGER NOT NULL DEFAULT 5,
        PRIMARY KEY (queue, user_id)
      );

      CREATE TABLE cc_queue_supervisors (
        queue TEXT COLLATE "C" NOT NULL REFERENCES cc_queues (name) ON DELETE CASCADE,
        user_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (queue, user_id)
      );

      CREATE TABLE cc_agent_settings (
        user_id TEXT COLLATE "C" PRIMARY KEY,
        auto_answer BOOLEAN NOT NULL DEFAULT FALSE
      );
    `,
  },
];
