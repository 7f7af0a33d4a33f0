import { Redis } from 'ioredis';
import type { CallInfo, MediaKind, MediaTicketClaims, UserId } from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { MediaPlane } from '../calls/ports.js';
import type { Logger } from '../logger.js';
import { TokenService } from '../tokens.js';
import type { MediaTicketIssuer } from './media-tickets.js';
import { NodeDirectory } from './node-directory.js';
import {
  type Registration,
  SFU_EVENTS_CHANNEL,
  type SfuCommand,
  commandChannel,
  parseWire,
  placementKey,
  sfuNodeEventSchema,
} from './node-wire.js';

/** What the call engine answers for media on SFU nodes (as it does for the in-process SFU). */
export interface RemoteMediaAuthority {
  /** Is the call live on this signaling node (its events are this node's to act on)? */
  knows(callId: string): boolean;
  onMediaFailed(callId: string, why: 'not-connected' | 'no-sfu-node'): void;
  onMediaLost(callId: string, userId: UserId): void;
  onMediaBack(callId: string, userId: UserId): void;
}

export interface RemoteMediaPlaneOptions {
  redisUrl: string;
  ticketSecret: string;
  heartbeatIntervalMs: number;
  registrationTtlMs: number;
  logger: Logger;
}

/** What signaling keeps about a call whose room is on an SFU node. */
interface PlacedCall {
  callId: string;
  sfuId: string;
  /** Moderator mutes, replayed on the node a call moves to. */
  mutes: Map<UserId, Set<MediaKind>>;
  /** Users whose media connected on the node: their rejoin window opens if the node is lost. */
  connected: Set<UserId>;
}

/** Placements are kept in Redis for other signaling nodes; a day bounds what a crash leaves. */
const PLACEMENT_TTL_MS = 86_400_000;

/**
 * The media plane of `role: signaling`: each active call's room goes on the least-loaded live SFU
 * node, conference control is sent there (`tp:to-sfu:<id>`), what the nodes report about media
 * comes back (`tp:sfu:events`), and media tickets are signed for the call's node. A lost node's
 * calls move to another node (their participants' SFU sockets are gone: the clients rejoin with
 * a fresh ticket, which now names the new node), or end when no node is left.
 */
export class RemoteMediaPlane implements MediaPlane, MediaTicketIssuer {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly directory: NodeDirectory;
  private readonly signer: TokenService;
  private readonly calls = new Map<string, PlacedCall>();
  /** Who holds each call (issue 18), replayed on the node a call moves to, as mutes are. */
  private readonly holds = new Map<string, Set<UserId>>();
  private readonly log: Logger;
  private authority: RemoteMediaAuthority | undefined;

  constructor(private readonly o: RemoteMediaPlaneOptions) {
    this.log = o.logger.child({ component: 'sfu-nodes' });
    this.redis = new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.subscriber = new Redis(o.redisUrl, { lazyConnect: true });
    for (const r of [this.redis, this.subscriber]) {
      r.on('error', (error) => {
        this.log.warn({ err: error }, 'redis error');
      });
    }
    this.signer = new TokenService(o.ticketSecret, { accessSec: 60, refreshSec: 300 });
    this.directory = new NodeDirectory({
      redis: this.redis,
      intervalMs: o.heartbeatIntervalMs,
      ttlMs: o.registrationTtlMs,
      logger: this.log,
      onLost: (node) => {
        this.nodeLost(node);
      },
    });
  }

  async start(authority: RemoteMediaAuthority): Promise<void> {
    this.authority = authority;
    await Promise.all([this.redis.connect(), this.subscriber.connect()]);
    this.subscriber.on('message', (_channel: string, text: string) => {
      this.onEvent(text);
    });
    await this.subscriber.subscribe(SFU_EVENTS_CHANNEL);
    await this.directory.start();
    this.log.info({ nodes: this.directory.nodes().map((n) => n.id) }, 'sfu nodes known');
  }

