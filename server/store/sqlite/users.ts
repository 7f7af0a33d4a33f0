import Database from 'better-sqlite3';
import type { UserId } from '../../../protocol/index.js';
import { presenceStatusSchema } from '../../../protocol/index.js';
import type { ScryptCost } from '../passwords.js';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from '../passwords.js';
import type { CalleeFacts, UserAccount, UserStore } from '../types.js';
import { UserExistsError } from '../types.js';
import type { SqliteDatabase, Statement } from './database.js';
import type { SqliteSignInFamilies } from './refresh-families.js';
import { clampLimit } from './paging.js';
import { settle } from './settle.js';
import { NO_BLOCKS, type Settings, UserRowCache } from './user-cache.js';

export const DEFAULT_SETTINGS: Readonly<Settings> = { callWaiting: false, status: 'available' };
export const DEFAULT_USER_LIMIT = 100;
/** A page of 1,000 and one more, read to know whether another page follows. */
export const MAX_USER_LIMIT = 1001;

/** setPassword/setDisabled on an id with no account: failing loudly beats a silent no-op. */
export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError';
}

interface UserRow {
  user_id: string;
  display_name: string;
  has_password: 0 | 1;
  disabled: 0 | 1;
  created_at: number;
}

interface SettingsRow {
  call_waiting: 0 | 1;
  status: string;
}

const USER_COLUMNS =
  'user_id, display_name, password_hash IS NOT NULL AS has_password, disabled, created_at';

export class SqliteUserStore implements UserStore {
  private readonly scryptCost: Readonly<ScryptCost>;
  private readonly insertUser: Statement<[string, string, string | null, number]>;
  private readonly selectUser: Statement<[string], UserRow>;
  private readonly selectUsers: Statement<[string], UserRow>;
  private readonly selectPage: Statement<[string, number], UserRow>;
  private readonly selectSearch: Statement<[SearchParams], UserRow>;
  private readonly selectHash: Statement<[string], { password_hash: string | null }>;
  private readonly updateHash: Statement<[string, string]>;
  private readonly updateDisabled: Statement<[number, string]>;
  private readonly selectSettings: Statement<[string], SettingsRow>;
  private readonly upsertSettings: Statement<[string, number, string]>;
  private readonly selectBlocked: Statement<[string], { blocked_id: string }>;
  private readonly insertBlock: Statement<[string, string]>;
  private readonly deleteBlock: Statement<[string, string]>;
  private readonly cache: UserRowCache;

  constructor(
    private readonly db: SqliteDatabase,
    /** Revoked with a password change or disabling, in the same transaction. */
    private readonly families: Pick<SqliteSignInFamilies, 'revokeAllNow'>,
    options: { scryptCost?: ScryptCost } = {},
  ) {
    // Tests lower the cost to stay fast; production keeps the default.
    this.scryptCost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
    this.insertUser = db.prepare(
      `INSERT INTO users (user_id, display_name, password_hash, disabled, created_at)
       VALUES (?, ?, ?, 0, ?)`,
    );
    this.selectUser = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = ?`);
    // One statement for any number of ids: the ids travel as a JSON array.
    this.selectUsers = db.prepare(
      `SELECT ${USER_COLUMNS} FROM users WHERE user_id IN (SELECT value FROM json_each(?))`,
    );
    this.selectPage = db.prepare(
      `SELECT ${USER_COLUMNS} FROM users WHERE user_id > ? ORDER BY user_id LIMIT ?`,
    );
    // A scan: substring matches cannot use an index, and directories are small (thousands of
    // users); a larger deployment adds a full-text index behind the same interface.
    this.selectSearch = db.prepare(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE disabled = 0
         AND (user_id LIKE @contains ESCAPE '\\' OR display_name LIKE @contains ESCAPE '\\')
       ORDER BY CASE
           WHEN user_id = @exact THEN 0
           WHEN user_id LIKE @prefix ESCAPE '\\' OR display_name LIKE @prefix ESCAPE '\\' THEN 1
           ELSE 2
         END,
         display_name COLLATE NOCASE, user_id
       LIMIT @limit`,
    );
    this.selectHash = db.prepare('SELECT password_hash FROM users WHERE user_id = ?');
    this.updateHash = db.prepare('UPDATE users SET password_hash = ? WHERE user_id = ?');
    this.updateDisabled = db.prepare('UPDATE users SET disabled = ? WHERE user_id = ?');
    this.selectSettings = db.prepare(
      'SELECT call_waiting, status FROM user_settings WHERE user_id = ?',
    );
    this.upsertSettings = db.prepare(
      `INSERT INTO user_settings (user_id, call_waiting, status) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET call_waiting = excluded.call_waiting,
         status = excluded.status`,
    );
    this.selectBlocked = db.prepare(
      'SELECT blocked_id FROM blocks WHERE user_id = ? ORDER BY blocked_id',
    );
    this.insertBlock = db.prepare(
      'INSERT OR IGNORE INTO blocks (user_id, blocked_id) VALUES (?, ?)',
    );
    this.deleteBlock = db.prepare('DELETE FROM blocks WHERE user_id = ? AND blocked_id = ?');
    this.cache = new UserRowCache(db);
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
      this.insertUser.run(input.userId, input.displayName, hash, createdAt);
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
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

