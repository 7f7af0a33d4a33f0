import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import type { CallInfo, CallRecord, Health, UserId } from '../protocol/index.js';
import type { CallInviteWebhook } from '../protocol/webhooks.js';
import { CallEngine } from './calls/call-engine.js';
import { ClusterNode } from './cluster/cluster-node.js';
import { type CallObserver, type MediaPlane, noMediaPlane } from './calls/ports.js';
import type { ServerConfig } from './config.js';
import { contactCenterAdminRoutes } from './contact-center/admin-routes.js';
import { ContactCenter } from './contact-center/contact-center.js';
import { adminRoutes } from './http/admin-routes.js';
import { authRoutes } from './http/auth-routes.js';
import { staticRoute } from './http/static-route.js';
import { AddressConnections } from './http/address-connections.js';
import { TrustedProxies } from './http/client-address.js';
import {
  HttpError,
  type Route,
  asClientError,
  parseRequestTarget,
  refuseUpgrade,
  sendError,
  sendJson,
} from './http/http-kit.js';
import type { Logger } from './logger.js';
import { type Metrics, createMetrics } from './metrics.js';
import { SfuService } from './sfu/sfu-service.js';
import { PresenceService } from './presence/presence-service.js';
import { AccountGuard } from './signaling/account-guard.js';
import { SignalingConnection } from './signaling/connection.js';
import type { Services } from './signaling/context.js';
import { HeartbeatSweep } from './signaling/heartbeat.js';
import { SentMessages } from './signaling/sent-messages.js';
import { SessionEvents } from './signaling/session-events.js';
import {
  LocalMessageRouter,
  LocalSessionRegistry,
  type SessionRegistry,
} from './signaling/sessions.js';
import { openStores } from './store/open-stores.js';
import type { Stores } from './store/types.js';
import { TokenService } from './tokens.js';
import { WebhookSender, createWebhookSender } from './webhooks/index.js';
import type { PushIntent } from './store/outbox-entry.js';
import { WebhookOutbox } from './webhooks/webhook-outbox.js';
import { inProcessTickets } from './sfu-node/media-tickets.js';

export interface TrayphoneServer {
  readonly services: Services;
  /** The media plane, when enabled. */
  readonly sfu: SfuService | undefined;
  /** ws:// or wss:// URL of the signaling endpoint. */
  readonly signalingUrl: string;
  /** http(s):// base URL. */
  readonly httpUrl: string;
  /** Graceful: refuse new connections, end active calls, flush records, close. */
  close(): Promise<void>;
}

export interface StartOptions {
  config: ServerConfig;
  logger: Logger;
  /** Where the SFU plugs in (the media issue); signaling alone by default. */
  media?: MediaPlane;
  /** Extra HTTP routes (the web client's static files), tried after the API. */
  routes?: Route[];
  /** Check each reused call snapshot against a fresh encoding (the test server turns it on). */
  verifyCallSnapshots?: boolean;
  /**
   * Tests only: token lifetimes below the configuration's minimums (60 s access, 300 s
   * refresh), so that tests can watch sessions outlive several tokens. Code, not
   * configuration: no file or variable of a deployment can reach it.
   */
  tokenLifetimesSec?: { access?: number; refresh?: number };
}

/** The JWT secret: from the config, or generated once and kept in the data directory. */
function jwtSecret(config: ServerConfig): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  const file = path.join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** A push intent completed with the callee's push tokens and the caller's name, at send time. */
async function resolvePush(stores: Stores, intent: PushIntent): Promise<CallInviteWebhook> {
  const [tokens, caller] = await Promise.all([
    stores.pushTokens.listForUser(intent.callee),
    stores.users.get(intent.call.callerId),
  ]);
  return {
    ...intent,
    call: { ...intent.call, callerName: caller?.displayName ?? intent.call.callerId },
    pushTokens: tokens.map(({ deviceId, platform, token }) => ({ deviceId, platform, token })),
  };
}

function callObserver(outbox: WebhookOutbox, metrics: Metrics): CallObserver {
  return {
    // Both webhooks go through the outbox: written with the step (the pushed invitation, the
    // record) and sent once it is committed, so a push never announces a call a crash could
    // still lose, and a crash never loses an acknowledged push or record.
    pushInvitation(callee: UserId, call: CallInfo, expiresAt: number) {
      outbox.enqueue({
        type: 'call.invite',
        deliveryId: randomUUID(),
        sentAt: Date.now(),
        callee,
        call: {
          callId: call.callId,
          callerId: call.callerId,
          media: call.media,
          expiresAt,
          ...(call.payload === undefined ? {} : { payload: call.payload }),
        },
      });
    },
    callEnded(record: CallRecord) {
      metrics.callsEnded.inc({ reason: record.endReason });
      outbox.enqueue({ type: 'call.ended', deliveryId: randomUUID(), sentAt: Date.now(), record });
    },
    legRinging(seconds: number) {
      metrics.inviteToRing.observe(seconds);
    },
    callStarted() {
      metrics.callsStarted.inc();
    },
  };
}

