import type {
  DeviceInfo,
  ErrorBody,
  ErrorCode,
  ParsedEvent,
  RequestData,
  RequestResult,
  RequestType,
} from '../../protocol/index.js';
import {
  PROTOCOL_VERSION,
  encodeRequest,
  parseResult,
  parseServerFrame,
} from '../../protocol/index.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay } from './backoff.js';
import { SOCKET_OPEN, type SocketFactory, type WebSocketLike } from './socket.js';

export type ConnectionState =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  /** Stopped for good: signed out, or the server refused us in a way retrying cannot fix. */
  | 'closed';

/** A request failed: the server's error code, or one of the client's own. */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  constructor(
    readonly code: ErrorCode | 'timeout' | 'disconnected' | 'invalid-response',
    message: string,
    readonly body?: ErrorBody,
  ) {
    super(message);
  }
}

export type HelloResult = RequestResult<'hello'>;

export type SignalingClientEvents = {
  state: [state: ConnectionState, previous: ConnectionState];
  /** Signed in (first time or after a reconnect): resync from the server's view. */
  ready: [hello: HelloResult, resumed: boolean];
  event: [event: ParsedEvent];
  /** Closed for good, with the reason (`unauthorized`, `incompatible-version`, ...). */
  fatal: [error: SignalingError];
  /** The next attempt is due at this time (epoch ms), or none is waiting (`undefined`). */
  retry: [nextAttemptAt: number | undefined];
  /** `session.renew` moved the session's deadline (epoch ms, server clock). */
  renewed: [sessionExpiresAt: number];
};

export interface SignalingClientOptions {
  url: string;
  device: DeviceInfo;
  /** Called before every sign-in; may refresh the token. */
  getToken: () => Promise<string>;
  /**
   * Called before the session's deadline (hello's `sessionExpiresAt`) for a freshly refreshed
   * access token of the same user, sent in `session.renew`. Without it the server closes the
   * session at its deadline (`token-expired`) and the client signs in again with `getToken`.
   */
  renewToken?: () => Promise<string>;
  createSocket: SocketFactory;
  requestTimeoutMs?: number;
  /**
   * How long a new socket may stay unopened before it is given up and the backoff goes on:
   * a server whose TCP accepts but never answers the upgrade (hung, or a proxy in between),
   * or SYNs lost on a dead network, would otherwise hold the client for the OS's own limit
   * (Linux: ~2 min) or forever.
   */
  connectTimeoutMs?: number;
  backoff?: BackoffOptions;
  random?: () => number;
}

type Pending = {
  type: RequestType;
  resolve: (value: unknown) => void;
  reject: (error: SignalingError) => void;
  timer: ReturnType<typeof setTimeout>;
};

/**
 * A session is renewed when this share of its remaining life has passed, less up to
 * RENEW_JITTER of it at random: devices signed in together do not all refresh at once.
 */
const RENEW_AT = 0.8;
const RENEW_JITTER = 0.1;
/** Renewals are never closer together than this (a retry, a deadline already near). */
const MIN_RENEW_DELAY_MS = 1_000;
/** How long `reconnectNow` waits for the ping that tells a live socket from a dead one. */
export const DEFAULT_PROBE_TIMEOUT_MS = 3_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Errors after which reconnecting cannot help. */
const FATAL: ReadonlySet<string> = new Set(['unauthorized', 'incompatible-version']);

/**
 * The persistent signaling connection: hello, requests correlated with responses and timeouts,
 * heartbeats, and reconnection with capped exponential backoff and full jitter. Requests made while
 * disconnected wait for the next sign-in (until their timeout), so an invitation typed during a
 * network blip still goes out; call ids make such retries idempotent on the server.
 */
export class SignalingClient extends TypedEmitter<SignalingClientEvents> {
  private _state: ConnectionState = 'idle';
  private socket: WebSocketLike | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Requests waiting for a signed-in connection. */
  private queue: { id: number; frame: string }[] = [];
  private attempt = 0;
  private everSignedIn = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private _nextAttemptAt: number | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * `reconnectNow` came while a handshake was under way on an open socket: if that handshake
   * fails, the next attempt goes at once instead of after the backoff (the person asked now).
   */
  private retryAtOnce = false;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Server clock minus ours, as of the last hello: deadlines are in server time. */
  private serverClockOffsetMs = 0;
  private signedIn = false;
  private probing = false;

  /** The device this client signs in as (a call's leg names the device it is in the call on). */
  get deviceId(): string {
    return this.options.device.id;
  }