  get(userId: UserId): Promise<UserAccount | undefined> {
    return settle(() => {
      this.cache.revalidate();
      const cached = this.cache.accounts.get(userId);
      return cached ? { ...cached } : this.readAccount(userId);
    });
  }

  getMany(userIds: readonly UserId[]): Promise<Map<UserId, UserAccount>> {
    return settle(() => {
      const accounts = new Map<UserId, UserAccount>();
      if (userIds.length === 0) return accounts;
      this.cache.revalidate();
      const missing: UserId[] = [];
      for (const userId of userIds) {
        const cached = this.cache.accounts.get(userId);
        if (cached) accounts.set(userId, { ...cached });
        else missing.push(userId);
      }
      if (missing.length === 0) return accounts;
      for (const row of this.selectUsers.iterate(JSON.stringify(missing))) {
        accounts.set(row.user_id, this.cacheAccount(row));
      }
      return accounts;
    });
  }

  list(options: { after?: UserId; limit?: number } = {}): Promise<UserAccount[]> {
    const limit = clampLimit(options.limit, DEFAULT_USER_LIMIT, MAX_USER_LIMIT);
    return settle(() => this.selectPage.all(options.after ?? '', limit).map(toAccount));
  }

  search(query: string, limit: number): Promise<UserAccount[]> {
    const needle = escapeLike(query.trim().toLowerCase());
    const params: SearchParams = {
      exact: query.trim().toLowerCase(),
      prefix: `${needle}%`,
      contains: `%${needle}%`,
      limit: clampLimit(limit, DEFAULT_USER_LIMIT, MAX_USER_LIMIT),
    };
    return settle(() => this.selectSearch.all(params).map(toAccount));
  }

  async verifyPassword(userId: UserId, password: string): Promise<boolean> {
    // A missing account or one without a password still costs a full hash (see passwords.ts).
    const hash = this.selectHash.get(userId)?.password_hash ?? undefined;
    return verifyPassword(password, hash, this.scryptCost);
  }

  async setPassword(userId: UserId, password: string): Promise<void> {
    const hash = await hashPassword(password, this.scryptCost);
    this.cache.accounts.delete(userId);
    // Whoever knew the old password may hold a refresh token: none outlives the change.
    this.db.transaction(() => {
      if (this.updateHash.run(hash, userId).changes === 0) {
        throw new UnknownUserError(`no user ${userId}`);
      }
      this.families.revokeAllNow(userId, 'password-changed');
    })();
  }

  setDisabled(userId: UserId, disabled: boolean): Promise<void> {
    return settle(() => {
      this.cache.accounts.delete(userId);
      this.db.transaction(() => {
        if (this.updateDisabled.run(disabled ? 1 : 0, userId).changes === 0) {
          throw new UnknownUserError(`no user ${userId}`);
        }
        // Enabling again does not bring old sign-ins back: the user signs in anew.
        if (disabled) this.families.revokeAllNow(userId, 'account-disabled');
      })();
    });
  }

  getSettings(userId: UserId): Promise<Settings> {
    return settle(() => {
      this.cache.revalidate();
      return { ...(this.cache.settings.get(userId) ?? this.readSettings(userId)) };
    });
  }

