import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as mediasoup from 'mediasoup';
import { WebSocketServer } from 'ws';
import type { CallInfo, MediaKind, UserId } from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { MediaPlane } from '../calls/ports.js';
import type { Logger } from '../logger.js';
import type { TokenService, VerifiedMediaTicket } from '../tokens.js';
import { TicketRules } from './admission.js';
import { type MonitorRole, type Peer, type PeerLink, monitorRole } from './peer.js';
import { Room } from './room.js';
import { type SfuConfig, type SfuConfigInput, sfuConfigSchema } from './sfu-config.js';
import { SFU_CLOSE, SfuConnection, type SfuConnectionContext } from './sfu-connection.js';
import { MEDIA_CODECS } from './transports.js';
import { type DeadWorkerReport, WorkerPool } from './worker-pool.js';

export interface SfuServiceOptions {
  /** Parsed here: a partial object gets the defaults of `sfuConfigSchema`. */
  config: SfuConfig | SfuConfigInput;
  tokens: Pick<TokenService, 'verifyMediaTicket'>;
  /** Is this signaling session signed in for this user? Binds tickets to their session. */
  sessionLive?: (sessionId: string, userId: UserId) => boolean;
  logger: Logger;
}

/**
 * What the SFU asks of the calls and tells them: the call engine (and seat calling) answer. Given
 * to `start`, once both exist, so neither needs the other at construction.
 */
export interface SfuCallAuthority {
  /**
   * Is the user a present participant of this live call? (`CallEngine.isParticipant`) With
   * `sessionId` (the ticket's): in the call on that session's device.
   */
  isParticipant(callId: string, userId: UserId, sessionId?: string): boolean;
  /** May this user monitor the call as a supervisor (`listen`/`whisper`/`barge` tickets)? */
  mayMonitor?(callId: string, userId: UserId): boolean;
  /** Media did not connect in time: end the call (`CallEngine.endCall(callId, 'media-failed')`). */
  onMediaFailed(callId: string): void;
  /**
   * A participant's media, connected before, went away (`CallEngine.mediaLost`): their rejoin
   * window opens. Never called for a user who had not connected yet: the connect bound covers that.
   */
  onMediaLost?(callId: string, userId: UserId): void;
  /** A participant's media connected (again): `CallEngine.mediaBack`. */
  onMediaBack?(callId: string, userId: UserId): void;
}

export interface SfuCounts {
  workers: number;
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
}

/** What the SFU keeps about one call, across the rooms a worker death may cost it. */
interface CallMedia {
  callId: string;
  room: Room | undefined;
  creating: Promise<Room> | undefined;
  /** Kinds the moderator muted, per user. */
  mutes: Map<UserId, Set<MediaKind>>;
  /** Users who put the call on hold: their media is paused both ways. */
  holds: Set<UserId>;
  /** Users whose media reached DTLS `connected` at least once. */
  connected: Set<UserId>;
  connectTimer: NodeJS.Timeout | undefined;
}

/** A join whose room vanished (its worker died) while it was being admitted tries again. */
const JOIN_ATTEMPTS = 3;
const SFU_PATH = '/sfu';

/**
 * The media plane: mediasoup workers, one room per call, the `/sfu` WebSocket, and the
 * enforcement of what signaling decided (removals, moderator mutes, call ends, the connect bound).
 */
export class SfuService implements MediaPlane {
  readonly config: SfuConfig;
  private readonly pool: WorkerPool;
  private readonly calls = new Map<string, CallMedia>();
  private readonly connections = new Set<SfuConnection>();
  private readonly wss: WebSocketServer;
  private readonly ctx: SfuConnectionContext;
  private heartbeat: NodeJS.Timeout | undefined;
  private state: 'new' | 'started' | 'closing' | 'closed' = 'new';
  private closing: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly tickets: TicketRules;
  private authority: SfuCallAuthority | undefined;

  constructor(private readonly o: SfuServiceOptions) {
    this.config = sfuConfigSchema.parse(o.config);
    const { sessionLive } = o;
    this.tickets = new TicketRules(sessionLive ? { sessionLive } : {});
    this.log = o.logger.child({ component: 'sfu' });
    this.pool = new WorkerPool({
      size: this.config.workers,
      rtcMinPort: this.config.rtcMinPort,
      rtcMaxPort: this.config.rtcMaxPort,
      logger: this.log,
      onWorkerDied: (report) => {
        this.workerDied(report);
      },
    });
    this.wss = new WebSocketServer({
      noServer: true,
      // Frames over the cap get a structured error; only absurd ones close the socket.
      maxPayload: this.config.maxFrameBytes * 16,
      perMessageDeflate: false,
    });
    this.ctx = {
      config: this.config,
      logger: this.log,
      verifyMediaTicket: (ticket) => o.tokens.verifyMediaTicket(ticket),
      admit: (claims, link) => this.admit(claims, link),
    };
  }

