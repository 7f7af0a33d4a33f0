import type pg from 'pg';
import type { UserId } from '../../../protocol/index.js';
import { presenceStatusSchema } from '../../../protocol/index.js';
import type { ScryptCost } from '../passwords.js';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from '../passwords.js';
import { clampLimit } from '../sqlite/paging.js';
import type { Settings } from '../sqlite/user-cache.js';
import {
  DEFAULT_SETTINGS,
  DEFAULT_USER_LIMIT,
  MAX_USER_LIMIT,
  UnknownUserError,
} from '../sqlite/users.js';
import type { CalleeFacts, UserAccount, UserStore } from '../types.js';
import { UserExistsError } from '../types.js';
import { UNIQUE_VIOLATION, inTransaction, sqlState } from './pool.js';
import { revokeAllOfUser } from './refresh-families.js';

interface UserRow {
  user_id: string;
  display_name: string;
  has_password: boolean;
  disabled: boolean;
  created_at: number;
}

const USER_COLUMNS =
  'user_id, display_name, password_hash IS NOT NULL AS has_password, disabled, created_at';

/** `%`, `_` and `\` in a query are literal characters, not LIKE wildcards. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Accounts, settings and blocks on PostgreSQL. No row cache, unlike SQLite's (user-cache.ts):
 * other nodes write these rows, and nothing tells this one; an invitation's callee facts are
 * one query instead (`calleeFacts`).
 */
export class PostgresUserStore implements UserStore {
  private readonly scryptCost: Readonly<ScryptCost>;

  constructor(
    private readonly pool: pg.Pool,
    options: { scryptCost?: ScryptCost } = {},
  ) {
    this.scryptCost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
  }