  constructor(private readonly options: SignalingClientOptions) {
    super();
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** When the next attempt is due (epoch ms, this machine's clock), while one is waiting. */
  get nextAttemptAt(): number | undefined {
    return this._nextAttemptAt;
  }

  /** Starts connecting (and keeps reconnecting until `close`). */
  start(): void {
    if (this._state !== 'idle' && this._state !== 'closed') return;
    this.attempt = 0;
    this.connect();
  }

  /**
   * The network may have changed under the connection (resume from sleep, screen unlock, a
   * network coming up): act now rather than after the heartbeat (up to its interval) or the
   * backoff (up to `maxMs`). Waiting for a retry: retry at once, the backoff starting over.
   * Signed in: a ping with a short timeout; no answer means the socket died while we slept
   * (half-open TCP never closes by itself), so it is dropped and a new one opened at once.
   * A socket still opening was started before the network came back (its SYNs may be lost
   * and its route gone): it is dropped and a new one opened at once. A sign-in under way on an
   * open socket is left to finish, and if it fails the next attempt goes at once, not after
   * the backoff: otherwise a click that lands during a doomed handshake would be lost.
   */
  reconnectNow(probeTimeoutMs = DEFAULT_PROBE_TIMEOUT_MS): void {
    if (this._state === 'closed' || this._state === 'idle') return;
    const socket = this.socket;
    if (!socket) {
      clearTimeout(this.reconnectTimer);
      this.attempt = 0;
      this.connect();
      return;
    }
    if (!this.signedIn) {
      if (socket.readyState === SOCKET_OPEN) this.retryAtOnce = true;
      else this.drop(socket, 4004, 'retrying now', true);
      return;
    }
    if (this.probing) return;
    this.probing = true;
    this.send('ping', {}, probeTimeoutMs, false).then(
      () => {
        this.probing = false;
      },
      () => {
        this.probing = false;
        if (socket === this.socket) this.drop(socket, 4003, 'probe unanswered', true);
      },
    );
  }

  /** Signs out of this connection for good: pending requests fail with `disconnected`. */
  close(): void {
    this.setState('closed');
    clearTimeout(this.reconnectTimer);
    this.setNextAttempt(undefined);
    this.retryAtOnce = false;
    clearTimeout(this.connectTimer);
    this.stopHeartbeat();
    this.stopRenewal();
    this.socket?.close(1000, 'client closed');
    this.socket = undefined;
    this.failAll(new SignalingError('disconnected', 'client closed'));
  }

  request<T extends Exclude<RequestType, 'hello'>>(
    type: T,
    data: RequestData<T>,
    timeoutMs = this.options.requestTimeoutMs ?? 10_000,
  ): Promise<RequestResult<T>> {
    if (this._state === 'closed') {
      return Promise.reject(new SignalingError('disconnected', 'the client is closed'));
    }
    return this.send(type, data, timeoutMs, !this.signedIn);
  }

  private send<T extends RequestType>(
    type: T,
    data: RequestData<T>,
    timeoutMs: number,
    queued: boolean,
  ): Promise<RequestResult<T>> {
    const id = this.nextId++;
    const frame = encodeRequest(id, type, data);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.queue = this.queue.filter((q) => q.id !== id);
        reject(new SignalingError('timeout', `${type}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject, timer });
      if (queued) this.queue.push({ id, frame });
      else this.socket?.send(frame);
    });
  }

  private connect(): void {
    this.setState(this.everSignedIn ? 'reconnecting' : 'connecting');
    this.setNextAttempt(undefined);
    let socket: WebSocketLike;
    try {
      socket = this.options.createSocket(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      if (socket === this.socket && socket.readyState !== SOCKET_OPEN)
        this.drop(socket, 4005, 'connect timeout', false);
    }, this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    socket.onopen = () => {
      clearTimeout(this.connectTimer);
      void this.hello(socket);
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data === 'string') this.onFrame(ev.data);
    };
    socket.onclose = () => {
      this.onSocketClosed(socket);
    };
    socket.onerror = () => undefined; // `close` follows and decides.
  }

  private async hello(socket: WebSocketLike): Promise<void> {
    try {
      const token = await this.options.getToken();
      if (socket !== this.socket) return;
      const hello = await this.send(
        'hello',
        { protocol: PROTOCOL_VERSION, token, device: this.options.device },
        this.options.requestTimeoutMs ?? 10_000,
        false,
      );
      if (socket !== this.socket) return;
      const resumed = this.everSignedIn;
      this.everSignedIn = true;
      this.signedIn = true;
      this.attempt = 0;
      this.retryAtOnce = false;
      this.setState('connected');
      this.startHeartbeat(socket, hello.heartbeatIntervalMs);
      this.serverClockOffsetMs = hello.serverTime - Date.now();
      this.scheduleRenewal(socket, hello.sessionExpiresAt);
      // Queued requests go out after hello, in the order they were made.
      for (const { frame } of this.queue.splice(0)) socket.send(frame);
      this.emit('ready', hello, resumed);
    } catch (error) {
      const failure =
        error instanceof SignalingError
          ? error
          : new SignalingError('unauthorized', `no token: ${String(error)}`);
      if (FATAL.has(failure.code)) {
        this.emit('fatal', failure);
        this.close();
        return;
      }
      // token-expired, a timeout, a dropped socket: the next attempt asks for a fresh token.
      // Dropped rather than closed: a close handshake with a peer that stopped answering (the
      // likely cause of a hello timeout) would hold the next attempt for up to 30 s.
      this.drop(socket, 4000, 'hello failed', false);
    }
  }

  private onFrame(text: string): void {
    const frame = parseServerFrame(text);
    if (frame.kind === 'invalid') return; // A newer server's extra event: ignore it.
    if (frame.kind === 'event') {
      this.emit('event', frame.event);
      return;
    }
    if (typeof frame.id !== 'number') return;
    const pending = this.pending.get(frame.id);
    if (!pending) return;
    this.pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (!frame.ok) {
      pending.reject(new SignalingError(frame.error.code, frame.error.message, frame.error));
      return;
    }
    try {
      pending.resolve(parseResult(pending.type, frame.data));
    } catch {
      pending.reject(new SignalingError('invalid-response', `${pending.type}: malformed answer`));
    }
  }

  private onSocketClosed(socket: WebSocketLike): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.signedIn = false;
    clearTimeout(this.connectTimer);
    this.stopHeartbeat();
    this.stopRenewal();
    // Requests that were on the wire have no answer coming; queued ones wait for the next hello.
    const queuedIds = new Set(this.queue.map((q) => q.id));
    for (const [id, p] of this.pending) {
      if (queuedIds.has(id)) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new SignalingError('disconnected', `${p.type}: connection lost`));
    }
    if (this._state !== 'closed') this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.setState(this.everSignedIn ? 'reconnecting' : 'connecting');
    if (this.retryAtOnce) this.attempt = 0;
    const delay = this.retryAtOnce
      ? 0
      : backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.retryAtOnce = false;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.connect();
    }, delay);
    this.setNextAttempt(Date.now() + delay);
  }

  private setNextAttempt(at: number | undefined): void {
    if (at === this._nextAttemptAt) return;
    this._nextAttemptAt = at;
    this.emit('retry', at);
  }

  /** A ping each interval; a server that does not answer within it is treated as gone. */
  private startHeartbeat(socket: WebSocketLike, intervalMs: number): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      if (socket.readyState !== SOCKET_OPEN) return;
      this.send('ping', {}, intervalMs, false).catch(() => {
        if (socket === this.socket) this.drop(socket, 4002, 'heartbeat lost', false);
      });
    }, intervalMs);
  }

  /**
   * Renews the session before its deadline: at RENEW_AT of the time left (less jitter). A
   * renewal that failed for a passing reason is tried again the same way, sooner as the
   * deadline nears; a refused refresh is not (the server closes the session at its deadline,
   * and the sign-in after it reports the refusal).
   */
  private scheduleRenewal(socket: WebSocketLike, sessionExpiresAt: number): void {
    this.stopRenewal();
    const renewToken = this.options.renewToken;
    if (!renewToken) return;
    const left = sessionExpiresAt - this.serverClockOffsetMs - Date.now();
    if (left <= 0) return;
    const random = this.options.random ?? Math.random;
    const share = RENEW_AT - RENEW_JITTER * random();
    const delay = Math.min(left, Math.max(MIN_RENEW_DELAY_MS, left * share));
    this.renewTimer = setTimeout(() => {
      void this.renew(socket, renewToken, sessionExpiresAt);
    }, delay);
  }

  private async renew(
    socket: WebSocketLike,
    renewToken: () => Promise<string>,
    deadline: number,
  ): Promise<void> {
    const current = () => socket === this.socket && this.signedIn;
    try {
      const accessToken = await renewToken();
      if (!current()) return;
      const { sessionExpiresAt } = await this.send(
        'session.renew',
        { accessToken },
        this.options.requestTimeoutMs ?? 10_000,
        false,
      );
      if (!current()) return;
      this.emit('renewed', sessionExpiresAt);
      this.scheduleRenewal(socket, sessionExpiresAt);
    } catch (error) {
      if (!current()) return;
      const code = error instanceof SignalingError ? error.code : 'unauthorized';
      if (code === 'unauthorized') return;
      this.scheduleRenewal(socket, deadline);
    }
  }

  private stopRenewal(): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  /**
   * Gives up on a socket that stopped answering without waiting for its close event: closing a
   * WebSocket whose peer is gone waits for a close handshake that never comes (ws: 30 s).
   * `now`: reconnect at once (the network is known to be back) rather than after the backoff.
   */
  private drop(socket: WebSocketLike, code: number, reason: string, now: boolean): void {
    socket.onmessage = null; // a late frame of the old socket must not count as the new one's
    this.onSocketClosed(socket);
    try {
      socket.close(code, reason);
    } catch {
      // Already closing: the close event is ignored (it is not our socket any more).
    }
    if (now && this._state !== 'closed') {
      clearTimeout(this.reconnectTimer);
      this.attempt = 0;
      this.connect();
    }
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private failAll(error: SignalingError): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
    this.queue = [];
  }

  private setState(next: ConnectionState): void {
    const previous = this._state;
    if (previous === next) return;
    this._state = next;
    this.emit('state', next, previous);
  }
}
