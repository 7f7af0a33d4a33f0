/**
 * Storage seams. One process with SQLite is the default; a scaled-out deployment adds other
 * implementations (PostgreSQL for accounts and records, Redis for live state) behind these same
 * interfaces, so handlers never change.
 *
 * Hot-path writes (live calls, records) are group-committed: `save`/`add` only enqueue and return
 * at once; the store commits each event-loop turn's writes as one batch, and `commits` tells
 * whoever answers or announces a step when the writes made before it are durable (signaling
 * frames wait for that: see `CommitBarrier`). `flush()` waits for everything enqueued so far.
 */
import type {
  CallInfo,
  CallRecord,
  PresenceStatus,
  UserId,
  UserSettings,
} from '../../protocol/index.js';
import type { ContactCenterStore } from './contact-center.js';
import type { IssuedClaims } from '../tokens.js';
import type { OutboxEntry } from './outbox-entry.js';

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
  /** Also revokes every sign-in of the user (`password-changed`), in the same transaction. */
  setPassword(userId: UserId, password: string): Promise<void>;
  /** Disabling also revokes every sign-in of the user (`account-disabled`), in one transaction. */
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

/**
 * Where a step's acknowledgement waits: a frame that tells anyone about a step may leave only
 * once the writes made before it are committed, so that what a client saw survives a crash.
 * Tickets grow with time; a ticket taken now covers every write made so far.
 */
export interface CommitBarrier {
  ticket(): number;
  isCommitted(ticket: number): boolean;
  /** Calls `release` once `ticket` is committed (at once if it is). */
  whenCommitted(ticket: number, release: () => void): void;
}

/** A live call as an earlier run left it in the store. */
export interface PersistedLiveCall {
  info: CallInfo;
  /**
   * When the server was last known to have persisted something about it (its own last write, or
   * the store's periodic note that the server was alive, whichever is later): a call cut by a
   * crash ended at about this time, and never later.
   */
  persistedAt: number;
}

/**
 * Calls not yet ended, persisted so that a restart (even a crash) does not lose a ringing call.
 * Deleting a live call and adding its record in the same turn commit together.
 */
export interface LiveCallStore {
  save(call: CallInfo): void;
  delete(callId: string): void;
  loadAll(): Promise<PersistedLiveCall[]>;
  flush(): Promise<void>;
}

export interface RecordQuery {
  userId?: UserId;
  /** Epoch ms, inclusive lower bound on createdAt. */
  from?: number;
  /** Epoch ms, exclusive upper bound on createdAt. */
  before?: number;
  /** Only records strictly older than this key in the (createdAt, callId) order: paging. */
  olderThan?: RecordKey;
  limit?: number;
}

/** A record's place in the store's order: newest first by createdAt, then by callId. */
export interface RecordKey {
  createdAt: number;
  callId: string;
}

export interface RecordStore {
  add(record: CallRecord): void;
  /** Newest first by (createdAt, callId); `userId` matches the caller or any participant. */
  query(query: RecordQuery): Promise<CallRecord[]>;
  get(callId: string): Promise<CallRecord | undefined>;
  flush(): Promise<void>;
}

/**
 * Webhooks not yet delivered (server/webhooks/webhook-outbox.ts). `add` joins the call's writes
 * of this turn: the entry commits with the step it tells of, or not at all.
 */
export interface WebhookOutboxStore {
  add(callId: string, entry: OutboxEntry): void;
  /** Delivered or given up: it is not sent again. */
  remove(deliveryId: string): void;
  /** What an earlier run left undelivered, oldest first; rows that fail the schema are skipped. */
  loadAll(): Promise<OutboxEntry[]>;
}

/** Why a sign-in (a family of refresh tokens) was revoked. */
export type RevocationReason =
  'signed-out' | 'signed-out-everywhere' | 'token-reused' | 'password-changed' | 'account-disabled';

/** What exchanging a refresh token did (`SignInFamilyStore.rotate`). */
export type RotationOutcome =
  | { outcome: 'rotated' }
  /**
   * The token presented is the one the family's current token replaced, at most the reuse grace
   * ago: a retry after a lost answer, or another tab refreshing at the same moment. Not a reuse:
   * the current token's claims come back, to be signed again (the same token).
   */
  | { outcome: 'retried'; current: IssuedClaims }
  /** An already-rotated token of a live family was presented: the family is revoked now. */
  | { outcome: 'reused' }
  | { outcome: 'revoked'; reason: RevocationReason }
  /** No such family (never started, or expired and pruned). */
  | { outcome: 'unknown' };

/**
 * Sign-ins, each a family of refresh tokens descended from one login: only the latest token of a
 * family is valid (rotation). Presenting an older one means it was copied: the whole family is
 * revoked, so the thief and the owner both sign in again. Durable: revocation survives restarts.
 */
export interface SignInFamilyStore {
  /** A new sign-in whose first refresh token is `tokenId`; a family id already stored is kept. */
  start(family: { familyId: string; userId: UserId; token: IssuedClaims }): Promise<void>;
  /**
   * Exchanges the current token `fromTokenId` for `to`, atomically (one winner of a race). The
   * token the current one replaced, presented within `graceMs` of that, is `retried`.
   */
  rotate(
    familyId: string,
    userId: UserId,
    fromTokenId: string,
    to: IssuedClaims,
    graceMs: number,
  ): Promise<RotationOutcome>;
  /** True when the family was live and is revoked now. */
  revoke(familyId: string, userId: UserId, reason: RevocationReason): Promise<boolean>;
  /** Revokes every live family of the user; returns how many. */
  revokeAllOf(userId: UserId, reason: RevocationReason): Promise<number>;
  /** Of these families, the ones that are revoked or unknown. */
  revokedAmong(familyIds: readonly string[]): Promise<Set<string>>;
}

export interface Stores {
  users: UserStore;
  families: SignInFamilyStore;
  pushTokens: PushTokenStore;
  liveCalls: LiveCallStore;
  records: RecordStore;
  contactCenter: ContactCenterStore;
  outbox: WebhookOutboxStore;
  /** When call-data writes are committed (see `CommitBarrier`). */
  commits: CommitBarrier;
  close(): Promise<void>;
}