export async function startServer(options: StartOptions): Promise<TrayphoneServer> {
  const { config, logger } = options;
  if (config.role === 'sfu')
    throw new Error('role sfu runs startSfuNode (server/sfu-node), not this');
  // Cluster mode only: the node's Redis parts, which the services below are built on.
  const cluster = config.cluster ? await ClusterNode.connect(config.cluster, logger) : undefined;
  const stores = await openStores(config, logger);
  const metrics = createMetrics();
  const webhooks = createWebhookSender(config.webhook, logger);
  const outbox = new WebhookOutbox({
    store: stores.outbox,
    sender: webhooks,
    commits: stores.commits,
    resolvePush: (intent) => resolvePush(stores, intent),
    logger,
    ...(cluster ? { deliveries: cluster.outboxClaims } : {}),
  });
  metrics.watchWebhookBacklog(() => outbox.size);
  if (webhooks instanceof WebhookSender) {
    webhooks.on('delivered', (body) => {
      outbox.settled(body);
      metrics.webhooks.inc({ event: body.type, outcome: 'delivered' });
    });
    webhooks.on('failed', (body, reason) => {
      outbox.settled(body, reason);
      metrics.webhooks.inc({ event: body.type, outcome: 'failed' });
    });
  }
  const sessions: SessionRegistry = cluster?.sessions ?? new LocalSessionRegistry();
  const sessionEvents = new SessionEvents();
  const router = new LocalMessageRouter(sessions);
  const tokens = new TokenService(jwtSecret(config), {
    accessSec: options.tokenLifetimesSec?.access ?? config.auth.accessTokenTtlSec,
    refreshSec: options.tokenLifetimesSec?.refresh ?? config.auth.refreshTokenTtlSec,
  });
  const presence = new PresenceService(sessions, stores.users, logger);
  // Role signaling: media on the SFU nodes registered in Redis, none in this process.
  // Loaded only then: an embedded start loads no Redis client.
  const sfuNodes =
    config.role === 'signaling' ? await import('./sfu-node/signaling-side.js') : undefined;
  const remoteMedia = sfuNodes?.remoteMediaFor(config, logger);
  const sfu: SfuService | undefined =
    config.media.enabled && !remoteMedia
      ? new SfuService({
          config: { ...config.sfu, connectTimeoutMs: config.calls.connectTimeoutMs },
          tokens,
          sessionLive: (sessionId, userId) =>
            sessions.sessionsOf(userId).some((s) => s.sessionId === sessionId),
          logger,
        })
      : undefined;
  const calls = new CallEngine({
    router,
    devicesOf: (userId) => sessions.sessionsOf(userId).map((s) => s.device.id),
    liveCalls: cluster ? cluster.ownLiveCalls(stores.liveCalls) : stores.liveCalls,
    records: stores.records,
    media: options.media ?? remoteMedia ?? sfu ?? noMediaPlane,
    observer: callObserver(outbox, metrics),
    logger,
    defaultRingTimeoutMs: config.calls.defaultRingTimeoutMs,
    rejoinWindowMs: config.calls.rejoinWindowMs,
    verifySnapshots: options.verifyCallSnapshots ?? false,
    partiesChanged: (userIds) => {
      presence.callPartiesChanged(userIds);
      cluster?.ownCallsChanged(userIds, calls);
    },
    ...(cluster
      ? { busyElsewhere: (userId: UserId) => cluster.presence.busyElsewhere(userId) }
      : {}),
  });
  const contactCenter = new ContactCenter({
    calls,
    media: options.media ?? remoteMedia ?? sfu ?? noMediaPlane,
    router,
    sessions,
    presenceWatchers: (userId) => presence.watchersOf(userId),
    store: stores.contactCenter,
    users: stores.users,
    records: stores.records,
    registry: metrics.registry,
    logger,
  });
  const services: Services = {
    config,
    logger,
    metrics,
    stores,
    tokens,
    sessions,
    sessionEvents,
    router,
    presence,
    calls,
    contactCenter,
    accounts: new AccountGuard({
      sessions,
      users: stores.users,
      families: stores.families,
      calls,
      dropMedia: (userId) => {
        sfu?.userGone(userId);
        remoteMedia?.userGone(userId);
      },
      logger,
      intervalMs: config.auth.accountCheckIntervalMs,
    }),
    sentMessages: new SentMessages(),
    sfuUrl: '', // Known once listening (the port may be chosen by the OS).
    mediaTickets: remoteMedia ?? inProcessTickets(tokens, () => services.sfuUrl),
  };
  metrics.countCallsWith(() => calls.counts());
  presence.readInCallFrom((userId) => calls.isBusy(userId));
  // Seat calling follows the queue calls it holds (it is built on the engine, so it comes after).
  calls.followQueues(contactCenter);
  // Who follows sign-ins and sign-outs, in this order: watchers learn of it first, then the
  // user's calls (rejoin windows, pending invitations), then seat calling.
  presence.followSessions(sessionEvents);
  sessionEvents.on('signed-in', (session, firstDevice) => {
    if (firstDevice) calls.userOnline(session.userId);
    calls.deliverPending(session);
  });
  sessionEvents.on('signed-out', (session, lastDevice) => {
    if (!lastDevice) return;
    calls.userOffline(session.userId);
    contactCenter.userOffline(session.userId);
  });

  // Conference control flows from the engine to the SFU (its media plane); admission checks and
  // media failures the other way, once both exist.
  await sfu?.start({
    // Media follows the call's device: a ticket of a session on another device of the user
    // (the one the call moved away from) admits nobody. A session that is gone is the ticket
    // rules' to refuse (`unauthorized`: ask again once signed in), not this check's.
    isParticipant: (callId, userId, sessionId) => {
      const session = sessions.sessionsOf(userId).find((s) => s.sessionId === sessionId);
      return calls.isParticipant(callId, userId, session?.device.id);
    },
    mayMonitor: (callId, userId) => contactCenter.mayMonitor(callId, userId),
    onMediaFailed: (callId) => {
      calls.endCall(callId, 'media-failed');
    },
    onMediaLost: (callId, userId) => {
      calls.mediaLost(callId, userId);
    },
    onMediaBack: (callId, userId) => {
      calls.mediaBack(callId, userId);
    },
  });
  if (sfuNodes && remoteMedia) await sfuNodes.startRemoteMedia(remoteMedia, calls, logger);
  await contactCenter.load();
  if (cluster) {
    await cluster.start(services);
    cluster.onFenced(() => {
      fence();
    });
    // What a dead node left undelivered goes from the node that took its calls over.
    cluster.onTakenOver(() => {
      void outbox.resume(false);
    });
  }
  // A cluster node takes only its own calls and those of nodes no longer alive, and goes on.
  if (cluster) await cluster.adoptCalls(calls);
  else calls.restore(await stores.liveCalls.loadAll());
  // What a crash (or a shutdown that could not deliver in time) left undelivered goes now.
  await outbox.resume();
  await contactCenter.adoptRestored();

  const proxies = new TrustedProxies(config.limits.trustedProxies);
  const routes: Route[] = [
    authRoutes(services, (req) => proxies.clientAddress(req)),
    contactCenterAdminRoutes(services),
    adminRoutes(services),
    ...(options.routes ?? []),
    // Last: the web client's files and its index.html for client routes.
    staticRoute(config.webRoot),
  ];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (byAddress.isOverCap(req.socket)) {
      res.shouldKeepAlive = false;
      sendError(res, new HttpError(429, 'rate-limited', 'too many connections from this address'));
      return;
    }
    void handleHttp(req, res, routes, services, () => shuttingDown);
  };
  // Node's own bounds (60 s for headers, checked every 30 s) let a trickling client hold a
  // connection for a minute and a half: ours are tighter, checked every second at most.
  const { headersTimeoutMs, requestTimeoutMs } = config.limits;
  const timeouts = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeoutMs / 4)),
  };
  const http: Server = config.tls
    ? createHttpsServer(
        {
          cert: readFileSync(config.tls.certFile),
          key: readFileSync(config.tls.keyFile),
          ...timeouts,
        },
        onRequest,
      )
    : createServer(timeouts, onRequest);

  const connections = new Set<SignalingConnection>();
  const wss = new WebSocketServer({
    noServer: true,
    // Frames over the cap get a structured error; only absurd ones close the socket.
    maxPayload: config.signaling.maxFrameBytes * 16,
    perMessageDeflate: false,
  });
  let shuttingDown = false;
  const byAddress = new AddressConnections(config.limits.connectionsPerAddress, proxies);
  http.on(config.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    byAddress.track(socket);
  });
  const acceptSignaling = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new SignalingConnection(
        ws,
        services,
        (c) => {
          connections.delete(c);
          metrics.connections.dec();
        },
        socket,
        cluster,
      );
      connections.add(connection);
      metrics.connections.inc();
    });
  };
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // Node stops listening for the socket's errors once it is handed over here, and ws starts
    // only inside handleUpgrade: a reset before that (or after a refusal) must not be unheard.
    socket.on('error', (error) => {
      logger.debug({ err: error }, 'upgrade socket error');
    });
    try {
      const url = parseRequestTarget(req.url);
      if (!url) {
        refuseUpgrade(socket, 400);
        return;
      }
      if (proxies.isTrusted(socket.remoteAddress)) {
        byAddress.trackForwarded(socket, proxies.clientAddress(req));
      }
      if (byAddress.isOverCap(socket)) {
        logger.warn(
          { address: proxies.clientAddress(req) },
          'connections per address over the cap',
        );
        refuseUpgrade(socket, 503);
        return;
      }
      if (url.pathname === '/sfu' && sfu && !shuttingDown) {
        sfu.handleUpgrade(req, socket, head);
        return;
      }
      if (url.pathname !== '/ws' || shuttingDown) {
        refuseUpgrade(socket, 404);
        return;
      }
      acceptSignaling(req, socket, head);
    } catch (error) {
      logger.error({ err: error, url: req.url }, 'upgrade failed');
      socket.destroy();
    }
  });

  // Ping the quiet connections, drop the silent ones: spread over the period, not in one burst.
  const sweep = new HeartbeatSweep(connections, {
    ...config.signaling,
    renewGraceMs: config.auth.sessionRenewGraceSec * 1000,
    logger,
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const secure = config.tls !== undefined;
  const httpUrl = `${secure ? 'https' : 'http'}://${host}:${address.port}`;
  const signalingUrl = `${secure ? 'wss' : 'ws'}://${host}:${address.port}/ws`;
  const publicWs = config.publicUrl?.replace(/^http/, 'ws').replace(/\/$/, '');
  services.sfuUrl = `${publicWs ?? signalingUrl.slice(0, -'/ws'.length)}/sfu`;
  logger.info({ httpUrl, signalingUrl, dataDir: config.dataDir }, 'trayphone server listening');

  /**
   * Cluster mode, the node lost its lease: it stops deciding at once (timers stop, nothing
   * ends: another node takes its calls over) and lets its clients go to another node.
   */
  const fence = (): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    sweep.stop();
    services.accounts.stop();
    calls.freeze();
    contactCenter.close();
    for (const session of [...sessions.all()]) session.close('server-shutdown');
    for (const c of connections) c.close(1012, 'node fenced: reconnect to another node');
    cluster?.abandon();
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      shuttingDown = true;
      sweep.stop();
      services.accounts.stop();
      calls.shutdown();
      contactCenter.close();
      // The calls just ended are committed first, so their `call.ended` frames go out.
      await stores.liveCalls.flush();
      for (const session of [...sessions.all()]) session.close('server-shutdown');
      for (const c of connections) c.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
      for (const c of connections) c.terminate();
      await sfu?.close();
      await remoteMedia?.close();
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve();
        });
        http.closeAllConnections();
      });
      await webhooks.close({ drainMs: 2_000 });
      await stores.close();
      await cluster?.close();
      logger.info('trayphone server stopped');
    })());

  return { services, sfu, httpUrl, signalingUrl, close };
}

async function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Route[],
  services: Services,
  shuttingDown: () => boolean,
): Promise<void> {
  try {
    const url = parseRequestTarget(req.url);
    if (!url) throw new HttpError(400, 'bad-request', 'the request target is not a valid URL');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      const counts = services.calls.counts();
      sendJson(res, shuttingDown() ? 503 : 200, {
        status: shuttingDown() ? 'stopping' : 'ok',
        uptimeSec: Math.round(process.uptime()),
        sessions: services.sessions.size(),
        calls: counts,
      } satisfies Health);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = await services.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': services.metrics.registry.contentType });
      res.end(text);
      return;
    }
    for (const route of routes) if (await route(req, res, url)) return;
    throw new HttpError(404, 'not-found', 'not found');
  } catch (error) {
    const clientError = asClientError(error);
    if (clientError) {
      if (!res.headersSent) sendError(res, clientError);
      return;
    }
    services.logger.error({ err: error, url: req.url }, 'http request failed');
    if (!res.headersSent) sendError(res, new HttpError(500, 'internal', 'internal error'));
    else res.destroy();
  }
}