  async close(): Promise<void> {
    this.directory.stop();
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => undefined);
  }

  /** The live SFU nodes as last read (tests, health). */
  nodes(): readonly Registration[] {
    return this.directory.nodes();
  }

  /** The node a call's room is on, if placed here. */
  nodeOf(callId: string): string | undefined {
    return this.calls.get(callId)?.sfuId;
  }

  /** Users whose media the call's node reported connected (tests, tools). */
  mediaConnected(callId: string): UserId[] {
    return [...(this.calls.get(callId)?.connected ?? [])];
  }

  // ---- MediaPlane ------------------------------------------------------------------------------

  callActive(call: CallInfo): void {
    const placed = this.place(call.callId, new Map());
    if (placed) this.send(placed, { type: 'callActive', callId: call.callId });
  }

  participantLeft(callId: string, userId: UserId, reason: 'left' | 'removed'): void {
    const placed = this.calls.get(callId);
    placed?.connected.delete(userId);
    this.command(callId, { type: 'participantLeft', callId, userId, reason, at: Date.now() });
  }

  setMuted(callId: string, userId: UserId, kind: MediaKind, muted: boolean): void {
    const placed = this.calls.get(callId);
    if (placed) {
      let kinds = placed.mutes.get(userId);
      if (!kinds) placed.mutes.set(userId, (kinds = new Set()));
      if (muted) kinds.add(kind);
      else kinds.delete(kind);
    }
    this.command(callId, { type: 'setMuted', callId, userId, kind, muted });
  }

  setHeld(callId: string, userId: UserId, held: boolean): void {
    let holders = this.holds.get(callId);
    if (held) {
      if (!holders) this.holds.set(callId, (holders = new Set()));
      holders.add(userId);
    } else {
      holders?.delete(userId);
      if (holders?.size === 0) this.holds.delete(callId);
    }
    this.command(callId, { type: 'setHeld', callId, userId, held });
  }

  callEnded(callId: string): void {
    this.command(callId, { type: 'callEnded', callId });
    this.calls.delete(callId);
    this.holds.delete(callId);
    this.redis.del(placementKey(callId)).catch(() => undefined);
  }

  /** A disabled account: out of every room on every node. */
  userGone(userId: UserId): void {
    for (const node of this.directory.nodes()) {
      void this.publish(node.id, { type: 'userGone', userId, at: Date.now() });
    }
  }

  // ---- MediaTicketIssuer -----------------------------------------------------------------------

  /** A ticket signed for the node the call's room is on (placed now if it is nowhere yet). */
  async issue(
    claims: MediaTicketClaims,
    ttlSec: number,
  ): Promise<{ ticket: string; expiresAt: number; sfuUrl: string }> {
    const node = await this.nodeFor(claims.callId);
    const { ticket, expiresAt } = await this.signer.issueMediaTicket(claims, ttlSec, node.url);
    return { ticket, expiresAt, sfuUrl: node.url };
  }

  // ---- internals -------------------------------------------------------------------------------

  /** The least-loaded live node: rooms it reports or that this node placed there, then transports. */
  private leastLoaded(except?: string): Registration | undefined {
    const placedHere = new Map<string, number>();
    for (const c of this.calls.values())
      placedHere.set(c.sfuId, (placedHere.get(c.sfuId) ?? 0) + 1);
    const score = (n: Registration): number => Math.max(n.load.rooms, placedHere.get(n.id) ?? 0);
    return this.directory
      .nodes()
      .filter((n) => n.id !== except)
      .sort(
        (a, b) =>
          score(a) - score(b) || a.load.transports - b.load.transports || (a.id < b.id ? -1 : 1),
      )[0];
  }

  /** Places the call on a node (or ends it: no node is left); undefined when it ended. */
  private place(
    callId: string,
    mutes: Map<UserId, Set<MediaKind>>,
    except?: string,
  ): PlacedCall | undefined {
    const node = this.leastLoaded(except);
    if (!node) {
      this.calls.delete(callId);
      this.log.error({ callId }, 'no SFU node is live: the call ends');
      this.authority?.onMediaFailed(callId, 'no-sfu-node');
      return undefined;
    }
    const placed: PlacedCall = { callId, sfuId: node.id, mutes, connected: new Set() };
    this.calls.set(callId, placed);
    this.redis
      .set(placementKey(callId), node.id, 'PX', PLACEMENT_TTL_MS)
      .catch((error: unknown) => {
        this.log.warn({ err: error, callId }, 'placement not stored');
      });
    this.log.info({ callId, sfuNode: node.id, load: node.load }, 'call placed on sfu node');
    return placed;
  }

  private async nodeFor(callId: string): Promise<Registration> {
    const placed = this.calls.get(callId);
    const known = placed && this.directory.get(placed.sfuId);
    if (known) return known;
    // Placed by another signaling node (before a takeover), or not yet anywhere.
    const stored = await this.redis.get(placementKey(callId)).catch(() => null);
    const storedNode = stored === null ? undefined : this.directory.get(stored);
    if (storedNode) {
      this.calls.set(callId, {
        callId,
        sfuId: storedNode.id,
        mutes: new Map(),
        connected: new Set(),
      });
      return storedNode;
    }
    const fresh = this.place(callId, placed?.mutes ?? new Map<UserId, Set<MediaKind>>());
    const node = fresh && this.directory.get(fresh.sfuId);
    if (!node) throw new ProtocolError('invalid-state', 'no SFU node is available for this call');
    return node;
  }

  private nodeLost(node: Registration): void {
    for (const placed of [...this.calls.values()]) {
      if (placed.sfuId !== node.id) continue;
      const moved = this.place(placed.callId, placed.mutes, node.id);
      // Whose media was connected there has none now: their rejoin window opens.
      for (const userId of placed.connected) this.authority?.onMediaLost(placed.callId, userId);
      if (!moved) continue;
      this.log.warn(
        { callId: placed.callId, from: node.id, to: moved.sfuId },
        'call moved to another sfu node',
      );
      this.send(moved, { type: 'callActive', callId: moved.callId });
      for (const [userId, kinds] of moved.mutes) {
        for (const kind of kinds)
          this.send(moved, { type: 'setMuted', callId: moved.callId, userId, kind, muted: true });
      }
      for (const userId of this.holds.get(moved.callId) ?? []) {
        this.send(moved, { type: 'setHeld', callId: moved.callId, userId, held: true });
      }
    }
  }

  private command(callId: string, command: SfuCommand): void {
    const placed = this.calls.get(callId);
    if (placed) {
      this.send(placed, command);
      return;
    }
    // Placed by another signaling node: its placement is in Redis.
    this.redis
      .get(placementKey(callId))
      .then((sfuId) => {
        if (sfuId !== null) void this.publish(sfuId, command);
      })
      .catch(() => undefined);
  }

  private send(placed: PlacedCall, command: SfuCommand): void {
    void this.publish(placed.sfuId, command);
  }

  private async publish(sfuId: string, command: SfuCommand): Promise<void> {
    try {
      const receivers = await this.redis.publish(commandChannel(sfuId), JSON.stringify(command));
      if (receivers === 0) this.confirmDeaf(sfuId);
    } catch (error) {
      this.log.error({ err: error, sfuNode: sfuId, command: command.type }, 'sfu command not sent');
    }
  }

  /**
   * Nobody heard a command on the node's channel. Its subscriber may be reconnecting (Redis
   * restarted) rather than gone: the node is lost only if still nobody listens a heartbeat later,
   * whatever its registration says; moving the calls of a live node would cut their media.
   */
  private confirmDeaf(sfuId: string): void {
    setTimeout(() => {
      this.redis
        .pubsub('NUMSUB', commandChannel(sfuId))
        .then((reply) => {
          if (Number(reply[1] ?? 0) > 0) return;
          this.log.warn({ sfuNode: sfuId }, 'sfu node does not listen to its commands: lost');
          this.directory.lost(sfuId);
        })
        .catch(() => undefined);
    }, this.o.heartbeatIntervalMs).unref();
  }

  private onEvent(text: string): void {
    const event = parseWire(sfuNodeEventSchema, text, (why) => {
      this.log.warn({ why }, 'sfu event refused');
    });
    if (!event || !this.authority?.knows(event.callId)) return;
    const placed = this.calls.get(event.callId);
    // Events of a node the call has left (it was found lost, then spoke) change nothing.
    if (placed && placed.sfuId !== event.sfuId) return;
    if (event.type === 'mediaFailed') {
      this.authority.onMediaFailed(event.callId, 'not-connected');
      return;
    }
    if (event.userId === undefined) return;
    if (event.type === 'mediaBack') {
      placed?.connected.add(event.userId);
      this.authority.onMediaBack(event.callId, event.userId);
    } else {
      placed?.connected.delete(event.userId);
      this.authority.onMediaLost(event.callId, event.userId);
    }
  }
}
