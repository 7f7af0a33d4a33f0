import type { DeviceInfo, EventData, UserId } from '../../protocol/index.js';

export type SessionCloseReason = EventData<'session.closing'>['reason'];

/** One signed-in device on one connection. */
export interface Session {
  readonly sessionId: string;
  readonly userId: UserId;
  readonly device: DeviceInfo;
  readonly connectedAt: number;
  /**
   * The session's deadline (epoch ms): the expiry of the access token it signed in or last
   * renewed with (`session.renew`). The heartbeat sweep closes it `auth.sessionRenewGraceSec`
   * after this with `token-expired`.
   */
  expiresAt: number;
  /**
   * The sign-in (refresh-token family) of the access token it signed in or last renewed with;
   * absent for tokens minted by the business server. Revoking it closes the session.
   */
  familyId?: string;
  /** Sends an already-encoded frame; a closed socket drops it silently. */
  send(frame: string): void;
  /** Closes the connection (after telling the client why, where a reason is given). */
  close(reason: SessionCloseReason): void;
}

/**
 * Who is signed in where. The in-process registry is the default; a scaled-out deployment puts a
 * shared implementation (Redis) behind the same interface and routes frames between nodes.
 */
export interface SessionRegistry {
  /** Adds a session; returns the session it replaces (same user and device id), if any. */
  add(session: Session): Session | undefined;
  /** Removes the session; true when it was the user's last one (the user went offline). */
  remove(session: Session): boolean;
  sessionsOf(userId: UserId): readonly Session[];
  isOnline(userId: UserId): boolean;
  /** Number of sessions on this node. */
  size(): number;
  all(): IterableIterator<Session>;
}

export class LocalSessionRegistry implements SessionRegistry {
  private readonly byUser = new Map<UserId, Session[]>();
  private count = 0;

  add(session: Session): Session | undefined {
    const list = this.byUser.get(session.userId) ?? [];
    const index = list.findIndex((s) => s.device.id === session.device.id);
    const replaced = index >= 0 ? list[index] : undefined;
    if (index >= 0) list.splice(index, 1);
    else this.count++;
    list.push(session);
    this.byUser.set(session.userId, list);
    return replaced;
  }

  remove(session: Session): boolean {
    const list = this.byUser.get(session.userId);
    if (!list) return false;
    const index = list.indexOf(session);
    if (index < 0) return false;
    list.splice(index, 1);
    this.count--;
    if (list.length > 0) return false;
    this.byUser.delete(session.userId);
    return true;
  }

  sessionsOf(userId: UserId): readonly Session[] {
    return this.byUser.get(userId) ?? [];
  }

  isOnline(userId: UserId): boolean {
    return this.byUser.has(userId);
  }

  size(): number {
    return this.count;
  }

  *all(): IterableIterator<Session> {
    for (const list of this.byUser.values()) yield* list;
  }
}

/**
 * Delivers frames to users and devices. In one process it reads the registry; across nodes an
 * implementation publishes to the node holding the session.
 */
export interface MessageRouter {
  /** Returns how many devices the frame was handed to. */
  toUser(userId: UserId, frame: string, exceptDeviceId?: string): number;
  toDevice(userId: UserId, deviceId: string, frame: string): boolean;
}

export class LocalMessageRouter implements MessageRouter {
  constructor(private readonly sessions: SessionRegistry) {}

  toUser(userId: UserId, frame: string, exceptDeviceId?: string): number {
    let sent = 0;
    for (const session of this.sessions.sessionsOf(userId)) {
      if (session.device.id === exceptDeviceId) continue;
      session.send(frame);
      sent++;
    }
    return sent;
  }

  toDevice(userId: UserId, deviceId: string, frame: string): boolean {
    const session = this.sessions.sessionsOf(userId).find((s) => s.device.id === deviceId);
    session?.send(frame);
    return session !== undefined;
  }
}
