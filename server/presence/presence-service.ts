import type { Presence, PresenceStatus, UserId } from '../../protocol/index.js';
import { encodeEvent } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { SessionEvents } from '../signaling/session-events.js';
import type { Session, SessionRegistry } from '../signaling/sessions.js';
import type { UserStore } from '../store/types.js';
import { SetMultimap } from '../util/set-multimap.js';

/**
 * Where a presence change made on this node is shared with the other nodes of a cluster (their
 * watchers hear it too). Unset in embedded mode.
 */
export interface PresenceFeed {
  statusChanged(userId: UserId, status: PresenceStatus): void;
  blockChanged(blocker: UserId, blocked: UserId, isBlocked: boolean): void;
}

/**
 * Online state (derived from sessions) and the status a user sets, with subscriptions. A
 * subscriber hears `presence.changed` whenever either part of a watched user's presence changes.
 *
 * A user's presence is hidden from the users they blocked: to them the blocker reads as offline
 * with the default status, in answers and in events, like a user who never signs in. Nothing
 * tells them of the block (call-semantics.md: a blocked caller is not told either).
 */
export class PresenceService {
  /** Status of users we have seen; loaded from the store on first need. */
  private readonly statuses = new Map<UserId, PresenceStatus>();
  private readonly watchers = new SetMultimap<UserId, Session>();
  private readonly watching = new SetMultimap<Session, UserId>();
  /**
   * Whom each watched user blocked, kept while anyone watches them: `publish` decides per
   * watcher, synchronously. Loaded at subscription (no entry yet: still loading, tell nobody),
   * kept current by `blockChanged`: block lists change only through this server's signaling.
   */
  private readonly blocksOf = new Map<UserId, Set<UserId>>();
  /** Users present in an active call now, as last published ("In a call" to their watchers). */
  private readonly inCall = new Set<UserId>();
  /** Is the user in an active call? The call engine answers (set once both exist). */
  private isInCall: (userId: UserId) => boolean = () => false;
  private feed: PresenceFeed | undefined;

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

  /** The presence of these users as `viewer` may see it; unknown ids are left out. */
  async query(viewer: UserId, userIds: readonly UserId[]): Promise<Presence[]> {
    const known = await this.known(userIds);
    const out: Presence[] = [];
    for (const userId of known) out.push(await this.seenBy(viewer, userId));
    return out;
  }

  async subscribe(session: Session, userIds: readonly UserId[]): Promise<Presence[]> {
    const known = await this.known(userIds);
    // Watchers first: a block list loaded while the user is watched stays until nobody is.
    for (const userId of known) {
      this.watching.add(session, userId);
      this.watchers.add(userId, session);
    }
    for (const userId of known) {
      if (this.blocksOf.has(userId)) continue;
      const blocked = await this.users.getBlocked(userId);
      if (this.watchers.has(userId) && !this.blocksOf.has(userId)) {
        this.blocksOf.set(userId, new Set(blocked));
      }
    }
    const out: Presence[] = [];
    for (const userId of known) out.push(await this.seenBy(session.userId, userId));
    return out;
  }

  unsubscribe(session: Session, userIds: readonly UserId[]): void {
    if (!this.watching.has(session)) return;
    for (const userId of userIds) {
      this.watching.delete(session, userId);
      this.watchers.delete(userId, session);
      if (!this.watchers.has(userId)) this.blocksOf.delete(userId);
    }
  }

  /**
   * `blocker` blocked (or unblocked) `blocked`: the blocked user's sessions watching the blocker
   * see them go offline at once (or come back as they are).
   */
  blockChanged(blocker: UserId, blocked: UserId, isBlocked: boolean): void {
    this.feed?.blockChanged(blocker, blocked, isBlocked);
    this.applyBlock(blocker, blocked, isBlocked);
  }

  /** Cluster mode: changes made on this node are shared through `feed`. */
  shareWith(feed: PresenceFeed): void {
    this.feed = feed;
  }

  /** Another node's user changed their status: the watchers here hear it. */
  applyRemoteStatus(userId: UserId, status: PresenceStatus): void {
    if (this.statuses.get(userId) === status) return;
    if (!this.statuses.has(userId) && !this.watchers.has(userId)) return; // Loaded when needed.
    this.statuses.set(userId, status);
    this.publish(userId);
  }

  /** Another node's user blocked or unblocked someone. */
  applyRemoteBlock(blocker: UserId, blocked: UserId, isBlocked: boolean): void {
    this.applyBlock(blocker, blocked, isBlocked);
  }

