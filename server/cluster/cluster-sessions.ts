import type { UserId } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { SessionEvents } from '../signaling/session-events.js';
import {
  LocalSessionRegistry,
  type Session,
  type SessionCloseReason,
  type SessionRegistry,
} from '../signaling/sessions.js';
import type { ClusterBus } from './bus.js';
import {
  DIRECTORY_CHANNEL,
  type DirectoryMessage,
  type RemoteDevice,
  directoryKey,
  directoryMessageSchema,
  nodeChannel,
  parseMessage,
  remoteDeviceSchema,
} from './messages.js';

/** Removes a directory entry only if it is still the one this node wrote (not a newer sign-in). */
const DELETE_IF_SAME = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

/**
 * A device signed in on another node, as this node's services see it: sending publishes the
 * frame to that node, which hands it to the device's socket.
 */
export class RemoteSession implements Session {
  constructor(
    readonly entry: RemoteDevice,
    private readonly bus: ClusterBus,
  ) {}
  get sessionId(): string {
    return this.entry.sessionId;
  }
  get userId(): UserId {
    return this.entry.userId;
  }
  get device(): RemoteDevice['device'] {
    return this.entry.device;
  }
  get connectedAt(): number {
    return this.entry.connectedAt;
  }
  get expiresAt(): number {
    return this.entry.expiresAt;
  }
  send(frame: string): void {
    const { userId, device } = this.entry;
    this.bus.publishDurable(nodeChannel(this.entry.nodeId), {
      t: 'frame',
      userId,
      deviceId: device.id,
      frame,
    });
  }
  close(reason: SessionCloseReason): void {
    const { userId, sessionId } = this.entry;
    this.bus.publish(nodeChannel(this.entry.nodeId), { t: 'close', userId, sessionId, reason });
  }
}

/**
 * Who is signed in where, across the cluster. This node's own sessions are local; the others
 * are a replica of the Redis directory (`tp:sess:<userId>`), kept current by the directory
 * channel and rebuilt whenever the subscription comes back, so the registry's questions stay
 * synchronous. A device that signs in or out on another node reaches this node's services as
 * the same `signed-in` / `signed-out` events a local one does (with a RemoteSession), so
 * presence watchers, rejoin windows and pending invitations here follow it.
 */
export class ClusterSessionRegistry implements SessionRegistry {
  private readonly local = new LocalSessionRegistry();
  private readonly remote = new Map<UserId, Map<string, RemoteSession>>();
  /** The directory text this node wrote per local session: removal deletes only that. */
  private readonly written = new WeakMap<Session, string>();
  private events: SessionEvents | undefined;
  private readonly nodeGoneListeners: ((nodeId: string) => void)[] = [];

