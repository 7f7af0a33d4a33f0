/**
 * Storage seams. One process with SQLite is the default; a scaled-out deployment adds other
 * implementations (PostgreSQL for accounts and records, Redis for live state) behind these same
 * interfaces, so handlers never change.
 *
 * Hot-path writes (live calls, records) are write-behind: `save`/`add` only enqueue and return at
 * once; the store persists in batches and `flush()` waits for everything enqueued so far.
 */
import type {
  CallInfo,
  CallRecord,
  PresenceStatus,
  UserId,
  UserSettings,
} from '../../protocol/index.js';
import type { ContactCenterStore } from '../contact-center/store.js';

export interface UserAccount {
  userId: UserId;
  displayName: string;
  disabled: boolean;
  createdAt: number;
  /** False for accounts that only sign in with tokens minted by the business server. */
  hasPassword: boolean;
}

export class UserExistsError extends Error {
  override readonly name = 'UserExistsError';
}

export interface CalleeFacts {
  disabled: boolean;
  callWaiting: boolean;
  /** The status stored in the callee's settings. */
  status: PresenceStatus;
  /** The callee blocked the caller. */
  blockedCaller: boolean;
}

export interface UserStore {
  create(input: { userId: UserId; displayName: string; password?: string }): Promise<UserAccount>;
  get(userId: UserId): Promise<UserAccount | undefined>;
  /** Many at once (e.g. display names for a call); unknown ids are left out. */
  getMany(userIds: readonly UserId[]): Promise<Map<UserId, UserAccount>>;
  list(options?: { after?: UserId; limit?: number }): Promise<UserAccount[]>;
  /**
   * Enabled accounts whose id or display name contains `query` (case-insensitive): the exact id
   * first, then prefix matches, then the rest, each by display name. An empty query lists all.
   */
  search(query: string, limit: number): Promise<UserAccount[]>;
  /** True when the password matches a stored scrypt hash (constant-time compare). */
  verifyPassword(userId: UserId, password: string): Promise<boolean>;
  setPassword(userId: UserId, password: string): Promise<void>;
  setDisabled(userId: UserId, disabled: boolean): Promise<void>;
  /** Missing settings read as the defaults. */
  getSettings(userId: UserId): Promise<UserSettings & { status: PresenceStatus }>;
  updateSettings(
    userId: UserId,
    patch: Partial<UserSettings & { status: PresenceStatus }>,
  ): Promise<UserSettings & { status: PresenceStatus }>;
  /**
   * What an invitation must know about each callee, in one call (one round trip for a remote
   * store): unknown ids are left out.
   */
  calleeFacts(callerId: UserId, calleeIds: readonly UserId[]): Promise<Map<UserId, CalleeFacts>>;
  /** Users this user blocked. */
  getBlocked(userId: UserId): Promise<UserId[]>;
  isBlocked(userId: UserId, by: UserId): Promise<boolean>;
  block(userId: UserId, blocked: UserId): Promise<void>;
  unblock(userId: UserId, blocked: UserId): Promise<void>;
}

export interface PushRegistration {
  userId: UserId;
  deviceId: string;
  platform: 'apns-voip' | 'fcm' | 'vendor';
  token: string;
  updatedAt: number;
}

export interface PushTokenStore {
  /** One token per device; registering again replaces it. */
  register(reg: Omit<PushRegistration, 'updatedAt'>): Promise<void>;
  unregister(userId: UserId, deviceId: string): Promise<void>;
  listForUser(userId: UserId): Promise<PushRegistration[]>;
}

/** Calls not yet ended, persisted so that a restart (even a crash) does not lose a ringing call. */
export interface LiveCallStore {
  save(call: CallInfo): void;
  delete(callId: string): void;
  loadAll(): Promise<CallInfo[]>;
  flush(): Promise<void>;
}

export interface RecordQuery {
  userId?: UserId;
  /** Epoch ms, inclusive lower bound on createdAt. */
  from?: number;
  /** Epoch ms, exclusive upper bound on createdAt. */
  before?: number;
  limit?: number;
}

export interface RecordStore {
  add(record: CallRecord): void;
  /** Newest first; `userId` matches the caller or any participant. */
  query(query: RecordQuery): Promise<CallRecord[]>;
  get(callId: string): Promise<CallRecord | undefined>;
  flush(): Promise<void>;
}

export interface Stores {
  users: UserStore;
  pushTokens: PushTokenStore;
  liveCalls: LiveCallStore;
  records: RecordStore;
  contactCenter: ContactCenterStore;
  close(): Promise<void>;
}
