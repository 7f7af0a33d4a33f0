import type { OutboxEntry } from '../store/outbox-entry.js';
import type { OutboxDeliveries } from '../webhooks/webhook-outbox.js';
import type { ClusterBus } from './bus.js';

/** How long a delivery stays its writer's: longer than the sender's retries. */
const CLAIM_MS = 24 * 3_600_000;
const claimKey = (deliveryId: string): string => `tp:lease:webhook:${deliveryId}`;

/**
 * Takes a delivery unless a live node holds it: never claimed, or claimed by a node whose lease
 * is gone (or by this node id, at a start: its previous run's). ARGV: this node, include own.
 */
const TAKE = `local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] and ARGV[2] ~= '1' then return 0 end
if holder == false or holder == ARGV[1] or redis.call('EXISTS', 'tp:node:' .. holder) == 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) return 1 end
return 0`;

/**
 * Webhooks once per cluster: the node that wrote an outbox entry claims its delivery and sends
 * it; entries a dead node left are resent by the one node that claims each of them (at a start
 * and after each takeover), never by every node that reads the shared outbox.
 */
export class OutboxClaims implements OutboxDeliveries {
  constructor(
    private readonly nodeId: string,
    private readonly bus: ClusterBus,
  ) {}

  claim(deliveryId: string): void {
    this.bus.redis.set(claimKey(deliveryId), this.nodeId, 'PX', CLAIM_MS).catch(() => undefined);
  }

  async takeLeft(entries: readonly OutboxEntry[], includeOwn: boolean): Promise<OutboxEntry[]> {
    const mine: OutboxEntry[] = [];
    for (const entry of entries) {
      const won = await this.bus.redis.eval(
        TAKE,
        1,
        claimKey(entry.deliveryId),
        this.nodeId,
        includeOwn ? '1' : '0',
        CLAIM_MS,
      );
      if (won === 1) mine.push(entry);
    }
    return mine;
  }
}
