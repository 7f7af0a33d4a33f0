import type { PresenceStatus, UserId } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { PresenceFeed, PresenceService } from '../presence/presence-service.js';
import type { ClusterBus } from './bus.js';
import {
  PRESENCE_CHANNEL,
  type PresenceMessage,
  parseMessage,
  presenceMessageSchema,
} from './messages.js';

/**
 * Presence across nodes: a status chosen or a block changed on one node reaches the watchers on
 * every node, and "in a call" (decided by each call's owner) is shared, both for watchers and
 * for the busy check of invitations other nodes decide.
 */
export class ClusterPresence implements PresenceFeed {
  /** Users in an active call another node owns, with the nodes that said so. */
  private readonly inCallElsewhere = new Map<UserId, Set<string>>();
  /** Users this node last said were in one of its active calls. */
  private readonly sharedInCall = new Set<UserId>();
  private presence: PresenceService | undefined;

  constructor(
    private readonly nodeId: string,
    private readonly bus: ClusterBus,
    private readonly logger: Logger,
  ) {}

  async start(presence: PresenceService): Promise<void> {
    this.presence = presence;
    presence.shareWith(this);
    await this.bus.subscribe(PRESENCE_CHANNEL, (text) => {
      const message = parseMessage(presenceMessageSchema, text);
      if (!message) {
        this.logger.warn({ text: text.slice(0, 200) }, 'bad presence message dropped');
        return;
      }
      if (message.from !== this.nodeId) this.apply(message);
    });
  }

  statusChanged(userId: UserId, status: PresenceStatus): void {
    this.bus.publish(PRESENCE_CHANNEL, {
      t: 'status',
      from: this.nodeId,
      userId,
      status,
    } satisfies PresenceMessage);
  }

  blockChanged(blocker: UserId, blocked: UserId, isBlocked: boolean): void {
    this.bus.publish(PRESENCE_CHANNEL, {
      t: 'block',
      from: this.nodeId,
      blocker,
      blocked,
      isBlocked,
    } satisfies PresenceMessage);
  }

  /** In an active call owned by another node. */
  busyElsewhere(userId: UserId): boolean {
    return this.inCallElsewhere.has(userId);
  }

  /** Calls of this node changed for these users: share who entered or left an active call. */
  ownCallsChanged(userIds: readonly UserId[], inOwnActiveCall: (userId: UserId) => boolean): void {
    for (const userId of new Set(userIds)) {
      const inCall = inOwnActiveCall(userId);
      if (inCall === this.sharedInCall.has(userId)) continue;
      if (inCall) this.sharedInCall.add(userId);
      else this.sharedInCall.delete(userId);
      this.bus.publish(PRESENCE_CHANNEL, {
        t: 'in-call',
        from: this.nodeId,
        userId,
        inCall,
      } satisfies PresenceMessage);
    }
  }

  /** A node is gone: the calls it said users were in are no longer its to say. */
  nodeGone(nodeId: string): void {
    const changed: UserId[] = [];
    for (const [userId, nodes] of this.inCallElsewhere) {
      if (!nodes.delete(nodeId)) continue;
      if (nodes.size === 0) this.inCallElsewhere.delete(userId);
      changed.push(userId);
    }
    if (changed.length > 0) this.presence?.callPartiesChanged(changed);
  }

  private apply(message: PresenceMessage): void {
    const presence = this.presence;
    if (!presence) return;
    switch (message.t) {
      case 'status':
        presence.applyRemoteStatus(message.userId, message.status);
        return;
      case 'block':
        presence.applyRemoteBlock(message.blocker, message.blocked, message.isBlocked);
        return;
      case 'in-call': {
        const nodes = this.inCallElsewhere.get(message.userId) ?? new Set<string>();
        if (message.inCall) nodes.add(message.from);
        else nodes.delete(message.from);
        if (nodes.size > 0) this.inCallElsewhere.set(message.userId, nodes);
        else this.inCallElsewhere.delete(message.userId);
        presence.callPartiesChanged([message.userId]);
        return;
      }
    }
  }
}
