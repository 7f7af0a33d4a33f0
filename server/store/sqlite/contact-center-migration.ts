import type { Migration } from './connection.js';

/**
 * Seat calling: queues, their agents (tier and skill per queue) and supervisors, agents' own
 * settings; call records learn their queue, agent and wait (also inside the record JSON).
 */
export const contactCenterMigration: Migration = {
  version: 2,
  description: 'contact center: queues, members, supervisors, agent settings; queue of records',
  up: (db) => {
    db.exec(`
      CREATE TABLE cc_queues (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE cc_queue_members (
        queue TEXT NOT NULL REFERENCES cc_queues (name) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        tier INTEGER NOT NULL DEFAULT 1,
        skill INTEGER NOT NULL DEFAULT 5,
        PRIMARY KEY (queue, user_id)
      ) WITHOUT ROWID;

      CREATE TABLE cc_queue_supervisors (
        queue TEXT NOT NULL REFERENCES cc_queues (name) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        PRIMARY KEY (queue, user_id)
      ) WITHOUT ROWID;

      CREATE TABLE cc_agent_settings (
        user_id TEXT PRIMARY KEY,
        auto_answer INTEGER NOT NULL DEFAULT 0 CHECK (auto_answer IN (0, 1))
      );

      ALTER TABLE call_records ADD COLUMN queue_name TEXT;
      ALTER TABLE call_records ADD COLUMN agent_id TEXT;
      ALTER TABLE call_records ADD COLUMN wait_sec REAL;
      CREATE INDEX call_records_by_queue ON call_records (queue_name, created_at)
        WHERE queue_name IS NOT NULL;
    `);
  },
};
