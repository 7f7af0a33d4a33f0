import type { CallInfo } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { LiveCallStore, PersistedLiveCall } from '../store/types.js';
import type { ClusterBus } from './bus.js';
import { callOwnerKey, nodeLeaseKey } from './messages.js';

/** How long an ended call's owner is remembered: late retries of its requests still reach it. */
const ENDED_OWNER_TTL_MS = 120_000;

/**
 * Claims a call's owner key: it is this node's already, or nobody's, or still the expected
 * (former) owner's whose lease (KEYS[2]) is gone. One script, so a node coming back to life
 * between the check and the claim keeps its call, and two nodes never both win.
 */
const CLAIM = `local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then return 1 end
if current ~= false and current ~= ARGV[2] then return 0 end
if current ~= false and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1]) return 1`;

/**
 * The live-call store of a cluster node: calls persist as before (the shared store), and the
 * first save of a call names this node its owner in Redis (`tp:call:<id>:owner`), where the other
 * nodes look before forwarding a request for a call they do not hold. The owner key is written
 * on the command connection before the step's frames are published, so a device that hears of
 * the call finds its owner.
 */
export class OwnedLiveCallStore implements LiveCallStore {
  private readonly owned = new Set<string>();

  constructor(
    private readonly inner: LiveCallStore,
    private readonly nodeId: string,
    private readonly bus: ClusterBus,
    private readonly logger: Logger,
  ) {}

  save(call: CallInfo): void {
    this.inner.save(call);
    if (this.owned.has(call.callId)) return;
    this.owned.add(call.callId);
    this.bus.redis.set(callOwnerKey(call.callId), this.nodeId).catch(this.failed);
  }

  delete(callId: string): void {
    this.inner.delete(callId);
    this.owned.delete(callId);
    this.bus.redis.pexpire(callOwnerKey(callId), ENDED_OWNER_TTL_MS).catch(this.failed);
  }

  /**
   * The persisted live calls this node may take (all of them, or those `owner` held): its own,
   * unowned ones, and those whose owner has no lease any more; each claimed atomically.
   */
  async claimAll(onlyOf?: string): Promise<PersistedLiveCall[]> {
    const mine: PersistedLiveCall[] = [];
    for (const call of await this.inner.loadAll()) {
      if (await this.claim(call.info.callId, onlyOf)) mine.push(call);
    }
    return mine;
  }

  loadAll(): Promise<PersistedLiveCall[]> {
    return this.claimAll();
  }

  /** Claims a call for this node unless a live node (or, with `onlyOf`, another node) owns it. */
  private async claim(callId: string, onlyOf?: string): Promise<boolean> {
    if (this.owned.has(callId)) return false; // Held here already.
    const owner = (await this.bus.redis.get(callOwnerKey(callId))) ?? undefined;
    if (onlyOf !== undefined && owner !== onlyOf) return false;
    const expected = owner ?? '';
    const won = await this.bus.redis.eval(
      CLAIM,
      2,
      callOwnerKey(callId),
      nodeLeaseKey(expected),
      this.nodeId,
      expected,
    );
    if (won !== 1) return false;
    this.owned.add(callId);
    this.logger.info({ callId, from: owner }, 'call claimed');
    return true;
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  private readonly failed = (error: unknown): void => {
    this.logger.warn({ err: error }, 'call owner write failed');
  };
}

/** The owner and whether its lease is live, in one round trip. */
const OWNER = `local owner = redis.call('GET', KEYS[1])
if owner == false then return {} end
return {owner, redis.call('EXISTS', 'tp:node:' .. owner)}`;

/** The node that owns the call (undefined if none is known), and whether it holds its lease. */
export async function ownerOf(
  bus: ClusterBus,
  callId: string,
): Promise<{ owner: string | undefined; alive: boolean }> {
  const reply = await bus.redis.eval(OWNER, 1, callOwnerKey(callId));
  if (!Array.isArray(reply) || typeof reply[0] !== 'string')
    return { owner: undefined, alive: false };
  return { owner: reply[0], alive: reply[1] === 1 };
}
