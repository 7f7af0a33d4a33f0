import type { RawData, WebSocket } from 'ws';
import type { ErrorBody, RequestId } from '../../protocol/index.js';
import {
  ProtocolError,
  SNIFF_ID_CHARS,
  encodeError,
  sniffRequestId,
} from '../../protocol/index.js';
import type { Logger } from '../logger.js';

/**
 * The part every WebSocket endpoint of ours shares (signaling `/ws` and the SFU's `/sfu`): the
 * frame size cap, text frames only, a token bucket per socket, the request envelope parsed by
 * the endpoint's table, requests handled one at a time in arrival order with a bounded queue,
 * and errors answered as typed error frames. The endpoint decides what a request means, how
 * frames are sent, and what a close ends.
 */

/** Enough bytes of an oversized frame to hold SNIFF_ID_CHARS characters of it. */
const SNIFF_ID_BYTES = SNIFF_ID_CHARS * 3;

/** A peer that lets this much pile up unread is dropped rather than buffered without end. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface FrameLimits {
  maxFrameBytes: number;
  rateLimitPerSec: number;
  rateLimitBurst: number;
  /**
   * Requests that may wait behind the one being handled; reached only when a handler hangs, and
   * then the next requests get `rate-limited` instead of the server keeping all a peer sends.
   */
  maxQueuedRequests: number;
}

export type ParseOutcome<R> =
  { ok: true; request: R } | { ok: false; id: RequestId | null; error: ErrorBody };

export interface FramedSocketOptions<R> {
  limits: FrameLimits;
  parse(text: string): ParseOutcome<R>;
  /** A parsed request: the endpoint answers it, usually through `enqueue`. */
  onRequest(request: R): void;
  /** Sends one encoded frame; the endpoint may batch or hold frames (signaling does). */
  send(frame: string): void;
  onClose(): void;
  /** The logger for this socket now (its fields change once the peer is known). */
  log(): Logger;
  /** Counted once per refused frame or request (metrics). */
  onRefused?(code: ErrorBody['code']): void;
}

/** Token bucket: `perSec` sustained, `burst` at once. */
export class TokenBucket {
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly perSec: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until `take` succeeds again (0 when it would now), whole ms rounded up. */
  waitMs(now = Date.now()): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSec) * 1000);
  }

  private refill(now: number): void {
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.perSec,
    );
    this.refilledAt = now;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  // An ArrayBuffer: only when a socket's binaryType is changed, which we never do.
  return Buffer.from(data);
}

export class FramedSocket<R> {
  /** The last frame or pong from the peer: the heartbeat sweep reads it. */
  lastSeen = Date.now();
  private readonly bucket: TokenBucket;
  private tail: Promise<void> = Promise.resolve();
  /** Requests in `tail` that have not started yet. */
  private queued = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly options: FramedSocketOptions<R>,
  ) {
    const { limits } = options;
    this.bucket = new TokenBucket(limits.rateLimitPerSec, limits.rateLimitBurst);
    socket.on('message', (data, isBinary) => {
      this.onMessage(data, isBinary);
    });
    socket.on('pong', () => {
      this.lastSeen = Date.now();
    });
    socket.on('close', () => {
      options.onClose();
    });
    socket.on('error', (error) => {
      options.log().debug({ err: error }, 'socket error');
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  ping(): void {
    if (this.isOpen) this.socket.ping();
  }

  terminate(): void {
    this.socket.terminate();
  }

  /**
   * Sends a frame now unless the peer has let MAX_BUFFERED_BYTES (with `unsentBytes` the endpoint
   * holds back) pile up unread: then it is dropped. False when the frame was not sent.
   */
  sendNow(frame: string | Buffer, unsentBytes = 0): boolean {
    if (!this.isOpen) return false;
    if (!this.withinBuffer(unsentBytes)) return false;
    this.socket.send(frame);
    return true;
  }

  /** False (and the peer dropped) when it has left too much unread. */
  withinBuffer(unsentBytes: number): boolean {
    if (this.socket.bufferedAmount + unsentBytes <= MAX_BUFFERED_BYTES) return true;
    this.options.log().warn('slow consumer dropped');
    this.socket.terminate();
    return false;
  }

  /** Queues a request behind the others; false (and `rate-limited`) when the queue is full. */
  enqueue(id: RequestId, run: () => Promise<void>): boolean {
    if (this.queued >= this.options.limits.maxQueuedRequests) {
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

  reject(id: RequestId | null, error: ErrorBody): void {
    this.options.onRefused?.(error.code);
    this.options.send(encodeError(id, error));
  }

  /** A request failed: a ProtocolError is the client's answer; anything else is ours, logged. */
  fail(id: RequestId, type: string, error: unknown): void {
    if (error instanceof ProtocolError) {
      this.reject(id, error.toBody());
      return;
    }
    this.options.log().error({ err: error, type }, 'request failed');
    this.reject(id, { code: 'internal', message: 'internal error' });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    const bytes = toBuffer(data);
    const cap = this.options.limits.maxFrameBytes;
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
    if (!this.bucket.take()) {
      this.reject(sniffRequestId(text), {
        code: 'rate-limited',
        message: 'too many requests',
        retryAfterMs: this.bucket.waitMs(),
      });
      return;
    }
    const parsed = this.options.parse(text);
    if (!parsed.ok) {
      this.reject(parsed.id, parsed.error);
      return;
    }
    this.options.onRequest(parsed.request);
  }
}
