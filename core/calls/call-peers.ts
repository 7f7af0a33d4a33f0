import type { CallInfo, SoftphonePeer, UserId } from '../../protocol/index.js';

/**
 * The other people of a call as this device shows them, read from the server's snapshot (the
 * server decides who is reconnecting and who left; this only names it): the caller, then every
 * callee who answered, in the call's order. Callees who never answered are not peers.
 */
export function callPeers(info: CallInfo, me: UserId | undefined): SoftphonePeer[] {
  const peers: SoftphonePeer[] = [];
  if (info.callerId !== me) {
    peers.push(
      peer(info.callerId, info.callerLeftAt !== undefined, info.callerConnection, () =>
        info.callerLeftReason === 'connection-lost' ? 'connection-lost' : 'left',
      ),
    );
  }
  for (const leg of info.legs) {
    if (leg.userId === me || leg.answeredAt === undefined) continue;
    peers.push(
      peer(leg.userId, leg.leftAt !== undefined, leg.connection, () =>
        leg.reason === 'connection-lost' ? 'connection-lost' : 'left',
      ),
    );
  }
  return peers;
}

function peer(
  userId: UserId,
  left: boolean,
  connection: CallInfo['callerConnection'],
  leftReason: () => 'left' | 'connection-lost',
): SoftphonePeer {
  if (left) return { userId, connection: 'left', leftReason: leftReason() };
  return { userId, connection: connection ?? 'connected' };
}
