import type { Presence, PresenceStatus, UserId } from '../../protocol/index.js';
import { encodeEvent } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { Session, SessionRegistry } from '../signaling/sessions.js';
import type { UserStore } from '../store/types.js';
import { SetMultimap } from '../util/set-multimap.js';

/**
 * Online state (derived from sessions) and the status a user sets, with subscriptions. A
 * subscriber hears `presence.changed` whenever either part of a watched user's presence changes.
 */
export class PresenceService {
  /** Status of users we have seen; loaded from the store on first need. */
  private readonly statuses = new Map<UserId, PresenceStatus>();
  private readonly watchers = new SetMultimap<UserId, Session>();
  private readonly watching = new SetMultimap<Session, UserId>();
  private readonly onlineListeners: ((userId: UserId, online: boolean) => void)[] = [];

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly users: UserStore,
    private readonly logger: Logger,
  ) {}

  async statusOf(userId: UserId): Promise<PresenceStatus> {
    const cached = this.statuses.get(userId);
    if (cached) return cached;
    const { status } = await this.users.getSettings(userId);
    this.statuses.set(userId, status);
    return status;
  }

  /** Status if already known in memory (online users always are). */
  cachedStatusOf(userId: UserId): PresenceStatus | undefined {
    return this.statuses.get(userId);
  }

  async query(userIds: readonly UserId[]): Promise<Presence[]> {
    const unique = [...new Set(userIds)];
    const known = await this.users.getMany(unique);
    const out: Presence[] = [];
    for (const userId of unique) {
      if (!known.has(userId)) continue;
      out.push({
        userId,
        online: this.sessions.isOnline(userId),
        status: await this.statusOf(userId),
      });
    }
    return out;
  }

  async subscribe(session: Session, userIds: readonly UserId[]): Promise<Presence[]> {
    const current = await this.query(userIds);
    for (const { userId } of current) {
      this.watching.add(session, userId);
      this.watchers.add(userId, session);
    }
    return current;
  }

  unsubscribe(session: Session, userIds: readonly UserId[]): void {
    if (!this.watching.has(session)) return;
    for (const userId of userIds) {
      this.watching.delete(session, userId);
      this.watchers.delete(userId, session);
    }
  }

  /** Forgets everything a closed session watched. */
  dropSession(session: Session): void {
    this.unsubscribe(session, [...this.watching.get(session)]);
  }

  /** Sessions subscribed to this user's presence (seat calling tells them the agent status). */
  watchersOf(userId: UserId): ReadonlySet<Session> {
    return this.watchers.get(userId);
  }

  async setStatus(userId: UserId, status: PresenceStatus): Promise<void> {
    await this.users.updateSettings(userId, { status });
    if (this.statuses.get(userId) === status) return;
    this.statuses.set(userId, status);
    this.logger.debug({ userId, status }, 'status changed');
    this.publish(userId);
  }

  /**
   * Hears every user whose first device came online or whose last one went away (the call
   * engine's rejoin windows): services subscribe here instead of the connection calling each.
   */
  onOnlineChanged(listener: (userId: UserId, online: boolean) => void): void {
    this.onlineListeners.push(listener);
  }

  /** The user's first device came online or the last one went away. */
  onlineChanged(userId: UserId): void {
    this.publish(userId);
    const online = this.sessions.isOnline(userId);
    for (const listener of this.onlineListeners) listener(userId, online);
    // Memory stays bounded by the online population: forget statuses of users who left.
    if (!this.sessions.isOnline(userId) && !this.watchers.has(userId)) this.statuses.delete(userId);
  }

  private publish(userId: UserId): void {
    const set = this.watchers.get(userId);
    if (set.size === 0) return;
    const frame = encodeEvent('presence.changed', {
      userId,
      online: this.sessions.isOnline(userId),
      status: this.statuses.get(userId) ?? 'available',
    });
    for (const session of set) session.send(frame);
  }
}
