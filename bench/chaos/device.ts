import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import {
  encodeRequest,
  type ErrorBody,
  type ParsedEvent,
  parseResult,
  parseServerFrame,
  PROTOCOL_VERSION,
  type RequestData,
  type RequestResult,
  type RequestType,
} from '../../protocol/index.js';

/** What became of a request: the server's answer, or no answer (socket gone, timeout, fault). */
export type Answer<T extends RequestType> =
  | { kind: 'ok'; data: RequestResult<T>; at: number }
  | { kind: 'error'; error: ErrorBody; at: number }
  | { kind: 'lost'; why: string };

export type HelloResult = RequestResult<'hello'>;

/** Where a device reports what it saw: every validated frame, with its arrival time. */
export interface DeviceObserver {
  hello(device: ChaosDevice, hello: HelloResult, at: number): void;
  event(device: ChaosDevice, event: ParsedEvent, at: number): void;
  /** A request as it goes out: what it asked may be committed even if its answer never arrives. */
  request(device: ChaosDevice, type: RequestType, data: unknown, at: number): void;
  response(device: ChaosDevice, type: RequestType, data: unknown, at: number): void;
  errorResponse(device: ChaosDevice, type: RequestType, error: ErrorBody, at: number): void;
  invalidFrame(device: ChaosDevice, text: string, reason: string): void;
}

type Pending = { type: RequestType; resolve: (answer: Answer<RequestType>) => void };
type Waiter = { match: (e: ParsedEvent) => boolean; resolve: (e: ParsedEvent | undefined) => void };

const HELLO_TIMEOUT_MS = 5_000;
const RECONNECT_MIN_MS = 50;
const RECONNECT_MAX_MS = 500;

/**
 * One device of a user: a real `ws` socket speaking protocol/, every frame validated, that stays
 * connected (reconnecting with a short backoff, `hello` each time) until told to go offline, and
 * that can be made to misbehave: dropped, frozen (no pongs, nothing sent) or vanished (neither
 * reading nor writing, socket left open).
 */
export class ChaosDevice {
  private socket: WebSocket | undefined;
  private ready = false;
  private wanted = false;
  private frozenUntil = 0;
  private vanished = false;
  /**
   * Sockets of a vanish. A vanished device reads nothing, but `ws` hands over what the paused
   * socket had buffered once it closes (at the vanish's end, or when a killed server resets it):
   * frames sent before the server gave the device up would be seen seconds late, as rings after
   * the call ended. They never reached the device in the fault being modelled, so they are dropped.
   */
  private readonly deaf = new WeakSet<WebSocket>();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private waiters: Waiter[] = [];
  private closed: Promise<void> = Promise.resolve();
  private life: Promise<void> = Promise.resolve();
  private readyWaiters: (() => void)[] = [];
  /** Date.now() of each accepted `hello`. */
  readonly helloTimes: number[] = [];
  /** Date.now() of each close of a signed-in socket (a kill closes every one at once). */
  readonly signedInCloseTimes: number[] = [];

  constructor(
    readonly userId: string,
    readonly deviceId: string,
    /** Read at each connection: a restarted server may listen elsewhere. */
    private readonly url: () => string,
    private readonly token: string,
    private readonly observer: DeviceObserver,
  ) {}

  get label(): string {
    return `${this.userId}/${this.deviceId}`;
  }

  get isReady(): boolean {
    return this.ready && !this.faulted;
  }

  get online(): boolean {
    return this.wanted;
  }

  private get faulted(): boolean {
    return this.vanished || Date.now() < this.frozenUntil;
  }

  /** Starts staying connected; resolves after the first accepted `hello` (or `timeoutMs`). */
  async goOnline(timeoutMs = 10_000): Promise<boolean> {
    if (!this.wanted) {
      this.wanted = true;
      this.life = this.stayConnected();
    }
    return this.whenReady(timeoutMs);
  }

  /** Closes the socket cleanly and stops reconnecting. */
  async goOffline(): Promise<void> {
    this.wanted = false;
    this.socket?.close();
    const closed = this.closed;
    await Promise.race([closed, sleep(2_000)]);
    this.socket?.terminate();
    await this.life;
  }

  /** Resolves true once signed in (now or later), false after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.isReady) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Abrupt drop: the socket is destroyed without a close frame; the device reconnects. */
  drop(): void {
    this.socket?.terminate();
  }

  /** Stops answering pings and sending anything for `ms`; reconnects after if it was dropped. */
  freeze(ms: number): void {
    this.frozenUntil = Math.max(this.frozenUntil, Date.now() + ms);
  }

  /** Neither reads nor writes for `ms`, leaving the socket open; then starts afresh. */
  vanish(ms: number): void {
    const socket = this.socket;
    if (!socket || this.vanished) return;
    this.vanished = true;
    this.deaf.add(socket);
    socket.pause();
    setTimeout(() => {
      socket.terminate();
      this.vanished = false;
    }, ms).unref();
  }

