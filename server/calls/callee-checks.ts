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
 */
export async function resolveCalleeChecks(
  users: UserStore,
  statusOf: (userId: UserId) => Promise<PresenceStatus>,
  callerId: UserId,
  callees: readonly UserId[],
): Promise<Map<UserId, CalleeCheck>> {
  const unique = [...new Set(callees)];
  if (unique.length !== callees.length) {
    throw new ProtocolError('bad-request', 'a callee is listed twice');
  }
  if (unique.includes(callerId)) throw new ProtocolError('bad-request', 'you cannot call yourself');
  const accounts = await users.getMany(unique);
  const missing = unique.filter((id) => accounts.get(id)?.disabled !== false);
  if (missing.length > 0)
    throw new ProtocolError('not-found', `no such user: ${missing.join(', ')}`);
  const entries = await Promise.all(
    unique.map(async (userId): Promise<[UserId, CalleeCheck]> => {
      const [status, settings, blockedCaller] = await Promise.all([
        statusOf(userId),
        users.getSettings(userId),
        users.isBlocked(callerId, userId),
      ]);
      return [userId, { status, callWaiting: settings.callWaiting, blockedCaller }];
    }),
  );
  return new Map(entries);
}
