import type { WebSocket } from 'ws';
import type { RequestId, SfuRequestData } from '../../protocol/index.js';
import { ProtocolError, encodeResult } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import { FramedSocket } from '../sockets/framed-socket.js';
import { TokenError, type VerifiedMediaTicket } from '../tokens.js';
import type { Peer, PeerLink } from './peer.js';
import type { Room } from './room.js';
import type { SfuConfig } from './sfu-config.js';
import { type ParsedSfuRequest, parseSfuRequestFrame } from './sfu-frames.js';
import {
  type JoinedRequestType,
  type Outcome,
  type SfuRequestContext,
  sfuHandlers,
} from './sfu-handlers.js';

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

/**
 * Requests one socket may have waiting behind the one being handled: a group call's consumer
 * resumes fit many times over; only a hung request fills it, and then the next get
 * `rate-limited` instead of the server keeping all a peer sends.
 */
export const MAX_QUEUED_REQUESTS = 64;

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

type ConnectionState = 'anonymous' | 'joining' | 'joined' | 'closed';

/**
 * One `/sfu` WebSocket: the `join` admission with a media ticket and a joined peer's requests
 * (sfu-handlers.ts), over the framing every socket of ours shares (FramedSocket: cap, rate limit,
 * parsing, requests one at a time in arrival order), each answered within a bound.
 */
export class SfuConnection {
  private readonly framed: FramedSocket<ParsedSfuRequest>;
  private state: ConnectionState = 'anonymous';
  private room: Room | undefined;
  private peer: Peer | undefined;
  /** The link of the current peer; a detached peer's link goes quiet. */
  private link: PeerLink | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private log: Logger;

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: SfuConnectionContext,
    private readonly onClosed: (connection: SfuConnection) => void,
  ) {
    this.log = ctx.logger;
    this.framed = new FramedSocket(socket, {
      limits: { ...ctx.config, maxQueuedRequests: MAX_QUEUED_REQUESTS },
      parse: parseSfuRequestFrame,
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
    });
    this.armAuthTimer();
  }

  get callId(): string | undefined {
    return this.peer?.callId;
  }

  get userId(): string | undefined {
    return this.peer?.userId;
  }

  /** The last frame or pong from the peer, for the heartbeat sweep. */
  get lastSeen(): number {
    return this.framed.lastSeen;
  }

  ping(): void {
    this.framed.ping();
  }

  terminate(): void {
    this.framed.terminate();
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

  private onRequest(request: ParsedSfuRequest): void {
    const framed = this.framed;
    if (request.type === 'join') {
      if (this.state !== 'anonymous') {
        framed.reject(request.id, { code: 'already-authenticated', message: 'already joined' });
        return;
      }
      const { id, data } = request;
      if (framed.enqueue(id, () => this.answer(id, 'join', this.join(data)))) {
        this.state = 'joining';
      }
      return;
    }
    if (this.state === 'anonymous' || this.state === 'closed') {
      framed.reject(request.id, { code: 'not-authenticated', message: 'join first' });
      return;
    }
    // Requests that arrive while the join is being checked wait behind it.
    framed.enqueue(request.id, () => this.answer(request.id, request.type, this.handle(request)));
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
        this.framed.reject(id, {
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
      this.send(encodeResult(id, outcome.data));
      outcome.after?.();
    } catch (error) {
      this.framed.fail(id, type, error);
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

  /** Runs a joined peer's request; started only when the ones before it have been answered. */
  private async handle(
    request: ParsedSfuRequest & { type: JoinedRequestType },
  ): Promise<Outcome | undefined> {
    const { room, peer } = this;
    if (this.state !== 'joined' || !room || !peer) {
      if (this.state === 'closed') return undefined;
      throw new ProtocolError('not-authenticated', 'join first');
    }
    // The table's key and the request's type are the same `T`; TypeScript cannot correlate them.
    const handler = sfuHandlers[request.type] as (
      ctx: SfuRequestContext,
      data: unknown,
    ) => Outcome | Promise<Outcome>;
    const leave = (): Outcome => {
      this.leaveRoom(room, peer);
      return {
        data: {},
        after: () => {
          this.socket.close(SFU_CLOSE.left, 'left');
        },
      };
    };
    return handler({ room, peer, leave }, request.data);
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

  private send(frame: string): void {
    this.framed.sendNow(frame);
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
