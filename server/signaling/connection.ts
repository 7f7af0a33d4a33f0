import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ParsedRequest, RequestData, RequestId } from '../../protocol/index.js';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  SUPPORTED_PROTOCOL_VERSIONS,
  encodeEvent,
  encodeResult,
  encodeResultJson,
  parseRequestFrame,
} from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { FramedSocket } from '../sockets/framed-socket.js';
import { verifyAccessToken } from './access-token.js';
import type { Services } from './context.js';
import { EncodedResult } from './encoded-result.js';
import { handlers } from './handlers/index.js';
import type { Handler, RequestRouting, SessionRequestType } from './handlers/types.js';
import type { Session } from './sessions.js';
import { textFrameOnce } from './text-frame.js';

/**
 * The `ok` child of the frames counter, looked up once per metrics registry: `inc({ outcome })`
 * hashes the labels on every request.
 */
const okFrameCounters = new WeakMap<Metrics, { inc(): void }>();
function okFrames(metrics: Metrics): { inc(): void } {
  let counter = okFrameCounters.get(metrics);
  if (!counter) okFrameCounters.set(metrics, (counter = metrics.frames.labels({ outcome: 'ok' })));
  return counter;
}

/**
 * Requests one connection may have waiting behind the one being handled. Far above what a
 * client pipelines (the rate limit's burst is 100); reached only when a handler hangs, and then
 * the next requests get `rate-limited` instead of piling up without end.
 */
export const MAX_QUEUED_REQUESTS = 256;

type ConnectionState = 'anonymous' | 'authenticating' | 'ready' | 'closed';

/**
 * The TCP (or TLS) stream under the WebSocket: frames written in one tick leave in one write,
 * and outgoing frames are written onto it directly (see text-frame.ts).
 */
export interface Transport {
  cork(): void;
  uncork(): void;
  write(chunk: Buffer): boolean;
}

/**
 * One signaling WebSocket: the `hello` handshake and the session's requests, over the framing
 * every socket of ours shares (FramedSocket: cap, rate limit, parsing, requests one at a time in
 * arrival order, so a client's invite and its immediate cancel never swap), and frames sent
 * only once the call data they tell of is committed.
 */