  constructor(
    private readonly nodeId: string,
    private readonly bus: ClusterBus,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to the directory channel and loads the directory; remote changes go to `events`. */
  async start(events: SessionEvents): Promise<void> {
    this.events = events;
    await this.bus.subscribe(DIRECTORY_CHANNEL, (text) => {
      const message = parseMessage(directoryMessageSchema, text);
      if (message) this.apply(message);
      else this.logger.warn({ text: text.slice(0, 200) }, 'bad directory message dropped');
    });
    this.bus.resubscribed(() => {
      void this.rebuild();
    });
    await this.forgetNode(this.nodeId); // A node id reused after a crash held nothing now.
    await this.rebuild();
  }

  add(session: Session): Session | undefined {
    const entry: RemoteDevice = {
      nodeId: this.nodeId,
      sessionId: session.sessionId,
      userId: session.userId,
      device: session.device,
      connectedAt: session.connectedAt,
      expiresAt: session.expiresAt,
    };
    const text = JSON.stringify(entry);
    this.written.set(session, text);
    const replaced = this.local.add(session) ?? this.takeRemote(session.userId, session.device.id);
    this.bus.redis.hset(directoryKey(session.userId), session.device.id, text).catch(this.failed);
    this.bus.publish(DIRECTORY_CHANNEL, { t: 'on', entry } satisfies DirectoryMessage);
    return replaced;
  }

  remove(session: Session): boolean {
    if (!this.local.remove(session)) return false;
    const text = this.written.get(session);
    if (text !== undefined) {
      this.bus.redis
        .eval(DELETE_IF_SAME, 1, directoryKey(session.userId), session.device.id, text)
        .catch(this.failed);
    }
    this.bus.publish(DIRECTORY_CHANNEL, {
      t: 'off',
      nodeId: this.nodeId,
      userId: session.userId,
      deviceId: session.device.id,
      sessionId: session.sessionId,
    } satisfies DirectoryMessage);
    return !this.isOnline(session.userId);
  }

  sessionsOf(userId: UserId): readonly Session[] {
    const here = this.local.sessionsOf(userId);
    const there = this.remote.get(userId);
    if (!there) return here;
    return [...here, ...there.values()];
  }

  /** This node's own sessions of the user. */
  localSessionsOf(userId: UserId): readonly Session[] {
    return this.local.sessionsOf(userId);
  }

  isOnline(userId: UserId): boolean {
    return this.local.isOnline(userId) || this.remote.has(userId);
  }

  size(): number {
    return this.local.size();
  }

  all(): IterableIterator<Session> {
    return this.local.all();
  }

  /** Another node is gone (its devices were just dropped from the replica). */
  onNodeGone(listener: (nodeId: string) => void): void {
    this.nodeGoneListeners.push(listener);
  }

  /** Removes every directory entry of a node (a dead one, or this one at start) and says so. */
  async forgetNode(nodeId: string): Promise<void> {
    for await (const keys of this.bus.redis.scanStream({ match: 'tp:sess:*', count: 500 })) {
      for (const key of keys as string[]) {
        const fields = await this.bus.redis.hgetall(key);
        for (const [deviceId, text] of Object.entries(fields)) {
          const entry = parseMessage(remoteDeviceSchema, text);
          if (entry?.nodeId === nodeId)
            await this.bus.redis.eval(DELETE_IF_SAME, 1, key, deviceId, text);
        }
      }
    }
    this.bus.publish(DIRECTORY_CHANNEL, { t: 'node-gone', nodeId } satisfies DirectoryMessage);
  }

  /** Reloads the replica from the directory, telling the services what changed meanwhile. */
  async rebuild(): Promise<void> {
    const seen = new Map<string, RemoteDevice>();
    for await (const keys of this.bus.redis.scanStream({ match: 'tp:sess:*', count: 500 })) {
      for (const key of keys as string[]) {
        for (const text of Object.values(await this.bus.redis.hgetall(key))) {
          const entry = parseMessage(remoteDeviceSchema, text);
          if (entry && entry.nodeId !== this.nodeId) seen.set(entry.sessionId, entry);
        }
      }
    }
    for (const devices of [...this.remote.values()]) {
      for (const session of [...devices.values()]) {
        if (!seen.has(session.sessionId)) this.dropRemote(session.entry);
      }
    }
    for (const entry of seen.values()) this.addRemote(entry);
  }

  private apply(message: DirectoryMessage): void {
    if (message.t === 'node-gone') {
      for (const listener of this.nodeGoneListeners) listener(message.nodeId);
      for (const devices of [...this.remote.values()]) {
        for (const session of [...devices.values()]) {
          if (session.entry.nodeId === message.nodeId) this.dropRemote(session.entry);
        }
      }
      return;
    }
    if (message.t === 'on') {
      if (message.entry.nodeId !== this.nodeId) this.addRemote(message.entry);
      return;
    }
    if (message.nodeId !== this.nodeId) this.dropRemote(message);
  }

  private addRemote(entry: RemoteDevice): void {
    const current = this.remote.get(entry.userId)?.get(entry.device.id);
    if (current?.sessionId === entry.sessionId) return;
    // The same device signed in there: its session here (if any) was replaced by that one.
    for (const session of this.local.sessionsOf(entry.userId)) {
      if (session.device.id === entry.device.id && session.connectedAt <= entry.connectedAt) {
        session.close('replaced');
      }
    }
    const firstDevice = !this.isOnline(entry.userId);
    const devices = this.remote.get(entry.userId) ?? new Map<string, RemoteSession>();
    const session = new RemoteSession(entry, this.bus);
    devices.set(entry.device.id, session);
    this.remote.set(entry.userId, devices);
    if (current) this.events?.emit('signed-out', current, false);
    this.events?.emit('signed-in', session, firstDevice && !current);
  }

  private dropRemote(gone: { userId: UserId; sessionId: string }): void {
    const devices = this.remote.get(gone.userId);
    if (!devices) return;
    for (const [deviceId, session] of devices) {
      if (session.sessionId !== gone.sessionId) continue;
      devices.delete(deviceId);
      if (devices.size === 0) this.remote.delete(gone.userId);
      this.events?.emit('signed-out', session, !this.isOnline(gone.userId));
      return;
    }
  }

  /** A local sign-in replaces the same device on another node: that node closes it. */
  private takeRemote(userId: UserId, deviceId: string): Session | undefined {
    const devices = this.remote.get(userId);
    const session = devices?.get(deviceId);
    if (!devices || !session) return undefined;
    devices.delete(deviceId);
    if (devices.size === 0) this.remote.delete(userId);
    return session;
  }

  private readonly failed = (error: unknown): void => {
    this.logger.warn({ err: error }, 'directory write failed');
  };
}
