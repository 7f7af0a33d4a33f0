import type pg from 'pg';
import type { QueueConfig, QueueMember, QueueName, UserId } from '../../../protocol/index.js';
import { queueConfigSchema, queueMemberSchema } from '../../../protocol/index.js';
import type { ContactCenterStore, StoredQueue } from '../contact-center.js';
import { inTransaction } from './pool.js';

/**
 * Queues, members, supervisors and agents' settings on PostgreSQL. Configurations are JSON,
 * parsed on the way out, so one written by an older server gets today's defaults (as in SQLite).
 */
export class PostgresContactCenterStore implements ContactCenterStore {
  constructor(private readonly pool: pg.Pool) {}

  async listQueues(): Promise<StoredQueue[]> {
    return this.readQueues();
  }

  async getQueue(name: QueueName): Promise<StoredQueue | undefined> {
    return (await this.readQueues(name))[0];
  }

  async saveQueue(config: QueueConfig): Promise<void> {
    await this.pool.query(
      `INSERT INTO cc_queues (name, config, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      [config.name, JSON.stringify(config), Date.now()],
    );
  }

  deleteQueue(name: QueueName): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM cc_queue_members WHERE queue = $1', [name]);
      await client.query('DELETE FROM cc_queue_supervisors WHERE queue = $1', [name]);
      const deleted = await client.query('DELETE FROM cc_queues WHERE name = $1', [name]);
      return (deleted.rowCount ?? 0) > 0;
    });
  }

  async setMember(queue: QueueName, member: QueueMember): Promise<void> {
    await this.pool.query(
      `INSERT INTO cc_queue_members (queue, user_id, tier, skill) VALUES ($1, $2, $3, $4)
       ON CONFLICT (queue, user_id) DO UPDATE SET tier = excluded.tier, skill = excluded.skill`,
      [queue, member.userId, member.tier, member.skill],
    );
  }

  async removeMember(queue: QueueName, userId: UserId): Promise<boolean> {
    const deleted = await this.pool.query(
      'DELETE FROM cc_queue_members WHERE queue = $1 AND user_id = $2',
      [queue, userId],
    );
    return (deleted.rowCount ?? 0) > 0;
  }

  async setSupervisor(queue: QueueName, userId: UserId, supervisor: boolean): Promise<void> {
    await this.pool.query(
      supervisor
        ? 'INSERT INTO cc_queue_supervisors (queue, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING'
        : 'DELETE FROM cc_queue_supervisors WHERE queue = $1 AND user_id = $2',
      [queue, userId],
    );
  }

  async getAutoAnswer(userId: UserId): Promise<boolean> {
    const { rows } = await this.pool.query<{ auto_answer: boolean }>(
      'SELECT auto_answer FROM cc_agent_settings WHERE user_id = $1',
      [userId],
    );
    return rows[0]?.auto_answer === true;
  }

  async setAutoAnswer(userId: UserId, autoAnswer: boolean): Promise<void> {
    await this.pool.query(
      `INSERT INTO cc_agent_settings (user_id, auto_answer) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET auto_answer = excluded.auto_answer`,
      [userId, autoAnswer],
    );
  }

  /** Every queue, or the one named, with its members and supervisors (ordered by user id). */
  private async readQueues(only?: QueueName): Promise<StoredQueue[]> {
    const filter = only === undefined ? '' : 'WHERE queue = $1';
    const values = only === undefined ? [] : [only];
    const [queues, members, supervisors] = await Promise.all([
      this.pool.query<{ name: string; config: string }>(
        `SELECT name, config FROM cc_queues ${only === undefined ? '' : 'WHERE name = $1'}
         ORDER BY name`,
        values,
      ),
      this.pool.query<{ queue: string; user_id: string; tier: number; skill: number }>(
        `SELECT queue, user_id, tier, skill FROM cc_queue_members ${filter} ORDER BY user_id`,
        values,
      ),
      this.pool.query<{ queue: string; user_id: string }>(
        `SELECT queue, user_id FROM cc_queue_supervisors ${filter} ORDER BY user_id`,
        values,
      ),
    ]);
    return queues.rows.map((row) => ({
      config: queueConfigSchema.parse(JSON.parse(row.config)),
      members: members.rows
        .filter((m) => m.queue === row.name)
        .map((m) => queueMemberSchema.parse({ userId: m.user_id, tier: m.tier, skill: m.skill })),
      supervisors: supervisors.rows.filter((s) => s.queue === row.name).map((s) => s.user_id),
    }));
  }
}
