import WebSocket from 'ws';
import type {
  ErrorBody,
  SfuEventData,
  SfuEventType,
  SfuRequestData,
  SfuRequestResult,
  SfuRequestType,
} from '../../../protocol/index.js';
import {
  type ParsedSfuEvent,
  encodeSfuRequest,
  parseSfuResult,
  parseSfuServerFrame,
} from '../sfu-frames.js';
import { reportFrameViolation } from '../../testing/frame-conformance.js';
import { checkPublishedSchema } from '../../testing/generated-schemas.js';

/** The SFU answered a request with an error. */
export class SfuRequestFailed extends Error {
  override readonly name = 'SfuRequestFailed';
  constructor(readonly body: ErrorBody) {
    super(`${body.code}: ${body.message}`);
  }
}

type Waiter = { match: (e: ParsedSfuEvent) => boolean; resolve: (e: ParsedSfuEvent) => void };

/**
 * A minimal SFU client for tests: a real `ws` socket on `/sfu`, requests correlated by id, every
 * frame from the server validated against protocol/sfu.ts, events kept for assertions.
 */
export class SfuTestClient {
  readonly events: ParsedSfuEvent[] = [];
  /** Frames that did not match the protocol: tests assert this stays empty. */
  readonly invalidFrames: string[] = [];
  /** Errors for frames whose request id could not be read (`id: null`). */
  readonly orphanErrors: ErrorBody[] = [];
  private nextId = 1;
  private readonly pending = new Map<
    number | string,
    { type: SfuRequestType; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private waiters: Waiter[] = [];
  private readonly closedPromise: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.onFrame(data.toString('utf8'));
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        for (const p of this.pending.values()) p.reject(new Error('socket closed'));
        this.pending.clear();
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
  }

  static async connect(url: string): Promise<SfuTestClient> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    return new SfuTestClient(socket);
  }

  /** Connects and joins with a media ticket. */
  static async join(
    url: string,
    ticket: string,
  ): Promise<{ client: SfuTestClient; joined: SfuRequestResult<'join'> }> {
    const client = await SfuTestClient.connect(url);
    const joined = await client.request('join', { ticket });
    return { client, joined };
  }

  request<T extends SfuRequestType>(
    type: T,
    data: SfuRequestData<T>,
  ): Promise<SfuRequestResult<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(encodeSfuRequest(id, type, data));
    });
  }

  /** Sends a request frame with any type and data, for malformed-input tests. */
  requestRaw(type: string, data: unknown): Promise<unknown> {
    const id = `raw-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type: 'leave', resolve, reject });
      this.socket.send(JSON.stringify({ id, type, data }));
    });
  }

  /** Sends raw text or bytes. */
  sendRaw(payload: string | Buffer): void {
    this.socket.send(payload);
  }

  /** The next event of this type matching `where` (or one already received and not taken). */
  waitFor<T extends SfuEventType>(
    type: T,
    where: (data: SfuEventData<T>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<SfuEventData<T>> {
    const match = (e: ParsedSfuEvent): boolean =>
      e.type === type && where(e.data as SfuEventData<T>);
    const seen = this.events.find(match);
    if (seen) {
      this.events.splice(this.events.indexOf(seen), 1);
      return Promise.resolve(seen.data as SfuEventData<T>);
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
          resolve(e.data as SfuEventData<T>);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Events of a type received and not yet taken by `waitFor`. */
  received<T extends SfuEventType>(type: T): SfuEventData<T>[] {
    return this.events.filter((e) => e.type === type).map((e) => e.data as SfuEventData<T>);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closedPromise;
  }

  /** Resolves with the close code and reason once the socket closed (from either side). */
  get closed(): Promise<{ code: number; reason: string }> {
    return this.closedPromise;
  }

  private onFrame(text: string): void {
    const frame = parseSfuServerFrame(text);
    switch (frame.kind) {
      case 'invalid':
        this.invalidFrames.push(`${frame.reason}: ${text}`);
        reportFrameViolation('sfu client', frame.reason, text);
        return;
      case 'orphan-error':
        checkPublishedSchema('sfu client', 'sfu', 'error', undefined, text);
        this.orphanErrors.push(frame.error);
        return;
      case 'event': {
        checkPublishedSchema('sfu client', 'sfu', 'event', frame.event.type, text);
        const waiter = this.waiters.find((w) => w.match(frame.event));
        if (waiter) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(frame.event);
        } else this.events.push(frame.event);
        return;
      }
      case 'response': {
        const pending = this.pending.get(frame.id);
        if (!pending) {
          this.invalidFrames.push(`response to unknown request: ${text}`);
          return;
        }
        this.pending.delete(frame.id);
        if (!frame.ok) {
          checkPublishedSchema('sfu client', 'sfu', 'error', undefined, text);
          pending.reject(new SfuRequestFailed(frame.error));
          return;
        }
        if (typeof frame.id === 'string' && frame.id.startsWith('raw-')) {
          pending.resolve(frame.data);
          return;
        }
        try {
          const result = parseSfuResult(pending.type, frame.data);
          checkPublishedSchema('sfu client', 'sfu', 'response', pending.type, text);
          pending.resolve(result);
        } catch (error) {
          this.invalidFrames.push(`bad ${pending.type} result: ${text}`);
          reportFrameViolation('sfu client', `bad ${pending.type} result`, text);
          pending.reject(error as Error);
        }
      }
    }
  }
}

/** The error code a promise rejected with (for `expect(...).resolves.toBe('forbidden')`). */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SfuRequestFailed) return error.body.code;
    throw error;
  }
  throw new Error('the request succeeded');
}
