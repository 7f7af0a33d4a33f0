import type { Presence, PresenceStatus, UserId } from '../../protocol/index.js';
import type { SignalingClient } from '../signaling/signaling-client.js';

/** The server takes at most this many ids per presence request. */
const CHUNK = 500;

const chunks = <T>(items: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
};

/**
 * The users this device watches: the ones the UI asked for (`watchPresence`) plus favourites.
 * Subscriptions belong to a server session, so they are made again after every (re)connect.
 * The own account is watched too, silently: a status set on another device shows here.
 */
export class PresenceWatch {
  private explicit: UserId[] = [];
  private favourites: UserId[] = [];
  private readonly known = new Map<UserId, Presence>();
  /**
   * Events counted, and the count at each user's latest event. A subscribe answer is handled a
   * microtask after it arrived, possibly after events that followed it on the wire: those are
   * newer than the answer and must not be overwritten by it.
   */
  private events = 0;
  private readonly lastEvent = new Map<UserId, number>();
  private signaling: SignalingClient | undefined;
  private me: UserId | undefined;

  constructor(
    private readonly onChange: () => void,
    private readonly onOwnStatus: (status: PresenceStatus) => void,
  ) {}

  /** Binds to a session's connection (undefined: signed out, forget everything). */
  attach(signaling: SignalingClient | undefined, me: UserId | undefined): void {
    this.signaling = signaling;
    this.me = me;
    this.known.clear();
    this.lastEvent.clear();
    if (!signaling) this.explicit = [];
  }

  watched(): UserId[] {
    return [...new Set([...this.explicit, ...this.favourites])];
  }

  /** Replaces the list the UI watches; resolves once the server confirmed the new ones. */
  async setWatched(userIds: readonly UserId[]): Promise<void> {
    await this.change(() => {
      this.explicit = [...new Set(userIds)];
    });
  }

  async setFavourites(userIds: readonly UserId[]): Promise<void> {
    await this.change(() => {
      this.favourites = [...new Set(userIds)];
    });
  }

  /** After hello: the new session watches nothing yet. */
  async resubscribe(): Promise<void> {
    await this.subscribe(this.watched(), true);
  }

  /** A `presence.changed` event. */
  onPresence(presence: Presence): void {
    this.lastEvent.set(presence.userId, ++this.events);
    if (presence.userId === this.me) this.onOwnStatus(presence.status);
    if (!this.watched().includes(presence.userId)) return;
    this.known.set(presence.userId, presence);
    this.onChange();
  }

  /** Changes with every presence event about the user (compare before and after a request). */
  lastEventOf(userId: UserId): number {
    return this.lastEvent.get(userId) ?? 0;
  }

  snapshot(): Presence[] {
    return this.watched().flatMap((id) => {
      const p = this.known.get(id);
      return p ? [{ ...p }] : [];
    });
  }

  private async change(mutate: () => void): Promise<void> {
    const before = new Set(this.watched());
    mutate();
    const after = this.watched();
    const added = after.filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !after.includes(id));
    for (const id of removed) this.known.delete(id);
    if (removed.length > 0) this.onChange();
    const signaling = this.signaling;
    if (!signaling || signaling.state !== 'connected') return; // The next hello subscribes.
    const own = this.me;
    const stillWatched = removed.filter((id) => id !== own);
    for (const part of chunks(stillWatched)) {
      await signaling.request('presence.unsubscribe', { userIds: part });
    }
    await this.subscribe(added);
  }

  private async subscribe(userIds: readonly UserId[], withSelf = false): Promise<void> {
    const signaling = this.signaling;
    if (!signaling) return;
    const self = withSelf && this.me !== undefined ? [this.me] : [];
    const ids = [...new Set([...userIds, ...self])];
    if (ids.length === 0) return;
    for (const part of chunks(ids)) {
      const sentAt = this.events;
      const { users } = await signaling.request('presence.subscribe', { userIds: part });
      if (signaling !== this.signaling) return; // Signed out meanwhile.
      const watched = new Set(this.watched());
      for (const p of users) {
        if ((this.lastEvent.get(p.userId) ?? 0) > sentAt) continue; // An event said newer.
        if (p.userId === this.me) this.onOwnStatus(p.status);
        if (watched.has(p.userId)) this.known.set(p.userId, p);
      }
    }
    this.onChange();
  }
}
