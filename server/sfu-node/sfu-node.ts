import { sfuRedisUrl } from './sfu-node-config.js';
import { type Server, createServer } from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { ServerConfig } from '../config.js';
import { parseRequestTarget, refuseUpgrade } from '../http/http-kit.js';
import type { Logger } from '../logger.js';
import { SfuService } from '../sfu/sfu-service.js';
import { TokenService } from '../tokens.js';
import { NodeAdmission } from './node-admission.js';
import {
  SFU_EVENTS_CHANNEL,
  SFU_NODES_KEY,
  type SfuCommand,
  type SfuNodeEvent,
  commandChannel,
  nodeKey,
  parseWire,
  sfuCommandSchema,
} from './node-wire.js';

export interface SfuNode {
  readonly id: string;
  /** The `/sfu` URL clients reach it at (media tickets name it). */
  readonly publicUrl: string;
  /** Where it listens, http://host:port. */
  readonly httpUrl: string;
  readonly sfu: SfuService;
  close(): Promise<void>;
}

/**
 * `serve --role sfu`: mediasoup workers, the `/sfu` WebSocket and `/healthz`, nothing of accounts
 * or signaling. It registers in Redis with its load every heartbeat (the registration expires
 * when it stops), takes conference control on `tp:to-sfu:<id>` and tells signaling about media
 * on `tp:sfu:events`.
 */
export async function startSfuNode(options: {
  config: ServerConfig;
  logger: Logger;
}): Promise<SfuNode> {
  const { config } = options;
  const { publicUrl, ticketSecret, heartbeatIntervalMs, registrationTtlMs } = config.sfuNodes;
  const redisUrl = sfuRedisUrl(config);
  // loadConfig checked these for role sfu; a caller in code may not have.
  if (!publicUrl || !ticketSecret || !redisUrl) {
    throw new Error(
      'an SFU node needs sfuNodes.publicUrl, sfuNodes.ticketSecret and sfuNodes.redisUrl (or cluster.redisUrl)',
    );
  }
  const id = config.sfuNodes.id ?? `${os.hostname()}-${process.pid}`;
  const log = options.logger.child({ sfuNode: id });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const subscriber = new Redis(redisUrl, { lazyConnect: true });
  for (const r of [redis, subscriber]) {
    r.on('error', (error) => {
      log.warn({ err: error }, 'redis error');
    });
  }
  await Promise.all([redis.connect(), subscriber.connect()]);

  const publish = (event: SfuNodeEvent): void => {
    redis.publish(SFU_EVENTS_CHANNEL, JSON.stringify(event)).catch((error: unknown) => {
      log.error({ err: error, callId: event.callId }, 'sfu event not published');
    });
  };
  // Known once listening: port 0 (tests) is the port the OS chose.
  let url = publicUrl;
  const admission = new NodeAdmission({
    publicUrl: () => url,
    tickets: new TokenService(ticketSecret, { accessSec: 60, refreshSec: 300 }),
    report: (type, callId, userId) => {
      publish({ type, sfuId: id, callId, ...(userId === undefined ? {} : { userId }) });
    },
  });
  const sfu = new SfuService({
    config: { ...config.sfu, connectTimeoutMs: config.calls.connectTimeoutMs },
    tokens: admission,
    logger: log,
  });
  await sfu.start(admission);

  const obey = (command: SfuCommand): void => {
    switch (command.type) {
      case 'callActive':
        sfu.armConnectBound(command.callId);
        return;
      case 'participantLeft':
        admission.participantLeft(command.callId, command.userId, command.at);
        sfu.participantLeft(command.callId, command.userId, command.reason);
        return;
      case 'setMuted':
        sfu.setMuted(command.callId, command.userId, command.kind, command.muted);
        return;
      case 'setHeld':
        sfu.setHeld(command.callId, command.userId, command.held);
        return;
      case 'callEnded':
        admission.callEnded(command.callId);
        sfu.callEnded(command.callId);
        return;
      case 'userGone':
        admission.userGone(command.userId, command.at);
        sfu.userGone(command.userId);
        return;
    }
  };
  subscriber.on('message', (_channel: string, text: string) => {
    const command = parseWire(sfuCommandSchema, text, (why) => {
      log.warn({ why }, 'sfu command refused');
    });
    if (command) obey(command);
  });
  await subscriber.subscribe(commandChannel(id));

  const http: Server = createServer((req, res) => {
    const url = parseRequestTarget(req.url);
    if (req.method === 'GET' && url?.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', sfuNode: id, load: sfu.load() }));
      return;
    }
    res.writeHead(404).end();
  });
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', (error) => {
      log.debug({ err: error }, 'upgrade socket error');
    });
    if (!parseRequestTarget(req.url)) {
      refuseUpgrade(socket, 400);
      return;
    }
    sfu.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const httpUrl = `http://${address.address}:${address.port}`;
  // Port 0 (tests): the URL given names the host, the port is the one the OS chose.
  url = publicUrl.replace(/:0\/sfu$/, `:${address.port}/sfu`);

  const startedAt = Date.now();
  const register = async (): Promise<void> => {
    const registration = { id, url, load: sfu.load(), startedAt, at: Date.now() };
    await redis
      .multi()
      .set(nodeKey(id), JSON.stringify(registration), 'PX', registrationTtlMs)
      .sadd(SFU_NODES_KEY, id)
      .exec();
  };
  await register();
  const heartbeat = setInterval(() => {
    register().catch((error: unknown) => {
      log.warn({ err: error }, 'sfu node registration not renewed');
    });
  }, heartbeatIntervalMs);
  log.info({ url, httpUrl }, 'sfu node registered');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(heartbeat);
      // Gone from the registry first: signaling moves its calls at once, not after the TTL.
      await redis.del(nodeKey(id)).catch(() => undefined);
      await sfu.close();
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve();
        });
        http.closeAllConnections();
      });
      subscriber.disconnect();
      await redis.quit().catch(() => undefined);
      log.info('sfu node stopped');
    })());
  return { id, publicUrl: url, httpUrl, sfu, close };
}
