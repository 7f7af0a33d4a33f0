import type { QueueConfig, QueueName, UserId } from '../../../protocol/index.js';
import { queueConfigSchema, queueMemberSchema } from '../../../protocol/index.js';
import type { SqliteDatabase } from './database.js';
import type { ContactCenterStore, StoredQueue } from '../contact-center.js';

type QueueRow = { name: string; config: string };
type MemberRow = { queue: string; user_id: string; tier: number; skill: number };
type SupervisorRow = { queue: string; user_id: string };

/**
 * The contact center's tables (migration 2). Configurations are stored as JSON and parsed on the
 * way out, so a configuration written by an older server gets today's defaults.
 */
export class SqliteContactCenterStore implements ContactCenterStore {
  constructor(private readonly db: SqliteDatabase) {}

  listQueues(): Promise<StoredQueue[]> {
    const rows = this.db
      .prepare<[], QueueRow>('SELECT name, config FROM cc_queues ORDER BY name')
      .all();
    const members = this.db
      .prepare<[], MemberRow>(
        'SELECT queue, user_id, tier, skill FROM cc_queue_members ORDER BY user_id',
      )
      .all();
    const supervisors = this.db
      .prepare<[], SupervisorRow>(
        'SELECT queue, user_id FROM cc_queue_supervisors ORDER BY user_id',
      )
      .all();
    return Promise.resolve(
      rows.map((row) => ({
        config: queueConfigSchema.parse(JSON.parse(row.config)),
        members: members
          .filter((m) => m.queue === row.name)
          .map((m) => queueMemberSchema.parse({ userId: m.user_id, tier: m.tier, skill: m.skill })),
        supervisors: supervisors.filter((s) => s.queue === row.name).map((s) => s.user_id),
      })),
    );
  }

  async getQueue(name: QueueName): Promise<StoredQueue | undefined> {
    return (await this.listQueues()).find((q) => q.config.name === name);
  }

  saveQueue(config: QueueConfig): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO cc_queues (name, config, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      )
      .run(config.name, JSON.stringify(config), Date.now());
    return Promise.resolve();
  }

  deleteQueue(name: QueueName): Promise<boolean> {
    const run = this.db.transaction(() => {
      this.db.prepare('DELETE FROM cc_queue_members WHERE queue = ?').run(name);
      this.db.prepare('DELETE FROM cc_queue_supervisors WHERE queue = ?').run(name);
      return this.db.prepare('DELETE FROM cc_queues WHERE name = ?').run(name).changes > 0;
    });
    return Promise.resolve(run());
  }

  setMember(
    queue: QueueName,
    member: { userId: UserId; tier: number; skill: number },
  ): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO cc_queue_members (queue, user_id, tier, skill) VALUES (?, ?, ?, ?)
         ON CONFLICT (queue, user_id) DO UPDATE SET tier = excluded.tier, skill = excluded.skill`,
      )
      .run(queue, member.userId, member.tier, member.skill);
    return Promise.resolve();
  }

  removeMember(queue: QueueName, userId: UserId): Promise<boolean> {
    const { changes } = this.db
      .prepare('DELETE FROM cc_queue_members WHERE queue = ? AND user_id = ?')
      .run(queue, userId);
    return Promise.resolve(changes > 0);
  }

  setSupervisor(queue: QueueName, userId: UserId, supervisor: boolean): Promise<void> {
    if (supervisor) {
      this.db
        .prepare('INSERT OR IGNORE INTO cc_queue_supervisors (queue, user_id) VALUES (?, ?)')
        .run(queue, userId);
    } else {
      this.db
        .prepare('DELETE FROM cc_queue_supervisors WHERE queue = ? AND user_id = ?')
        .run(queue, userId);
    }
    return Promise.resolve();
  }

  getAutoAnswer(userId: UserId): Promise<boolean> {
    const row = this.db
      .prepare<[string], { auto_answer: number }>(
        'SELECT auto_answer FROM cc_agent_settings WHERE user_id = ?',
      )
      .get(userId);
    return Promise.resolve(row?.auto_answer === 1);
  }

  setAutoAnswer(userId: UserId, autoAnswer: boolean): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO cc_agent_settings (user_id, auto_answer) VALUES (?, ?)
         ON CONFLICT (user_id) DO UPDATE SET auto_answer = excluded.auto_answer`,
      )
      .run(userId, autoAnswer ? 1 : 0);
    return Promise.resolve();
  }
}

/** Keeps the type import of the config honest where only the shape matters. */
export type { QueueConfig };