export class SignalingConnection {
  private readonly framed: FramedSocket<ParsedRequest>;
  private state: ConnectionState = 'anonymous';
  private session: Session | undefined;
  /** `expire` has closed the session. */
  private expired = false;
  private readonly authTimer: NodeJS.Timeout;
  /** This tick's frames: written, or held, once the tick's promise jobs have run (`endTick`). */
  private tickFrames: Buffer[] = [];
  /** Frames waiting for the commit of the call-data writes made before them, oldest first. */
  private held: { ticket: number; frames: Buffer[] }[] = [];
  /** Bytes in `tickFrames` and `held`: counted against the buffer cap with the socket's. */
  private unsentBytes = 0;
  /** A close asked for while frames were unsent: it follows them. */
  private closeAfterUnsent: { code: number; reason: string } | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly services: Services,
    private readonly onClosed: (connection: SignalingConnection) => void,
    private readonly transport: Transport,
    /** Cluster mode: sends requests for calls held elsewhere to their owner node. */
    private readonly routing?: RequestRouting,
  ) {
    const { signaling } = services.config;
    const { metrics } = services;
    this.framed = new FramedSocket(socket, {
      limits: { ...signaling, maxQueuedRequests: MAX_QUEUED_REQUESTS },
      parse: parseRequestFrame,
      onRequest: (request) => {
        this.onRequest(request);
      },
      send: (frame) => {
        this.send(frame);
      },
      onClose: () => {
        this.closed();
      },
      log: () => this.log,
      onRefused: (code) => {
        if (code === 'rate-limited') metrics.frames.inc({ outcome: 'rate-limited' });
        metrics.frames.inc({ outcome: 'rejected' });
      },
    });
    this.authTimer = setTimeout(() => {
      if (this.state !== 'ready') this.socket.close(4001, 'hello timeout');
    }, signaling.authTimeoutMs);
    this.authTimer.unref();
  }

  get userId(): string | undefined {
    return this.session?.userId;
  }

  /** The last frame or pong from the client, for the heartbeat sweep. */
  get lastSeen(): number {
    return this.framed.lastSeen;
  }

  /** Called by the heartbeat sweep. */
  ping(): void {
    this.framed.ping();
  }

  terminate(): void {
    this.framed.terminate();
  }

  private get log(): Logger {
    const session = this.session;
    return session ? this.services.logger.child({ userId: session.userId }) : this.services.logger;
  }

  /** The signed-in session's deadline, for the heartbeat sweep; none before hello or after close. */
  get sessionExpiresAt(): number | undefined {
    return this.state === 'ready' ? this.session?.expiresAt : undefined;
  }

  /**
   * Called by the heartbeat sweep once the deadline and the grace have passed without a renew.
   * The close is a session loss like any other (the user's calls get the rejoin window), and
   * it is told once: the sweep may come by again before the socket has closed.
   */
  expire(): void {
    const session = this.session;
    if (!session || this.expired) return;
    this.expired = true;
    this.services.logger.info(
      { userId: session.userId, deviceId: session.device.id, expiredAt: session.expiresAt },
      'access token expired and not renewed: session closed',
    );
    session.close('token-expired');
  }

  /** Closes after the frames already sent to this connection (a close frame would pass them). */
  close(code: number, reason: string): void {
    if (this.tickFrames.length === 0 && this.held.length === 0) this.socket.close(code, reason);
    else this.closeAfterUnsent ??= { code, reason };
  }

  private onRequest(request: ParsedRequest): void {
    const framed = this.framed;
    if (request.type === 'hello') {
      if (this.state !== 'anonymous') {
        framed.reject(request.id, {
          code: 'already-authenticated',
          message: 'hello was already said',
        });
        return;
      }
      if (!framed.enqueue(request.id, () => this.hello(request.id, request.data))) return;
      this.state = 'authenticating';
      return;
    }
    if (this.state !== 'ready' && this.state !== 'authenticating') {
      framed.reject(request.id, { code: 'not-authenticated', message: 'say hello first' });
      return;
    }
    // Requests that arrive while hello is being checked wait behind it in the queue.
    framed.enqueue(request.id, () => this.handle(request.id, request.type, request.data));
  }

  private async handle(id: RequestId, type: SessionRequestType, data: unknown): Promise<void> {
    const session = this.session;
    if (!session || this.state !== 'ready') {
      if (this.state !== 'closed') {
        this.framed.reject(id, { code: 'not-authenticated', message: 'say hello first' });
      }
      return;
    }
    const local = handlers[type] as Handler<typeof type>;
    // Cluster mode: a request for a call another node holds goes to that node.
    const handler = this.routing?.handlerFor(type, local) ?? local;
    try {
      const result = await handler({ session, services: this.services }, data as never);
      okFrames(this.services.metrics).inc();
      this.send(
        result instanceof EncodedResult
          ? encodeResultJson(id, result.json())
          : encodeResult(id, result),
      );
    } catch (error) {
      this.framed.fail(id, type, error);
    }
  }

  private async hello(id: RequestId, data: RequestData<'hello'>): Promise<void> {
    const { tokens, stores, sessions, sessionEvents, presence, calls, config, logger, metrics } =
      this.services;
    try {
      if (!SUPPORTED_PROTOCOL_VERSIONS.includes(data.protocol)) {
        throw new ProtocolError(
          'incompatible-version',
          `protocol ${data.protocol} is not supported; this server speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')} (current ${PROTOCOL_VERSION})`,
        );
      }
      const account = await verifyAccessToken(tokens, stores, data.token);
      const { userId, expiresAt } = account;
      const settings = await stores.users.getSettings(userId);
      await presence.statusOf(userId);
      if (this.state === 'closed') return;
      const devices = sessions.sessionsOf(userId);
      const replacing = devices.some((s) => s.device.id === data.device.id);
      if (!replacing && devices.length >= config.limits.devicesPerUser) {
        throw new ProtocolError(
          'too-many-sessions',
          `signed in on ${devices.length} devices already; sign out on one first`,
        );
      }
      const session = this.createSession(userId, data.device, expiresAt, account.familyId);
      const replaced = sessions.add(session);
      const cameOnline = replaced === undefined && sessions.sessionsOf(userId).length === 1;
      replaced?.close('replaced');
      this.session = session;
      this.state = 'ready';
      clearTimeout(this.authTimer);
      metrics.sessions.inc();
      this.send(
        encodeResult(id, {
          userId,
          displayName: account.displayName,
          sessionId: session.sessionId,
          heartbeatIntervalMs: config.signaling.heartbeatIntervalMs,
          serverTime: Date.now(),
          sessionExpiresAt: session.expiresAt,
          settings: { callWaiting: settings.callWaiting },
          status: settings.status,
          calls: calls.callsOf(userId),
        }),
      );
      sessionEvents.emit('signed-in', session, cameOnline);
      logger.info(
        { userId, deviceId: data.device.id, platform: data.device.platform },
        'signed in',
      );
    } catch (error) {
      this.state = this.state === 'closed' ? 'closed' : 'anonymous';
      this.framed.fail(id, 'hello', error);
    }
  }

  private createSession(
    userId: string,
    device: RequestData<'hello'>['device'],
    expiresAt: number,
    familyId: string | undefined,
  ): Session {
    return {
      sessionId: randomUUID(),
      userId,
      device,
      connectedAt: Date.now(),
      expiresAt,
      ...(familyId === undefined ? {} : { familyId }),
      send: (frame) => {
        this.send(frame);
      },
      close: (reason) => {
        this.send(encodeEvent('session.closing', { reason }));
        this.close(4000, reason);
      },
    };
  }

  private send(frame: string): void {
    if (!this.framed.isOpen || !this.framed.withinBuffer(this.unsentBytes)) return;
    // A call step sends a device several frames at once (answer, updates, the peer's events):
    // one write per frame was the largest cost under load. Frames queued in this tick, including
    // those of requests that arrived in the same read, leave together once the tick's promise
    // jobs have run.
    if (this.tickFrames.length === 0) process.nextTick(this.endTick);
    const bytes = textFrameOnce(frame);
    this.tickFrames.push(bytes);
    this.unsentBytes += bytes.length;
  }

  /**
   * Acknowledged means durable: a frame may tell of a step only once the call data written
   * before it is committed (the store group-commits each turn's writes: call-journal.ts). The
   * ticket is taken here, after the step that sent the frames has made all of its writes.
   */
  private readonly endTick = (): void => {
    const frames = this.tickFrames;
    this.tickFrames = [];
    const { commits } = this.services.stores;
    const ticket = commits.ticket();
    if (this.held.length === 0 && commits.isCommitted(ticket)) {
      this.write(frames);
      return;
    }
    this.held.push({ ticket, frames });
    if (this.held.length === 1) commits.whenCommitted(ticket, this.release);
  };

  /** Writes the held frames whose writes are committed, in order; waits again for the rest. */
  private readonly release = (): void => {
    const { commits } = this.services.stores;
    const ready: Buffer[] = [];
    let head = this.held[0];
    while (head && commits.isCommitted(head.ticket)) {
      ready.push(...head.frames);
      this.held.shift();
      head = this.held[0];
    }
    this.write(ready);
    if (head) commits.whenCommitted(head.ticket, this.release);
  };

  private write(frames: readonly Buffer[]): void {
    for (const frame of frames) this.unsentBytes -= frame.length;
    const socket = this.socket;
    if (socket.readyState === socket.OPEN && frames.length > 0) {
      this.transport.cork();
      for (const frame of frames) this.transport.write(frame);
      this.transport.uncork();
    }
    const close = this.closeAfterUnsent;
    if (close && this.tickFrames.length === 0 && this.held.length === 0) {
      this.closeAfterUnsent = undefined;
      socket.close(close.code, close.reason);
    }
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.authTimer);
    const session = this.session;
    if (session) {
      const { sessions, sessionEvents, metrics, logger } = this.services;
      metrics.sessions.dec();
      sessionEvents.emit('signed-out', session, sessions.remove(session));
      logger.info({ userId: session.userId, deviceId: session.device.id }, 'signed out');
    }
    this.onClosed(this);
  }
}
