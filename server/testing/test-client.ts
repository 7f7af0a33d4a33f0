import WebSocket from 'ws';
import type {
  DeviceInfo,
  ErrorBody,
  EventData,
  EventType,
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
import { reportFrameViolation } from './frame-conformance.js';
import { checkPublishedSchema } from './generated-schemas.js';

/** The server answered a request with an error. */
export class RequestFailed extends Error {
  override readonly name = 'RequestFailed';
  constructor(readonly body: ErrorBody) {
    super(`${body.code}: ${body.message}`);
  }
}

type Waiter = { match: (e: ParsedEvent) => boolean; resolve: (e: ParsedEvent) => void };

/**
 * A minimal signaling client for tests and benchmarks: a real `ws` socket, requests correlated
 * by id, every server frame validated against the protocol, and events kept for assertions.
 */
export class TestClient {
  readonly events: ParsedEvent[] = [];
  readonly invalidFrames: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { type: RequestType; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private waiters: Waiter[] = [];
  private closedPromise: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.onFrame(data.toString('utf8'));
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', (code) => {
        for (const p of this.pending.values()) p.reject(new Error('socket closed'));
        this.pending.clear();
        resolve(code);
      });
    });
  }

  static async connect(url: string): Promise<TestClient> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    return new TestClient(socket);
  }

  /** Connects and says hello with a token. */
  static async signIn(
    url: string,
    token: string,
    device: Partial<DeviceInfo> = {},
  ): Promise<{ client: TestClient; hello: RequestResult<'hello'> }> {
    const client = await TestClient.connect(url);
    const hello = await client.request('hello', {
      protocol: PROTOCOL_VERSION,
      token,
      device: { id: 'dev-1', name: 'test device', platform: 'linux', ...device },
    });
    return { client, hello };
  }

  request<T extends RequestType>(type: T, data: RequestData<T>): Promise<RequestResult<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(encodeRequest(id, type, data));
    });
  }

  /** Sends raw text (for malformed-input tests). */
  sendRaw(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** Resolves with the next event of this type matching `where` (or one already received since `since`). */
  waitFor<T extends EventType>(
    type: T,
    where: (data: EventData<T>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<EventData<T>> {
    const match = (e: ParsedEvent): boolean => e.type === type && where(e.data as EventData<T>);
    const seen = this.events.find(match);
    if (seen) {
      this.events.splice(this.events.indexOf(seen), 1);
      return Promise.resolve(seen.data as EventData<T>);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${type}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e.data as EventData<T>);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Events of a type received and not yet consumed by `waitFor`. */
  received<T extends EventType>(type: T): EventData<T>[] {
    return this.events.filter((e) => e.type === type).map((e) => e.data as EventData<T>);
  }

  close(): Promise<number> {
    this.socket.close();
    return this.closedPromise;
  }

  get closed(): Promise<number> {
    return this.closedPromise;
  }

  private onFrame(text: string): void {
    const frame = parseServerFrame(text);
    if (frame.kind === 'invalid') {
      this.invalidFrames.push(`${frame.reason}: ${text}`);
      reportFrameViolation('signaling client', frame.reason, text);
      return;
    }
    if (frame.kind === 'event') {
      checkPublishedSchema('signaling client', 'ws', 'event', frame.event.type, text);
      const waiter = this.waiters.find((w) => w.match(frame.event));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(frame.event);
      } else this.events.push(frame.event);
      return;
    }
    const pending = typeof frame.id === 'number' ? this.pending.get(frame.id) : undefined;
    if (!pending) return;
    this.pending.delete(frame.id as number);
    if (frame.ok) {
      try {
        const result = parseResult(pending.type, frame.data);
        checkPublishedSchema('signaling client', 'ws', 'response', pending.type, text);
        pending.resolve(result);
      } catch (error) {
        this.invalidFrames.push(`bad ${pending.type} result: ${text}`);
        reportFrameViolation('signaling client', `bad ${pending.type} result`, text);
        pending.reject(error as Error);
      }
    } else {
      checkPublishedSchema('signaling client', 'ws', 'error', undefined, text);
      pending.reject(new RequestFailed(frame.error));
    }
  }
}
