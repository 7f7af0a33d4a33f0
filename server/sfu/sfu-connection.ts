import type { RawData, WebSocket } from 'ws';
import type { ErrorBody, RequestId, SfuRequestData } from '../../protocol/index.js';
import {
  ProtocolError,
  SNIFF_ID_CHARS,
  encodeError,
  encodeResult,
  sniffRequestId,
} from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import { TokenError, type VerifiedMediaTicket } from '../tokens.js';
import type { Peer, PeerLink } from './peer.js';
import type { Room } from './room.js';
import type { SfuConfig } from './sfu-config.js';
import { type ParsedSfuRequest, parseSfuRequestFrame } from './sfu-frames.js';

/** What an SFU socket needs from the service. */
export interface SfuConnectionContext {
  config: SfuConfig;
  logger: Logger;
  verifyMediaTicket(ticket: string): Promise<VerifiedMediaTicket>;
  /**
   * Puts the ticket's user into its call's room, spending the ticket; throws ProtocolError
   * (`forbidden`, `unauthorized` for a ticket used already, ...).
   */
  admit(claims: VerifiedMediaTicket, link: PeerLink): Promise<{ room: Room; peer: Peer }>;
}

/** A peer that lets this much pile up unread is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * Requests one socket may have waiting behind the one being handled: a group call's consumer
 * resumes fit many times over; only a hung request fills it, and then the next get
 * `rate-limited` instead of the server keeping all a peer sends.
 */
export const MAX_QUEUED_REQUESTS = 64;

/** What a request's handling produced: the answer, and what follows it. */
interface Outcome {
  data: unknown;
  /** After the answer went out (events that refer to it, closing the socket). */
  after?: () => void;
  /** The answer came too late and the peer was told `internal`: take back what was made. */
  undo?: () => void;
}

/** Enough bytes of an oversized frame to hold SNIFF_ID_CHARS characters of it. */
const SNIFF_ID_BYTES = SNIFF_ID_CHARS * 3;

/** Close codes of the SFU socket (4000-4999 are the application's). */
export const SFU_CLOSE = {
  /** Said `leave`. */
  left: 1000,
  shutdown: 1001,
  /** Out of the room for good: `room.closed` says why. */
  outOfRoom: 4000,
  /** No valid `join` within the auth timeout. */
  joinTimeout: 4001,
  /** Stopped answering pings. */
  silent: 4002,
} as const;

