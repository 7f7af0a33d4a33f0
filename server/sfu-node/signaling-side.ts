import { sfuRedisUrl } from './sfu-node-config.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { RemoteMediaPlane } from './remote-media-plane.js';

/**
 * The SFU-node part of a signaling node (`role: signaling`), built only then: embedded mode
 * constructs none of it and loads no Redis connection.
 */
export function remoteMediaFor(config: ServerConfig, logger: Logger): RemoteMediaPlane | undefined {
  if (config.role !== 'signaling') return undefined;
  const redisUrl = sfuRedisUrl(config);
  const { ticketSecret, heartbeatIntervalMs, registrationTtlMs } = config.sfuNodes;
  // loadConfig refuses role signaling without them; a caller in code may not have used it.
  if (!redisUrl || !ticketSecret) {
    throw new Error(
      'role signaling needs sfuNodes.redisUrl (or cluster.redisUrl) and sfuNodes.ticketSecret',
    );
  }
  return new RemoteMediaPlane({
    redisUrl,
    ticketSecret,
    heartbeatIntervalMs,
    registrationTtlMs,
    logger,
  });
}

/** Connects the plane to the engine: what the SFU nodes report goes where the in-process SFU's does. */
export function startRemoteMedia(
  media: RemoteMediaPlane,
  calls: CallEngine,
  logger: Logger,
): Promise<void> {
  return media.start({
    knows: (callId) => calls.get(callId) !== undefined,
    onMediaFailed: (callId, why) => {
      // Never inside the engine's own step (a placement happens in `callActive`).
      setImmediate(() => {
        logger.warn({ callId, why }, 'media failed on the sfu nodes: the call ends');
        calls.endCall(callId, 'media-failed');
      });
    },
    onMediaLost: (callId, userId) => {
      setImmediate(() => {
        calls.mediaLost(callId, userId);
      });
    },
    onMediaBack: (callId, userId) => {
      calls.mediaBack(callId, userId);
    },
  });
}
