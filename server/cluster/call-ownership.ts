import type { CallInfo } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { LiveCallStore, PersistedLiveCall } from '../store/types.js';
import type { ClusterBus } from './bus.js';
import { callOwnerKey } from './messages.js';

/** How long an ended call's owner is remembered: late retries of its requests still reach it. */
const ENDED_OWNER_TTL_MS = 120_000;

/** Sets the owner key only if nobody owns the call, or if it is still the (dead) owner named. */
const CLAIM = `local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1]) return 1 end
if current == ARGV[1] then return 1 end return 0`;

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
   * The persisted live calls this node may take: its own, unowned ones, and those whose owner
   * has no lease any more (`isAlive`); each is claimed atomically, so two nodes never both do.
   */
  async loadAll(
    isAlive: (nodeId: string) => Promise<boolean> = () => Promise.resolve(false),
  ): Promise<PersistedLiveCall[]> {
    const mine: PersistedLiveCall[] = [];
    for (const call of await this.inner.loadAll()) {
      if (await this.claim(call.info.callId, isAlive)) mine.push(call);
    }
    return mine;
  }

  /** Claims a call for this node unless a live node owns it. */
  async claim(callId: string, isAlive: (nodeId: string) => Promise<boolean>): Promise<boolean> {
    const owner = await this.bus.redis.get(callOwnerKey(callId));
    if (owner !== null && owner !== this.nodeId && (await isAlive(owner))) return false;
    const won = await this.bus.redis.eval(CLAIM, 1, callOwnerKey(callId), this.nodeId, owner ?? '');
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

/** The node that owns the call, or undefined if none is known. */
export async function ownerOf(bus: ClusterBus, callId: string): Promise<string | undefined> {
  return (await bus.redis.get(callOwnerKey(callId))) ?? undefined;
}