  /**
   * Starts the workers and the heartbeat, asking `authority` about calls from now on; joins are
   * refused until this resolves.
   */
  async start(authority: SfuCallAuthority): Promise<void> {
    if (this.state !== 'new') throw new Error('SfuService.start() may be called once');
    this.authority = authority;
    await this.pool.start();
    this.state = 'started';
    const interval = this.config.heartbeatIntervalMs;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const c of this.connections) {
        if (now - c.lastSeen > 2 * interval) {
          this.log.info({ callId: c.callId, userId: c.userId }, 'sfu socket silent: dropped');
          c.terminate();
        } else c.ping();
      }
    }, interval);
    this.heartbeat.unref();
    this.log.info({ workers: this.config.workers }, 'sfu started');
  }

  /** For the HTTP server's `upgrade` event: takes requests for `/sfu`, refuses others. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== SFU_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    if (this.state !== 'started') {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.state !== 'started') {
        ws.close(SFU_CLOSE.shutdown, 'server shutting down');
        return;
      }
      const connection = new SfuConnection(ws, this.ctx, (c) => {
        this.connections.delete(c);
      });
      this.connections.add(connection);
    });
  }

  /** Closes every socket and room and stops the workers. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- MediaPlane: the call engine calls these in the middle of its own work; they never throw.

  /** The call turned active: at least two participants must connect media in time. */
  callActive(call: CallInfo): void {
    this.armConnectBound(call.callId);
  }

  /** `callActive` by call id (an SFU node learns of calls by id only). */
  armConnectBound(callId: string): void {
    this.safely(callId, undefined, 'callActive', () => {
      const media = this.media(callId);
      clearTimeout(media.connectTimer);
      media.connectTimer = setTimeout(() => {
        media.connectTimer = undefined;
        this.checkConnected(media);
      }, this.config.connectTimeoutMs);
      media.connectTimer.unref();
    });
  }

  /** Takes the user's peer out (`room.closed {removed}` when the moderator removed it). */
  participantLeft(callId: string, userId: UserId, reason: 'left' | 'removed'): void {
    this.safely(callId, userId, 'participantLeft', () => {
      const room = this.calls.get(callId)?.room;
      const peer = room?.peer(userId);
      if (room && peer) room.removePeer(peer, reason);
    });
  }

  /**
   * Takes the user's peers out of every room (`room.closed {removed}`): their account was
   * disabled, so no media of theirs stays, as participant or as supervisor.
   */
  userGone(userId: UserId): void {
    this.safely('', userId, 'userGone', () => {
      for (const media of this.calls.values()) {
        const peer = media.room?.peer(userId);
        if (media.room && peer) media.room.removePeer(peer, 'removed');
      }
    });
  }

  /** Enforces a moderator's (un)mute: see `Room.applyModeratorMute`. */
  setMuted(callId: string, userId: UserId, kind: MediaKind, muted: boolean): void {
    this.safely(callId, userId, 'setMuted', () => {
      this.mute(callId, userId, kind, muted);
    });
  }

  /** Enforces a hold (or its end): see `Room.applyHolds`. */
  setHeld(callId: string, userId: UserId, held: boolean): void {
    this.safely(callId, userId, 'setHeld', () => {
      // As for mutes: only for calls the SFU knows or the user is in.
      if (!this.calls.has(callId) && !this.callAuthority().isParticipant(callId, userId)) return;
      const media = this.media(callId);
      if (held) media.holds.add(userId);
      else media.holds.delete(userId);
      this.log.info({ callId, userId, held }, held ? 'call held' : 'call resumed');
      media.room?.applyHolds().catch((error: unknown) => {
        this.log.error({ err: error, callId, userId }, 'applying a hold failed');
      });
    });
  }

  /** Closes the call's room: its peers get `room.closed {call-ended}`. */
  callEnded(callId: string): void {
    this.safely(callId, undefined, 'callEnded', () => {
      const media = this.calls.get(callId);
      if (!media) return;
      this.calls.delete(callId);
      clearTimeout(media.connectTimer);
      media.room?.close('call-ended');
      media.room = undefined;
    });
  }

  private mute(callId: string, userId: UserId, kind: MediaKind, muted: boolean): void {
    // Only for calls the SFU knows or the user is in: nothing to remember for calls long gone.
    if (!this.calls.has(callId) && !this.callAuthority().isParticipant(callId, userId)) return;
    const media = this.media(callId);
    let kinds = media.mutes.get(userId);
    if (muted) {
      if (!kinds) media.mutes.set(userId, (kinds = new Set()));
      kinds.add(kind);
    } else {
      kinds?.delete(kind);
      if (kinds?.size === 0) media.mutes.delete(userId);
    }
    media.room?.applyModeratorMute(userId, kind, muted).catch((error: unknown) => {
      this.log.error({ err: error, callId, userId, kind }, 'moderator mute failed');
    });
  }

  private safely(callId: string, userId: UserId | undefined, what: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.log.error({ err: error, callId, userId }, `${what} failed in the SFU`);
    }
  }

  // ---- inspection ----------------------------------------------------------------------------

  /** Live mediasoup objects; all but `workers` return to zero once every call is over. */
  counts(): SfuCounts {
    const counts: SfuCounts = { ...this.pool.counts(), transports: 0, producers: 0, consumers: 0 };
    for (const media of this.calls.values()) {
      if (!media.room || media.room.closed) continue;
      const room = media.room.counts();
      counts.transports += room.transports;
      counts.producers += room.producers;
      counts.consumers += room.consumers;
    }
    return counts;
  }

  /** Rooms, peers and transports now: what an SFU node reports as its load (server/sfu-node). */
  load(): { rooms: number; peers: number; transports: number } {
    const load = { rooms: 0, peers: 0, transports: 0 };
    for (const media of this.calls.values()) {
      if (!media.room || media.room.closed) continue;
      load.rooms++;
      load.peers += media.room.userIds().length;
      load.transports += media.room.counts().transports;
    }
    return load;
  }

  /** The call's current room, if any (tests, tools). */
  roomOf(callId: string): Room | undefined {
    return this.calls.get(callId)?.room;
  }

  /** The live workers (tests kill them; metrics read their usage). */
  workers(): readonly mediasoup.types.Worker[] {
    return this.pool.workers();
  }

  // ---- internals -----------------------------------------------------------------------------

  private media(callId: string): CallMedia {
    let media = this.calls.get(callId);
    if (!media) {
      media = {
        callId,
        room: undefined,
        creating: undefined,
        mutes: new Map(),
        holds: new Set(),
        connected: new Set(),
        connectTimer: undefined,
      };
      this.calls.set(callId, media);
    }
    return media;
  }

  private async admit(
    claims: VerifiedMediaTicket,
    link: PeerLink,
  ): Promise<{ room: Room; peer: Peer }> {
    const { callId, userId } = claims;
    const monitor = monitorRole(claims);
    for (let attempt = 1; ; attempt++) {
      this.assertAdmissible(callId, userId, monitor, claims.sessionId);
      // Spent before the first await: of two sockets presenting one ticket, one gets in.
      if (attempt === 1) this.tickets.spend(claims);
      const media = this.media(callId);
      const room = await this.roomFor(media);
      // The call may have ended, the user been removed or moved the call to another device,
      // while the room was being made.
      this.assertAdmissible(callId, userId, monitor, claims.sessionId);
      if (room.closed || this.calls.get(callId) !== media) {
        if (attempt < JOIN_ATTEMPTS) continue;
        throw new ProtocolError('invalid-state', 'the media room is being rebuilt; join again');
      }
      return { room, peer: room.join(userId, link, monitor) };
    }
  }

  private assertAdmissible(
    callId: string,
    userId: UserId,
    monitor: MonitorRole | undefined,
    sessionId: string | undefined,
  ): void {
    if (this.state !== 'started') {
      throw new ProtocolError('server-shutting-down', 'the server is stopping');
    }
    if (monitor) {
      if (!this.callAuthority().mayMonitor?.(callId, userId)) {
        throw new ProtocolError('forbidden', 'not a supervisor of this call');
      }
      return;
    }
    if (!this.callAuthority().isParticipant(callId, userId, sessionId)) {
      throw new ProtocolError('forbidden', 'not a participant of this call on this device');
    }
  }

  private async roomFor(media: CallMedia): Promise<Room> {
    if (media.room && !media.room.closed) return media.room;
    media.creating ??= this.createRoom(media).finally(() => {
      media.creating = undefined;
    });
    return media.creating;
  }

  private async createRoom(media: CallMedia): Promise<Room> {
    const { callId } = media;
    const router = await this.pool.createRouter(callId, MEDIA_CODECS);
    const room = await Room.create({
      callId,
      router,
      listen: { listenIp: this.config.listenIp, announcedIp: this.config.announcedIp },
      statsIntervalMs: this.config.statsIntervalMs,
      logger: this.log,
      hooks: {
        mutedByModerator: (userId, kind) => media.mutes.get(userId)?.has(kind) ?? false,
        heldApart: (consumerUserId, producerUserId) =>
          consumerUserId !== producerUserId &&
          (media.holds.has(consumerUserId) || media.holds.has(producerUserId)),
        peerConnected: (userId) => {
          media.connected.add(userId);
          if (media.connectTimer && this.connectedParticipants(media) >= 2) {
            clearTimeout(media.connectTimer);
            media.connectTimer = undefined;
          }
          this.report('onMediaBack', callId, userId);
        },
        peerMediaLost: (userId, why) => {
          if (!media.connected.has(userId) || this.state !== 'started') return;
          this.log.info({ callId, userId, why }, 'participant media lost');
          this.report('onMediaLost', callId, userId);
        },
        routerLost: (lost) => {
          this.roomLost(media, lost);
        },
      },
    });
    if (this.state !== 'started') {
      room.close('shutdown');
      throw new ProtocolError('server-shutting-down', 'the server is stopping');
    }
    if (this.calls.get(callId) !== media) {
      room.close('call-ended');
      throw new ProtocolError('forbidden', 'the call is over');
    }
    // Its worker may have died before the room was listening: admit() then tries again.
    if (router.closed) room.close('worker-died');
    media.room = room;
    this.log.info({ callId, routerId: router.id }, 'media room created');
    return room;
  }

  /** A room lost its router (its worker died): its peers are told to join again. */
  private roomLost(media: CallMedia, room: Room): void {
    if (room.closed) return;
    this.log.warn({ callId: media.callId, users: room.userIds() }, 'media room lost its worker');
    room.close('worker-died');
    if (media.room === room) media.room = undefined;
  }

  private workerDied(report: DeadWorkerReport): void {
    for (const callId of report.callIds) {
      const media = this.calls.get(callId);
      if (media?.room) this.roomLost(media, media.room);
    }
  }

  private callAuthority(): SfuCallAuthority {
    if (!this.authority) throw new Error('the SFU was asked about calls before start()');
    return this.authority;
  }

  /** Tells the engine about a participant's media; what it throws stays here. */
  private report(what: 'onMediaLost' | 'onMediaBack', callId: string, userId: UserId): void {
    try {
      this.callAuthority()[what]?.(callId, userId);
    } catch (error) {
      this.log.error({ err: error, callId, userId }, `${what} failed`);
    }
  }

  private connectedParticipants(media: CallMedia): number {
    let n = 0;
    for (const userId of media.connected)
      if (this.callAuthority().isParticipant(media.callId, userId)) n++;
    return n;
  }

  private checkConnected(media: CallMedia): void {
    if (this.calls.get(media.callId) !== media || this.state !== 'started') return;
    const connected = this.connectedParticipants(media);
    if (connected >= 2) return;
    this.log.warn(
      { callId: media.callId, connected: [...media.connected], inRoom: media.room?.userIds() },
      'media did not connect in time',
    );
    try {
      this.callAuthority().onMediaFailed(media.callId);
    } catch (error) {
      this.log.error({ err: error, callId: media.callId }, 'onMediaFailed failed');
    }
  }

  private async shutdown(): Promise<void> {
    this.state = 'closing';
    clearInterval(this.heartbeat);
    for (const c of this.connections) c.close(SFU_CLOSE.shutdown, 'server shutting down');
    for (const media of this.calls.values()) {
      clearTimeout(media.connectTimer);
      media.room?.close('shutdown');
      media.room = undefined;
    }
    this.calls.clear();
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
    for (const c of this.connections) c.terminate();
    this.connections.clear();
    await this.pool.close();
    this.state = 'closed';
    this.log.info('sfu stopped');
  }
}
