import type { PresenceStatus, UserId } from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { UserStore } from '../store/types.js';

/** What the engine must know about a callee to decide an invitation without waiting. */
export interface CalleeCheck {
  status: PresenceStatus;
  callWaiting: boolean;
  /** The callee blocked the caller. */
  blockedCaller: boolean;
}

/**
 * Looks up every callee before the engine decides (the engine itself never awaits, so racing
 * requests cannot interleave inside a decision). Unknown or disabled callees are `not-found`.
 * `liveStatusOf`: the status presence holds in memory for users it knows (online users);
 * otherwise the stored one counts.
 */
export async function resolveCalleeChecks(
  users: UserStore,
  liveStatusOf: (userId: UserId) => PresenceStatus | undefined,
  callerId: UserId,
  callees: readonly UserId[],
): Promise<Map<UserId, CalleeCheck>> {
  const unique = [...new Set(callees)];
  if (unique.length !== callees.length) {
    throw new ProtocolError('bad-request', 'a callee is listed twice');
  }
  if (unique.includes(callerId)) throw new ProtocolError('bad-request', 'you cannot call yourself');
  const facts = await users.calleeFacts(callerId, unique);
  const missing = unique.filter((id) => facts.get(id)?.disabled !== false);
  if (missing.length > 0)
    throw new ProtocolError('not-found', `no such user: ${missing.join(', ')}`);
  const checks = new Map<UserId, CalleeCheck>();
  for (const [userId, fact] of facts) {
    checks.set(userId, {
      status: liveStatusOf(userId) ?? fact.status,
      callWaiting: fact.callWaiting,
      blockedCaller: fact.blockedCaller,
    });
  }
  return checks;
}
