import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { UserId } from '../../protocol/index.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { Logger } from '../logger.js';
import type { Services } from '../signaling/context.js';
import type { Handler, SessionRequestType } from '../signaling/handlers/types.js';
import type { LiveCallStore } from '../store/types.js';
import { ClusterBus } from './bus.js';
import { CallForwarding } from './call-forwarding.js';
import { OwnedLiveCallStore } from './call-ownership.js';
import type { ClusterConfig } from './cluster-config.js';
import { ClusterPresence } from './cluster-presence.js';
import { ClusterSessionRegistry } from './cluster-sessions.js';
import { type NodeMessage, nodeChannel, nodeMessageSchema, parseMessage } from './messages.js';
import { NodeLease } from './node-lease.js';
import { OutboxClaims } from './outbox-claims.js';
import { Takeover } from './takeover.js';

/**
 * One signaling node of a cluster: its Redis connections, lease, session directory, presence
 * sharing and call forwarding. Built by app.ts only when `cluster` is configured, in two steps:
 * `connect` before the services (they are built on its registry and store), `start` after.
 */
export class ClusterNode {
  readonly sessions: ClusterSessionRegistry;
  readonly presence: ClusterPresence;
  private readonly forwarding: CallForwarding;
  private readonly lease: NodeLease;
  private liveCalls: OwnedLiveCallStore | undefined;
  private takeover: Takeover | undefined;
  private fenced: (() => void) | undefined;
  private takenOver: (() => void) | undefined;
  /** Who sends each webhook of the shared outbox (once per cluster). */
  readonly outboxClaims: OutboxClaims;

  private constructor(
    readonly nodeId: string,
    private readonly bus: ClusterBus,
    private readonly config: ClusterConfig,
    private readonly logger: Logger,
  ) {
    this.sessions = new ClusterSessionRegistry(nodeId, bus, logger);
    this.presence = new ClusterPresence(nodeId, bus, logger);
    this.outboxClaims = new OutboxClaims(nodeId, bus);
    this.lease = new NodeLease({
      nodeId,
      token: randomUUID(),
      leaseMs: config.leaseMs,
      bus,
      logger,
      onLost: () => {
        this.fenced?.();
      },
    });
    this.sessions.onNodeGone((gone) => {
      if (gone !== nodeId) this.presence.nodeGone(gone);
    });
    this.forwarding = new CallForwarding({
      nodeId,
      bus,
      timeoutMs: config.forwardTimeoutMs,
      logger,
      deciding: () => this.lease.holds(),
    });
  }

  static async connect(config: ClusterConfig, parent: Logger): Promise<ClusterNode> {
    const nodeId = config.nodeId ?? `${os.hostname()}-${String(process.pid)}`;
    const logger = parent.child({ nodeId });
    const bus = new ClusterBus(config.redisUrl, logger);
    try {
      await bus.connect();
    } catch (error) {
      bus.disconnect();
      throw new Error(
        `cluster: cannot reach Redis at ${config.redisUrl}: ${(error as Error).message}`,
      );
    }
    const node = new ClusterNode(nodeId, bus, config, logger);
    await node.lease.acquire();
    return node;
  }

  /** The live-call store the engine writes through: ownership goes to Redis with each call. */
  ownLiveCalls(store: LiveCallStore): LiveCallStore {
    this.liveCalls = new OwnedLiveCallStore(store, this.nodeId, this.bus, this.logger);
    return this.liveCalls;
  }

  /** What the engine tells presence, shared with the other nodes. */
  ownCallsChanged(userIds: readonly UserId[], calls: CallEngine): void {
    this.presence.ownCallsChanged(userIds, (userId) => calls.inOwnActiveCall(userId));
  }

  handlerFor<T extends SessionRequestType>(type: T, local: Handler<T>): Handler<T> {
    return this.forwarding.handlerFor(type, local);
  }

  /** May this node decide now (it holds its lease)? */
  deciding(): boolean {
    return this.lease.holds();
  }

  /** Called once when the lease is lost: the app stops deciding and lets its clients go. */
  onFenced(stop: () => void): void {
    this.fenced = stop;
  }

  /** Called after each takeover of a dead node's calls. */
  onTakenOver(listener: () => void): void {
    this.takenOver = listener;
  }

  /** Subscribes and loads the replicas; from now on other nodes' changes reach `services`. */
  async start(services: Services): Promise<void> {
    this.bus.holdUntilCommitted(services.stores.commits);
    this.forwarding.attach(services);
    await this.bus.subscribe(nodeChannel(this.nodeId), (text) => {
      const message = parseMessage(nodeMessageSchema, text);
      if (message) this.receive(message);
      else this.logger.warn({ text: text.slice(0, 200) }, 'bad node message dropped');
    });
    await this.presence.start(services.presence);
    await this.sessions.start(services.sessionEvents);
  }

  /**
   * Takes the persisted live calls this node may have (its own previous run's, unowned ones,
   * those of dead nodes) and from now on takes over the calls of nodes that die.
   */
  async adoptCalls(calls: CallEngine): Promise<void> {
    const liveCalls = this.liveCalls;
    if (!liveCalls) return;
    calls.adopt(await liveCalls.claimAll());
    this.takeover = new Takeover({
      nodeId: this.nodeId,
      bus: this.bus,
      leaseMs: this.config.leaseMs,
      liveCalls,
      sessions: this.sessions,
      adopt: (taken) => {
        calls.adopt(taken);
        this.takenOver?.();
      },
      deciding: () => this.lease.holds(),
      logger: this.logger,
    });
    await this.takeover.start();
  }

  async close(): Promise<void> {
    this.forwarding.close();
    // Ringing invitations stay persisted (as in one process); with this node gone from the
    // list nobody takes them over until a node with this id starts again.
    await this.takeover?.leave().catch(() => undefined);
    await this.sessions.forgetNode(this.nodeId).catch(() => undefined);
    await this.lease.release();
    await this.bus.close();
  }

  /** Without a goodbye: a fenced node cannot reach Redis anyway. */
  abandon(): void {
    this.takeover?.stop();
    this.forwarding.close();
    this.bus.disconnect();
  }

  private receive(message: NodeMessage): void {
    switch (message.t) {
      case 'frame':
        for (const session of this.sessions.localSessionsOf(message.userId)) {
          if (session.device.id === message.deviceId) session.send(message.frame);
        }
        return;
      case 'close':
        for (const session of this.sessions.localSessionsOf(message.userId)) {
          if (session.sessionId === message.sessionId) session.close(message.reason);
        }
        return;
      case 'request':
        void this.forwarding.handle(message);
        return;
      case 'answer':
        this.forwarding.answered(message);
        return;
    }
  }
}
