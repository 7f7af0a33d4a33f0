import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { ErrorBody, RequestData, RequestId } from '../../protocol/index.js';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  SNIFF_ID_CHARS,
  SUPPORTED_PROTOCOL_VERSIONS,
  encodeError,
  encodeEvent,
  encodeResult,
  encodeResultJson,
  parseRequestFrame,
  sniffRequestId,
} from '../../protocol/index.js';
import type { Metrics } from '../metrics.js';
import { verifyAccessToken } from './access-token.js';
import type { Services } from './context.js';
import { EncodedResult } from './encoded-result.js';
import { handlers } from './handlers/index.js';
import type { Handler, SessionRequestType } from './handlers/types.js';
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

/** A client that lets this much pile up unread is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Requests one connection may have waiting behind the one being handled. Far above what a
 * client pipelines (the rate limit's burst is 100); reached only when a handler hangs, and then
 * the next requests get `rate-limited` instead of piling up without end.
 */
export const MAX_QUEUED_REQUESTS = 256;

/** Enough bytes of an oversized frame to hold SNIFF_ID_CHARS characters of it. */
const SNIFF_ID_BYTES = SNIFF_ID_CHARS * 3;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  // An ArrayBuffer: only when a socket's binaryType is changed, which we never do.
  return Buffer.from(data);
}

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
 * One WebSocket: frame size cap, rate limit, parsing, the `hello` handshake, and requests handled
 * one at a time in arrival order (so a client's invite and its immediate cancel never swap).
 */
export class SignalingConnection {
  lastSeen = Date.now();
  private state: ConnectionState = 'anonymous';
  private session: Session | undefined;
  /** `expire` has closed the session. */
  private expired = false;
  private tail: Promise<void> = Promise.resolve();
  /** Requests in `tail` that have not started yet. */
  private queued = 0;
  private tokens: number;
  private refilledAt = Date.now();
  private readonly authTimer: NodeJS.Timeout;
  /** This tick's frames: written, or held, once the tick's promise jobs have run (`endTick`). */
  private tickFrames: Buffer[] = [];
  /** Frames waiting for the commit of the call-data writes made before them, oldest first. */
  private held: { ticket: number; frames: Buffer[] }[] = [];
  /** Bytes in `tickFrames` and `held`: counted against MAX_BUFFERED_BYTES with the socket's. */
  private unsentBytes = 0;
  /** A close asked for while frames were unsent: it follows them. */
  private closeAfterUnsent: { code: number; reason: string } | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly services: Services,
    private readonly onClosed: (connection: SignalingConnection) => void,
    private readonly transport: Transport,
  ) {
    const { signaling } = services.config;
    this.tokens = signaling.rateLimitBurst;
    this.authTimer = setTimeout(() => {
      if (this.state !== 'ready') this.socket.close(4001, 'hello timeout');
    }, signaling.authTimeoutMs);
    this.authTimer.unref();
    socket.on('message', (data, isBinary) => {
      this.onMessage(data, isBinary);
    });
    socket.on('pong', () => {
      this.lastSeen = Date.now();
    });
    socket.on('close', () => {
      this.closed();
    });
    socket.on('error', (error) => {
      services.logger.debug({ err: error, userId: this.session?.userId }, 'socket error');
    });
  }

  get userId(): string | undefined {
    return this.session?.userId;
  }

  /** Called by the heartbeat sweep. */
  ping(): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }

  terminate(): void {
    this.socket.terminate();
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

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    const { metrics, config } = this.services;
    const bytes = toBuffer(data);
    const cap = config.signaling.maxFrameBytes;
    if (bytes.length > cap) {
      const head = bytes.subarray(0, SNIFF_ID_BYTES).toString('utf8');
      this.reject(sniffRequestId(head), {
        code: 'payload-too-large',
        message: `frames are capped at ${cap} bytes`,
      });
      return;
    }
    const text = bytes.toString('utf8');
    if (isBinary) {
      this.reject(sniffRequestId(text), {
        code: 'bad-frame',
        message: 'binary frames are not accepted',
      });
      return;
    }
    if (!this.takeToken()) {
      metrics.frames.inc({ outcome: 'rate-limited' });
      this.reject(sniffRequestId(text), { code: 'rate-limited', message: 'too many requests' });
      return;
    }
    const parsed = parseRequestFrame(text);
    if (!parsed.ok) {
      this.reject(parsed.id, parsed.error);
      return;
    }
    const { request } = parsed;
    if (request.type === 'hello') {
      if (this.state !== 'anonymous') {
        this.reject(request.id, {
          code: 'already-authenticated',
          message: 'hello was already said',
        });
        return;
      }
      if (!this.enqueue(request.id, () => this.hello(request.id, request.data))) return;
      this.state = 'authenticating';
      return;
    }
    if (this.state !== 'ready' && this.state !== 'authenticating') {
      this.reject(request.id, { code: 'not-authenticated', message: 'say hello first' });
      return;
    }
    // Requests that arrive while hello is being checked wait behind it in the queue.
    this.enqueue(request.id, () => this.handle(request.id, request.type, request.data));
  }

  /** Queues a request behind the others; false (and `rate-limited`) when the queue is full. */
  private enqueue(id: RequestId, run: () => Promise<void>): boolean {
    if (this.queued >= MAX_QUEUED_REQUESTS) {
      this.services.metrics.frames.inc({ outcome: 'rate-limited' });
      this.reject(id, { code: 'rate-limited', message: 'too many requests waiting; slow down' });
      return false;
    }
    this.queued++;
    this.tail = this.tail.then(() => {
      this.queued--;
      return run();
    });
    return true;
  }

  private async handle(id: RequestId, type: SessionRequestType, data: unknown): Promise<void> {
    const session = this.session;
    if (!session || this.state !== 'ready') {
      if (this.state !== 'closed') {
        this.reject(id, { code: 'not-authenticated', message: 'say hello first' });
      }
      return;
    }
    const handler = handlers[type] as Handler<typeof type>;
    try {
      const result = await handler({ session, services: this.services }, data as never);
      okFrames(this.services.metrics).inc();
      this.send(
        result instanceof EncodedResult
          ? encodeResultJson(id, result.json())
          : encodeResult(id, result),
      );
    } catch (error) {
      this.fail(id, type, error);
    }
  }

  private async hello(id: RequestId, data: RequestData<'hello'>): Promise<void> {
    const { tokens, stores, sessions, presence, calls, config, logger, metrics } = this.services;
    try {
      if (!SUPPORTED_PROTOCOL_VERSIONS.includes(data.protocol)) {
        throw new ProtocolError(
          'incompatible-version',
          `protocol ${data.protocol} is not supported; this server speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')} (current ${PROTOCOL_VERSION})`,
        );
      }
      const account = await verifyAccessToken(tokens, stores.users, data.token);
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
      const session = this.createSession(userId, data.device, expiresAt);
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
      if (cameOnline) presence.onlineChanged(userId);
      calls.deliverPending(session);
      logger.info(
        { userId, deviceId: data.device.id, platform: data.device.platform },
        'signed in',
      );
    } catch (error) {
      this.state = this.state === 'closed' ? 'closed' : 'anonymous';
      this.fail(id, 'hello', error);
    }
  }

  private createSession(
    userId: string,
    device: RequestData<'hello'>['device'],
    expiresAt: number,
  ): Session {
    return {
      sessionId: randomUUID(),
      userId,
      device,
      connectedAt: Date.now(),
      expiresAt,
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
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount + this.unsentBytes > MAX_BUFFERED_BYTES) {
      this.services.logger.warn({ userId: this.session?.userId }, 'slow consumer dropped');
      socket.terminate();
      return;
    }
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

  private reject(id: RequestId | null, error: ErrorBody): void {
    this.services.metrics.frames.inc({ outcome: 'rejected' });
    this.send(encodeError(id, error));
  }

  private fail(id: RequestId, type: string, error: unknown): void {
    if (error instanceof ProtocolError) {
      this.reject(id, error.toBody());
      return;
    }
    this.services.logger.error(
      { err: error, type, userId: this.session?.userId },
      'request failed',
    );
    this.reject(id, { code: 'internal', message: 'internal error' });
  }

  /** Token bucket: `rateLimitPerSec` sustained, `rateLimitBurst` at once. */
  private takeToken(): boolean {
    const { rateLimitPerSec, rateLimitBurst } = this.services.config.signaling;
    const now = Date.now();
    this.tokens = Math.min(
      rateLimitBurst,
      this.tokens + ((now - this.refilledAt) / 1000) * rateLimitPerSec,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.authTimer);
    const session = this.session;
    if (session) {
      const { sessions, presence, metrics, logger } = this.services;
      metrics.sessions.dec();
      presence.dropSession(session);
      if (sessions.remove(session)) {
        presence.onlineChanged(session.userId);
        this.services.contactCenter.userOffline(session.userId);
      }
      logger.info({ userId: session.userId, deviceId: session.device.id }, 'signed out');
    }
    this.onClosed(this);
  }
}