  async create(input: {
    userId: UserId;
    displayName: string;
    password?: string;
  }): Promise<UserAccount> {
    const hash =
      input.password === undefined ? null : await hashPassword(input.password, this.scryptCost);
    const createdAt = Date.now();
    try {
      await this.pool.query(
        `INSERT INTO users (user_id, display_name, password_hash, disabled, created_at)
         VALUES ($1, $2, $3, FALSE, $4)`,
        [input.userId, input.displayName, hash, createdAt],
      );
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) {
        throw new UserExistsError(`user ${input.userId} already exists`);
      }
      throw error;
    }
    return {
      userId: input.userId,
      displayName: input.displayName,
      disabled: false,
      createdAt,
      hasPassword: hash !== null,
    };
  }

  async get(userId: UserId): Promise<UserAccount | undefined> {
    const { rows } = await this.pool.query<UserRow>({
      name: 'user-get',
      text: `SELECT ${USER_COLUMNS} FROM users WHERE user_id = $1`,
      values: [userId],
    });
    return rows[0] === undefined ? undefined : toAccount(rows[0]);
  }

  async getMany(userIds: readonly UserId[]): Promise<Map<UserId, UserAccount>> {
    const accounts = new Map<UserId, UserAccount>();
    if (userIds.length === 0) return accounts;
    const { rows } = await this.pool.query<UserRow>({
      name: 'user-get-many',
      text: `SELECT ${USER_COLUMNS} FROM users WHERE user_id = ANY($1::text[])`,
      values: [[...userIds]],
    });
    for (const row of rows) accounts.set(row.user_id, toAccount(row));
    return accounts;
  }

  async list(options: { after?: UserId; limit?: number } = {}): Promise<UserAccount[]> {
    const limit = clampLimit(options.limit, DEFAULT_USER_LIMIT, MAX_USER_LIMIT);
    const { rows } = await this.pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE user_id > $1 ORDER BY user_id LIMIT $2`,
      [options.after ?? '', limit],
    );
    return rows.map(toAccount);
  }

  async search(query: string, limit: number): Promise<UserAccount[]> {
    const exact = query.trim().toLowerCase();
    const needle = escapeLike(exact);
    // A scan, as in SQLite: substring matches cannot use a b-tree index. Ordered as SQLite's
    // (exact id, then prefix matches, then the rest; each by display name, case-insensitively).
    const { rows } = await this.pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE NOT disabled AND (user_id ILIKE $3 OR display_name ILIKE $3)
       ORDER BY CASE
           WHEN user_id = $1 THEN 0
           WHEN user_id ILIKE $2 OR display_name ILIKE $2 THEN 1
           ELSE 2
         END,
         lower(display_name) COLLATE "C", user_id
       LIMIT $4`,
      [exact, `${needle}%`, `%${needle}%`, clampLimit(limit, DEFAULT_USER_LIMIT, MAX_USER_LIMIT)],
    );
    return rows.map(toAccount);
  }

  async verifyPassword(userId: UserId, password: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ password_hash: string | null }>(
      'SELECT password_hash FROM users WHERE user_id = $1',
      [userId],
    );
    // A missing account or one without a password still costs a full hash (see passwords.ts).
    return verifyPassword(password, rows[0]?.password_hash ?? undefined, this.scryptCost);
  }

  async setPassword(userId: UserId, password: string): Promise<void> {
    const hash = await hashPassword(password, this.scryptCost);
    // Whoever knew the old password may hold a refresh token: none outlives the change.
    await inTransaction(this.pool, async (client) => {
      const updated = await client.query('UPDATE users SET password_hash = $1 WHERE user_id = $2', [
        hash,
        userId,
      ]);
      if (updated.rowCount === 0) throw new UnknownUserError(`no user ${userId}`);
      await revokeAllOfUser(client, userId, 'password-changed');
    });
  }

  async setDisabled(userId: UserId, disabled: boolean): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const updated = await client.query('UPDATE users SET disabled = $1 WHERE user_id = $2', [
        disabled,
        userId,
      ]);
      if (updated.rowCount === 0) throw new UnknownUserError(`no user ${userId}`);
      // Enabling again does not bring old sign-ins back: the user signs in anew.
      if (disabled) await revokeAllOfUser(client, userId, 'account-disabled');
    });
  }

  async getSettings(userId: UserId): Promise<Settings> {
    const { rows } = await this.pool.query<{ call_waiting: boolean; status: string }>(
      'SELECT call_waiting, status FROM user_settings WHERE user_id = $1',
      [userId],
    );
    return toSettings(rows[0]);
  }

  async updateSettings(userId: UserId, patch: Partial<Settings>): Promise<Settings> {
    // One statement, so two nodes patching different fields at once both keep their change.
    const { rows } = await this.pool.query<{ call_waiting: boolean; status: string }>(
      `INSERT INTO user_settings (user_id, call_waiting, status)
       VALUES ($1, COALESCE($2::boolean, $4::boolean), COALESCE($3::text, $5::text))
       ON CONFLICT (user_id) DO UPDATE SET
         call_waiting = COALESCE($2::boolean, user_settings.call_waiting),
         status = COALESCE($3::text, user_settings.status)
       RETURNING call_waiting, status`,
      [
        userId,
        patch.callWaiting ?? null,
        patch.status ?? null,
        DEFAULT_SETTINGS.callWaiting,
        DEFAULT_SETTINGS.status,
      ],
    );
    return toSettings(rows[0]);
  }

  async calleeFacts(
    callerId: UserId,
    calleeIds: readonly UserId[],
  ): Promise<Map<UserId, CalleeFacts>> {
    const facts = new Map<UserId, CalleeFacts>();
    if (calleeIds.length === 0) return facts;
    // Every callee's account, settings and block of the caller: one round trip per invitation.
    const { rows } = await this.pool.query<{
      user_id: string;
      disabled: boolean;
      call_waiting: boolean | null;
      status: string | null;
      blocked_caller: boolean;
    }>({
      name: 'user-callee-facts',
      text: `SELECT u.user_id, u.disabled, s.call_waiting, s.status,
           EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = u.user_id AND b.blocked_id = $1)
             AS blocked_caller
         FROM users u LEFT JOIN user_settings s ON s.user_id = u.user_id
         WHERE u.user_id = ANY($2::text[])`,
      values: [callerId, [...calleeIds]],
    });
    for (const row of rows) {
      const settings = toSettings(
        row.status === null || row.call_waiting === null
          ? undefined
          : { call_waiting: row.call_waiting, status: row.status },
      );
      facts.set(row.user_id, {
        disabled: row.disabled,
        callWaiting: settings.callWaiting,
        status: settings.status,
        blockedCaller: row.blocked_caller,
      });
    }
    return facts;
  }

  async getBlocked(userId: UserId): Promise<UserId[]> {
    const { rows } = await this.pool.query<{ blocked_id: string }>(
      'SELECT blocked_id FROM blocks WHERE user_id = $1 ORDER BY blocked_id',
      [userId],
    );
    return rows.map((row) => row.blocked_id);
  }

  /** True when `by` has blocked `userId`. */
  async isBlocked(userId: UserId, by: UserId): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM blocks WHERE user_id = $1 AND blocked_id = $2',
      [by, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  async block(userId: UserId, blocked: UserId): Promise<void> {
    await this.pool.query(
      'INSERT INTO blocks (user_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [userId, blocked],
    );
  }

  async unblock(userId: UserId, blocked: UserId): Promise<void> {
    await this.pool.query('DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2', [
      userId,
      blocked,
    ]);
  }
}

function toSettings(row: { call_waiting: boolean; status: string } | undefined): Settings {
  if (row === undefined) return { ...DEFAULT_SETTINGS };
  // The column's CHECK constraint allows only valid statuses; parsing keeps the type honest.
  return { callWaiting: row.call_waiting, status: presenceStatusSchema.parse(row.status) };
}

function toAccount(row: UserRow): UserAccount {
  return {
    userId: row.user_id,
    displayName: row.display_name,
    disabled: row.disabled,
    createdAt: row.created_at,
    hasPassword: row.has_password,
  };
}