  async request<T extends RequestType>(
    type: T,
    data: RequestData<T>,
    timeoutMs = 5_000,
  ): Promise<Answer<T>> {
    const socket = this.socket;
    if (!socket || !this.ready || this.faulted) return { kind: 'lost', why: 'not connected' };
    const id = this.nextId++;
    return new Promise<Answer<T>>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ kind: 'lost', why: 'timeout' });
      }, timeoutMs);
      this.pending.set(id, {
        type,
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer as Answer<T>);
        },
      });
      this.observer.request(this, type, data, Date.now());
      socket.send(encodeRequest(id, type, data));
    });
  }

  /** The next event matching `match` (across reconnects), or undefined after `timeoutMs`. */
  waitFor(match: (e: ParsedEvent) => boolean, timeoutMs: number): Promise<ParsedEvent | undefined> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private async stayConnected(): Promise<void> {
    let backoff = RECONNECT_MIN_MS;
    while (this.wanted) {
      const wait = this.frozenUntil - Date.now();
      if (wait > 0 || this.vanished) {
        await sleep(Math.max(wait, 20));
        continue;
      }
      const signedIn = await this.connectOnce();
      if (signedIn) backoff = RECONNECT_MIN_MS;
      await this.closed;
      // Read through a method: goOffline flips the flag while this loop awaits.
      if (!this.stillWanted()) break;
      await sleep(backoff);
      backoff = Math.min(RECONNECT_MAX_MS, backoff * 2);
    }
  }

  private stillWanted(): boolean {
    return this.wanted;
  }

  /** One socket: `hello`, then frames until it closes. Resolves whether `hello` was accepted. */
  private connectOnce(): Promise<boolean> {
    const socket = new WebSocket(this.url(), { perMessageDeflate: false, autoPong: false });
    this.socket = socket;
    let settle: ((ok: boolean) => void) | undefined;
    const signedIn = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    const helloTimer = setTimeout(() => {
      socket.terminate();
    }, HELLO_TIMEOUT_MS);
    this.closed = new Promise<void>((resolve) => {
      socket.on('close', () => {
        clearTimeout(helloTimer);
        if (this.ready) this.signedInCloseTimes.push(Date.now());
        this.ready = false;
        for (const p of this.pending.values()) p.resolve({ kind: 'lost', why: 'socket closed' });
        this.pending.clear();
        settle?.(false);
        resolve();
      });
    });
    socket.on('error', () => {
      // A refused or reset connection: 'close' follows and the loop retries.
    });
    socket.on('ping', () => {
      if (!this.faulted) socket.pong();
    });
    socket.on('open', () => {
      socket.send(
        encodeRequest(0, 'hello', {
          protocol: PROTOCOL_VERSION,
          token: this.token,
          device: { id: this.deviceId, name: `chaos ${this.deviceId}`, platform: 'linux' },
        }),
      );
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.deaf.has(socket)) return;
      const text = data.toString('utf8');
      if (isBinary) {
        this.observer.invalidFrame(this, text, 'binary frame');
        return;
      }
      if (!this.ready) {
        const ok = this.onHelloAnswer(text);
        clearTimeout(helloTimer);
        if (!ok) socket.terminate();
        settle?.(ok);
        settle = undefined;
        return;
      }
      this.onFrame(text);
    });
    return signedIn;
  }

  private onHelloAnswer(text: string): boolean {
    const frame = parseServerFrame(text);
    if (frame.kind !== 'response' || frame.id !== 0) {
      this.observer.invalidFrame(this, text, 'expected the hello answer first');
      return false;
    }
    if (!frame.ok) {
      this.observer.errorResponse(this, 'hello', frame.error, Date.now());
      return false;
    }
    let hello: HelloResult;
    try {
      hello = parseResult('hello', frame.data);
    } catch (error) {
      this.observer.invalidFrame(this, text, (error as Error).message);
      return false;
    }
    const at = Date.now();
    this.ready = true;
    this.helloTimes.push(at);
    this.observer.hello(this, hello, at);
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
    return true;
  }

  private onFrame(text: string): void {
    const at = Date.now();
    const frame = parseServerFrame(text);
    if (frame.kind === 'invalid') {
      this.observer.invalidFrame(this, text.slice(0, 300), frame.reason);
      return;
    }
    if (frame.kind === 'event') {
      this.onEvent(frame.event, at);
      return;
    }
    const pending = frame.id === null ? undefined : this.pending.get(Number(frame.id));
    if (!pending) return;
    this.pending.delete(Number(frame.id));
    if (!frame.ok) {
      this.observer.errorResponse(this, pending.type, frame.error, at);
      pending.resolve({ kind: 'error', error: frame.error, at });
      return;
    }
    let data: unknown;
    try {
      data = parseResult(pending.type, frame.data);
    } catch (error) {
      this.observer.invalidFrame(this, text.slice(0, 300), (error as Error).message);
      pending.resolve({ kind: 'lost', why: 'invalid response' });
      return;
    }
    this.observer.response(this, pending.type, data, at);
    pending.resolve({ kind: 'ok', data: data as RequestResult<RequestType>, at });
  }

  private onEvent(event: ParsedEvent, at: number): void {
    this.observer.event(this, event, at);
    // A real client confirms every invitation it received ("received by peer").
    if (event.type === 'call.incoming' && !this.faulted)
      void this.request('call.ack', { callId: event.data.call.callId });
    const matched = this.waiters.filter((w) => w.match(event));
    if (matched.length === 0) return;
    this.waiters = this.waiters.filter((w) => !matched.includes(w));
    for (const w of matched) w.resolve(event);
  }
}