  private applyBlock(blocker: UserId, blocked: UserId, isBlocked: boolean): void {
    const list = this.blocksOf.get(blocker);
    if (!list) return; // Nobody watches the blocker: the next subscription loads the list.
    if (isBlocked) list.add(blocked);
    else list.delete(blocked);
    const frame = encodeEvent(
      'presence.changed',
      isBlocked ? hiddenPresence(blocker) : this.current(blocker),
    );
    for (const session of this.watchers.get(blocker)) {
      if (session.userId === blocked) session.send(frame);
    }
    this.logger.debug({ userId: blocker, blocked, isBlocked }, 'block changed');
  }

  /** Forgets everything a closed session watched. */
  dropSession(session: Session): void {
    this.unsubscribe(session, [...this.watching.get(session)]);
  }

  /**
   * Sessions subscribed to this user's presence and allowed to see it (seat calling tells them
   * the agent status).
   */
  watchersOf(userId: UserId): ReadonlySet<Session> {
    const all = this.watchers.get(userId);
    const hidden = this.blocksOf.get(userId);
    if (!hidden) return all.size === 0 ? all : new Set();
    if (hidden.size === 0) return all;
    return new Set([...all].filter((s) => !hidden.has(s.userId)));
  }

  /** Where "in a call" is read from: the call engine, built after this service. */
  readInCallFrom(isInCall: (userId: UserId) => boolean): void {
    this.isInCall = isInCall;
  }

  /**
   * A call these users are (or were) part of changed: whoever entered or left an active call
   * is published to their watchers; the chosen status is untouched and shows again after.
   */
  callPartiesChanged(userIds: readonly UserId[]): void {
    for (const userId of new Set(userIds)) {
      const now = this.isInCall(userId);
      if (now === this.inCall.has(userId)) continue;
      if (now) this.inCall.add(userId);
      else this.inCall.delete(userId);
      this.logger.debug({ userId, inCall: now }, 'in-call presence changed');
      this.publish(userId);
    }
  }

  async setStatus(userId: UserId, status: PresenceStatus): Promise<void> {
    await this.users.updateSettings(userId, { status });
    if (this.statuses.get(userId) === status) return;
    this.statuses.set(userId, status);
    this.feed?.statusChanged(userId, status);
    this.logger.debug({ userId, status }, 'status changed');
    this.publish(userId);
  }

  /**
   * Follows sign-ins and sign-outs: a user's watchers learn when their first device came online
   * or their last went away, and a session gone stops watching.
   */
  followSessions(events: SessionEvents): void {
    events.on('signed-in', (session, firstDevice) => {
      if (firstDevice) this.onlineChanged(session.userId);
    });
    events.on('signed-out', (session, lastDevice) => {
      this.dropSession(session);
      if (lastDevice) this.onlineChanged(session.userId);
    });
  }

  /** The user's first device came online or the last one went away. */
  private onlineChanged(userId: UserId): void {
    this.publish(userId);
    // Memory stays bounded by the online population: forget statuses of users who left.
    if (!this.sessions.isOnline(userId) && !this.watchers.has(userId)) this.statuses.delete(userId);
  }

  private publish(userId: UserId): void {
    const set = this.watchersOf(userId);
    if (set.size === 0) return;
    const frame = encodeEvent('presence.changed', this.current(userId));
    for (const session of set) session.send(frame);
  }

  private current(userId: UserId): Presence {
    return this.withInCall({
      userId,
      online: this.sessions.isOnline(userId),
      status: this.statuses.get(userId) ?? 'available',
    });
  }

  /** `inCall` only while true, so a presence outside calls reads exactly as before. */
  private withInCall(presence: Presence): Presence {
    return presence.online && this.inCall.has(presence.userId)
      ? { ...presence, inCall: true }
      : presence;
  }

  private async seenBy(viewer: UserId, userId: UserId): Promise<Presence> {
    const loaded = this.blocksOf.get(userId);
    const hidden = loaded ? loaded.has(viewer) : await this.users.isBlocked(viewer, userId);
    if (hidden) return hiddenPresence(userId);
    const status = await this.statusOf(userId);
    return this.withInCall({ userId, online: this.sessions.isOnline(userId), status });
  }

  /** The ids among these that name accounts, each once, in the order asked. */
  private async known(userIds: readonly UserId[]): Promise<UserId[]> {
    const unique = [...new Set(userIds)];
    const accounts = await this.users.getMany(unique);
    return unique.filter((userId) => accounts.has(userId));
  }
}

/** How a user looks to someone they blocked: like a user who is not signed in anywhere. */
const hiddenPresence = (userId: UserId): Presence => ({
  userId,
  online: false,
  status: 'available',
});