/** The id a request names (`idOf` schemas type their key loosely; the schema required it). */
function idIn(data: Record<string, string | undefined>, key: string): string {
  const id = data[key];
  if (id === undefined) throw new ProtocolError('bad-request', `${key} is missing`);
  return id;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

type ConnectionState = 'anonymous' | 'joining' | 'joined' | 'closed';

/**
 * One `/sfu` WebSocket: frame cap, rate limit, parsing, the `join` admission with a media
 * ticket, and requests handled one at a time in arrival order.
 */
export class SfuConnection {
  lastSeen = Date.now();
  private state: ConnectionState = 'anonymous';
  private room: Room | undefined;
  private peer: Peer | undefined;
  /** The link of the current peer; a detached peer's link goes quiet. */
  private link: PeerLink | undefined;
  private tail: Promise<void> = Promise.resolve();
  /** Requests in `tail` that have not started yet. */
  private queued = 0;
  private tokens: number;
  private refilledAt = Date.now();
  private authTimer: NodeJS.Timeout | undefined;
  private log: Logger;

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: SfuConnectionContext,
    private readonly onClosed: (connection: SfuConnection) => void,
  ) {
    this.tokens = ctx.config.rateLimitBurst;
    this.log = ctx.logger;
    this.armAuthTimer();
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
      this.log.debug({ err: error }, 'sfu socket error');
    });
  }

  get callId(): string | undefined {
    return this.peer?.callId;
  }

  get userId(): string | undefined {
    return this.peer?.userId;
  }

  ping(): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }

  terminate(): void {
    this.socket.terminate();
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  private armAuthTimer(): void {
    clearTimeout(this.authTimer);
    this.authTimer = setTimeout(() => {
      if (this.state === 'anonymous' || this.state === 'joining') {
        this.socket.close(SFU_CLOSE.joinTimeout, 'join timeout');
      }
    }, this.ctx.config.authTimeoutMs);
    this.authTimer.unref();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    const bytes = toBuffer(data);
    const cap = this.ctx.config.maxFrameBytes;
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
      this.reject(sniffRequestId(text), { code: 'rate-limited', message: 'too many requests' });
      return;
    }
    const parsed = parseSfuRequestFrame(text);
    if (!parsed.ok) {
      this.reject(parsed.id, parsed.error);
      return;
    }
    const { request } = parsed;
    if (request.type === 'join') {
      if (this.state !== 'anonymous') {
        this.reject(request.id, { code: 'already-authenticated', message: 'already joined' });
        return;
      }
      if (this.enqueue(request.id, 'join', () => this.join(request.data))) this.state = 'joining';
      return;
    }
    if (this.state === 'anonymous' || this.state === 'closed') {
      this.reject(request.id, { code: 'not-authenticated', message: 'join first' });
      return;
    }
    // Requests that arrive while the join is being checked wait behind it.
    this.enqueue(request.id, request.type, () => this.handle(request));
  }

  /** Queues a request behind the others; false (and `rate-limited`) when the queue is full. */
  private enqueue(id: RequestId, type: string, run: () => Promise<Outcome | undefined>): boolean {
    if (this.queued >= MAX_QUEUED_REQUESTS) {
      this.reject(id, { code: 'rate-limited', message: 'too many requests waiting; slow down' });
      return false;
    }
    this.queued++;
    this.tail = this.tail.then(() => {
      this.queued--;
      return this.answer(id, type, run());
    });
    return true;
  }

  /**
   * Answers one request once its work is done, or with `internal` once it has taken
   * `requestTimeoutMs`: mediasoup 3.12 waits for its worker without a bound, and a request the
   * worker never answers would otherwise hold up every later request of this socket.
   */
  private async answer(
    id: RequestId,
    type: string,
    work: Promise<Outcome | undefined>,
  ): Promise<void> {
    const timeoutMs = this.ctx.config.requestTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => {
        resolve('late');
      }, timeoutMs);
    });
    try {
      const outcome = await Promise.race([work, late]);
      if (outcome === 'late') {
        this.log.error({ type, timeoutMs }, 'sfu request unanswered in time');
        this.reject(id, {
          code: 'internal',
          message: `the media server did not answer within ${timeoutMs} ms`,
        });
        // Whatever still comes of it is not the peer's any more (and its failure is expected).
        work
          .then((done) => done?.undo?.())
          .catch((error: unknown) => {
            this.log.debug({ err: error, type }, 'late sfu request ended');
          });
        return;
      }
      if (!outcome) return;
      this.respond(id, outcome.data);
      outcome.after?.();
    } catch (error) {
      this.fail(id, type, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async join(data: SfuRequestData<'join'>): Promise<Outcome | undefined> {
    try {
      const claims = await this.ctx.verifyMediaTicket(data.ticket).catch((error: unknown) => {
        if (error instanceof TokenError && error.reason === 'expired') {
          throw new ProtocolError('token-expired', 'the media ticket has expired');
        }
        throw new ProtocolError('unauthorized', 'invalid media ticket');
      });
      if (this.state === 'closed') return undefined;
      this.log = this.ctx.logger.child({ callId: claims.callId, userId: claims.userId });
      const link: PeerLink = {
        send: (frame) => {
          if (this.link === link) this.send(frame);
        },
        detach: (how, why) => {
          if (this.link === link) this.detached(how, why);
        },
      };
      this.link = link;
      const admitted = await this.ctx.admit(claims, link).catch((error: unknown) => {
        this.link = undefined;
        throw error;
      });
      const { room, peer } = admitted;
      if (this.isClosed()) {
        room.removePeer(peer, 'self');
        return undefined;
      }
      this.room = room;
      this.peer = peer;
      this.state = 'joined';
      this.log = peer.log;
      clearTimeout(this.authTimer);
      return {
        data: room.joinResult(peer),
        undo: () => {
          if (this.peer === peer) this.leaveRoom(room, peer);
        },
      };
    } catch (error) {
      if (this.state !== 'closed') this.state = 'anonymous';
      throw error;
    }
  }

  private async handle(request: ParsedSfuRequest): Promise<Outcome | undefined> {
    const { room, peer } = this;
    if (this.state !== 'joined' || !room || !peer) {
      if (this.state === 'closed') return undefined;
      throw new ProtocolError('not-authenticated', 'join first');
    }
    const done: Outcome = { data: {} };
    switch (request.type) {
      case 'join':
        throw new ProtocolError('already-authenticated', 'already joined');
      case 'transport.create': {
        const { direction, forceTcp } = request.data;
        return { data: await room.createTransport(peer, direction, forceTcp ?? false) };
      }
      case 'transport.connect':
        await room.connectTransport(peer, request.data.transportId, request.data.dtlsParameters);
        return done;
      case 'transport.restartIce':
        return { data: await room.restartIce(peer, idIn(request.data, 'transportId')) };
      case 'consumer.ready':
        await room.consumerReady(peer, request.data.rtpCapabilities);
        return done;
      case 'produce': {
        const { producerId, muted } = await room.produce(peer, request.data);
        return {
          data: { producerId },
          // After the answer, so that the peer knows the producer it hears about.
          after: () => {
            if (muted) {
              peer.send('producer.paused', { producerId, userId: peer.userId, byModerator: true });
            }
          },
          // The peer never learnt this producer's id: it would send into the room unseen.
          undo: () => {
            room.closeProducer(peer, producerId);
          },
        };
      }
      case 'producer.pause':
        await room.pauseProducer(peer, idIn(request.data, 'producerId'));
        return done;
      case 'producer.resume':
        await room.resumeProducer(peer, idIn(request.data, 'producerId'));
        return done;
      case 'producer.close':
        room.closeProducer(peer, idIn(request.data, 'producerId'));
        return done;
      case 'consumer.resume':
        await room.resumeConsumer(peer, idIn(request.data, 'consumerId'));
        return done;
      case 'leave':
        this.leaveRoom(room, peer);
        return {
          data: {},
          after: () => {
            this.socket.close(SFU_CLOSE.left, 'left');
          },
        };
    }
  }

  private leaveRoom(room: Room, peer: Peer): void {
    this.room = undefined;
    this.peer = undefined;
    this.link = undefined;
    if (this.state !== 'closed') this.state = 'anonymous';
    room.removePeer(peer, 'self');
  }

  /** The room let go of this peer: close the socket, or wait for a new `join`. */
  private detached(how: 'close' | 'rejoin', why: string): void {
    this.room = undefined;
    this.peer = undefined;
    this.link = undefined;
    if (this.state === 'closed') return;
    if (how === 'close') {
      this.socket.close(SFU_CLOSE.outOfRoom, why);
      return;
    }
    this.state = 'anonymous';
    this.armAuthTimer();
  }

  private respond(id: RequestId, data: unknown): void {
    this.send(encodeResult(id, data));
  }

  private send(frame: string): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn('slow SFU peer dropped');
      socket.terminate();
      return;
    }
    socket.send(frame);
  }

  private reject(id: RequestId | null, error: ErrorBody): void {
    this.send(encodeError(id, error));
  }

  private fail(id: RequestId, type: string, error: unknown): void {
    if (error instanceof ProtocolError) {
      this.reject(id, error.toBody());
      return;
    }
    this.log.error({ err: error, type }, 'sfu request failed');
    this.reject(id, { code: 'internal', message: 'internal error' });
  }

  /** Token bucket: `rateLimitPerSec` sustained, `rateLimitBurst` at once. */
  private takeToken(): boolean {
    const { rateLimitPerSec, rateLimitBurst } = this.ctx.config;
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

  /** Read through a method: the state changes across awaits, which narrowing does not see. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.authTimer);
    const { room, peer } = this;
    this.room = undefined;
    this.peer = undefined;
    this.link = undefined;
    if (room && peer) room.removePeer(peer, 'self');
    this.onClosed(this);
  }
}
