import type { PresenceStatus, UserId, UserSettings } from '../../../protocol/index.js';
import type { UserAccount } from '../types.js';
import type { SqliteDatabase, Statement } from './database.js';

export type Settings = UserSettings & { status: PresenceStatus };

/** Entries per map before it is emptied and refilled from the file: a cheap bound, no LRU. */
const DEFAULT_CAP = 200_000;

/**
 * In-memory copies of the user rows every call invitation reads (the callee's account, settings
 * and blocks: three SQLite reads per invite were a tenth of the server's time under load).
 *
 * The store drops an entry whenever it writes it. Writes by another connection (the `user`
 * CLI run while the server is up) are seen through `PRAGMA data_version`, which changes when
 * anyone else commits to the file: `revalidate` empties everything then. Entries are frozen;
 * the store hands out copies, so a caller changing what it got changes nothing here.
 */
export class UserRowCache {
  readonly accounts = new Map<UserId, Readonly<UserAccount>>();
  readonly settings = new Map<UserId, Readonly<Settings>>();
  /** Whom each user blocked. */
  readonly blocked = new Map<UserId, ReadonlySet<UserId>>();
  private readonly dataVersion: Statement<[], number>;
  private version: number;
  private checkedAt = -Infinity;

  constructor(
    db: SqliteDatabase,
    private readonly cap = DEFAULT_CAP,
  ) {
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.version = this.readVersion();
  }

  /**
   * Call before reading from the cache: drops it all if another connection committed. Checks
   * the file at most once per millisecond (an invitation reads several rows in a row): a commit
   * by another process within that millisecond is indistinguishable from one just after it.
   */
  revalidate(): void {
    const now = performance.now();
    if (now - this.checkedAt < 1) return;
    this.checkedAt = now;
    const version = this.readVersion();
    if (version === this.version) return;
    this.version = version;
    this.clear();
  }

  put<V>(map: Map<UserId, V>, userId: UserId, value: V): V {
    if (map.size >= this.cap) map.clear();
    map.set(userId, value);
    return value;
  }

  forget(userId: UserId): void {
    this.accounts.delete(userId);
    this.settings.delete(userId);
    this.blocked.delete(userId);
  }

  clear(): void {
    this.accounts.clear();
    this.settings.clear();
    this.blocked.clear();
  }

  private readVersion(): number {
    const version = this.dataVersion.get();
    if (typeof version !== 'number') throw new Error('data_version pragma did not return a number');
    return version;
  }
}

export const NO_BLOCKS: ReadonlySet<UserId> = Object.freeze(new Set<UserId>());