  updateSettings(userId: UserId, patch: Partial<Settings>): Promise<Settings> {
    // Synchronous read-modify-write: no other request can interleave between the two.
    return settle(() => {
      this.cache.settings.delete(userId);
      const current = this.readSettings(userId);
      const next: Settings = {
        callWaiting: patch.callWaiting ?? current.callWaiting,
        status: patch.status ?? current.status,
      };
      this.upsertSettings.run(userId, next.callWaiting ? 1 : 0, next.status);
      this.cache.put(this.cache.settings, userId, Object.freeze(next));
      return { ...next };
    });
  }

  getBlocked(userId: UserId): Promise<UserId[]> {
    return settle(() => this.selectBlocked.all(userId).map((row) => row.blocked_id));
  }

  /** True when `by` has blocked `userId`. */
  isBlocked(userId: UserId, by: UserId): Promise<boolean> {
    return settle(() => {
      this.cache.revalidate();
      return this.blockedBy(by).has(userId);
    });
  }

  calleeFacts(callerId: UserId, calleeIds: readonly UserId[]): Promise<Map<UserId, CalleeFacts>> {
    // Straight from the cache, without the copies the single getters hand out: nothing of the
    // cached entries leaves this method.
    return settle(() => {
      this.cache.revalidate();
      const facts = new Map<UserId, CalleeFacts>();
      for (const calleeId of calleeIds) {
        const account = this.cache.accounts.get(calleeId) ?? this.readAccount(calleeId);
        if (!account) continue;
        const settings = this.cache.settings.get(calleeId) ?? this.readSettings(calleeId);
        facts.set(calleeId, {
          disabled: account.disabled,
          callWaiting: settings.callWaiting,
          status: settings.status,
          blockedCaller: this.blockedBy(calleeId).has(callerId),
        });
      }
      return facts;
    });
  }

  block(userId: UserId, blocked: UserId): Promise<void> {
    return settle(() => {
      this.cache.blocked.delete(userId);
      this.insertBlock.run(userId, blocked);
    });
  }

  unblock(userId: UserId, blocked: UserId): Promise<void> {
    return settle(() => {
      this.cache.blocked.delete(userId);
      this.deleteBlock.run(userId, blocked);
    });
  }

  /** Whom `userId` blocked, from the cache or the file (callers revalidate the cache first). */
  private blockedBy(userId: UserId): ReadonlySet<UserId> {
    let blocked = this.cache.blocked.get(userId);
    if (!blocked) {
      const rows = this.selectBlocked.all(userId);
      blocked = rows.length === 0 ? NO_BLOCKS : new Set(rows.map((row) => row.blocked_id));
      this.cache.put(this.cache.blocked, userId, blocked);
    }
    return blocked;
  }

  /** An account from the file, kept in the cache (callers revalidate it first). */
  private readAccount(userId: UserId): Readonly<UserAccount> | undefined {
    const row = this.selectUser.get(userId);
    return row === undefined ? undefined : this.cacheAccount(row);
  }

  /** From the file; kept in the cache (callers revalidate it first). */
  private readSettings(userId: UserId): Settings {
    const row = this.selectSettings.get(userId);
    // The column's CHECK constraint allows only valid statuses; parsing keeps the type honest.
    const settings: Settings =
      row === undefined
        ? { ...DEFAULT_SETTINGS }
        : { callWaiting: row.call_waiting === 1, status: presenceStatusSchema.parse(row.status) };
    return this.cache.put(this.cache.settings, userId, Object.freeze(settings));
  }

  /** A copy for the caller: cached entries are shared, and frozen so that nobody changes them. */
  private cacheAccount(row: UserRow): UserAccount {
    const account = toAccount(row);
    this.cache.put(this.cache.accounts, row.user_id, Object.freeze({ ...account }));
    return account;
  }
}

interface SearchParams {
  exact: string;
  prefix: string;
  contains: string;
  limit: number;
}

/** `%` and `_` in a query are literal characters, not LIKE wildcards. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function toAccount(row: UserRow): UserAccount {
  return {
    userId: row.user_id,
    displayName: row.display_name,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    hasPassword: row.has_password === 1,
  };
}
