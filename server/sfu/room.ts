import type * as mediasoup from 'mediasoup';
import type {
  MediaKind,
  MediaSource,
  SfuEventData,
  SfuEventType,
  SfuPeer,
  SfuRequestResult,
  UserId,
} from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import {
  asBadRequest,
  dtlsParametersSchema,
  parseParams,
  rtpCapabilitiesSchema,
  rtpParametersSchema,
} from './mediasoup-params.js';
import {
  type ConsumerEntry,
  type Direction,
  type MonitorRole,
  Peer,
  type PeerLink,
  type ProducerEntry,
} from './peer.js';
import { reportQuality } from './quality.js';
import { type ListenSettings, createWebRtcTransport } from './transports.js';

type Router = mediasoup.types.Router;

/** What a room asks of the service that owns it. */
export interface RoomHooks {
  /** Did the moderator mute this user's media of this kind? (Kept per call, across rooms.) */
  mutedByModerator(userId: UserId, kind: MediaKind): boolean;
  /**
   * Is media between these two users held apart: one of them put the call on hold? Such
   * consumers stay paused at the SFU, whatever the client asks. (Kept per call, across rooms.)
   */
  heldApart(consumerUserId: UserId, producerUserId: UserId): boolean;
  /** One of the user's WebRTC transports reached DTLS `connected` (or its ICE came back). */
  peerConnected(userId: UserId): void;
  /**
   * The user's media went away without their leaving the call: a transport's DTLS failed or was
   * closed by the other end, its ICE disconnected, or their SFU socket closed (or was dropped
   * for silence) while in the room.
   */
  peerMediaLost(userId: UserId, why: string): void;
  /** The router closed under the room: its worker died. */
  routerLost(room: Room): void;
}

export interface RoomOptions {
  callId: string;
  router: Router;
  listen: ListenSettings;
  statsIntervalMs: number;
  logger: Logger;
  hooks: RoomHooks;
}

/** Why a peer leaves its room. */
export type PeerExit =
  /** Its user joined again on another socket (`room.closed {replaced}`). */
  | 'replaced'
  /** The moderator removed its user from the call (`room.closed {removed}`). */
  | 'removed'
  /** Its user left the call through signaling: the socket closes without an event. */
  | 'left'
  /** The socket said `leave` or closed: nothing to tell it. */
  | 'self';

export type RoomCloseReason = 'call-ended' | 'worker-died' | 'shutdown';

/** At most this many producers per peer (mic, camera, screen video and audio, and some slack). */
export const MAX_PRODUCERS_PER_PEER = 6;

const SOURCE_KINDS: Record<MediaSource, readonly MediaKind[]> = {
  mic: ['audio'],
  camera: ['video'],
  screen: ['audio', 'video'],
};

/** Read through a call: mediasoup objects close across awaits, which narrowing does not see. */
const isOpen = (o: { readonly closed: boolean }): boolean => !o.closed;

const gone = (): ProtocolError => new ProtocolError('invalid-state', 'no longer in the room');

/**
 * The media room of one call: one mediasoup Router, its peers and everything they send and
 * receive. Every method that awaits mediasoup checks afterwards that the peer is still in the
 * room, and closes what it created if not.
 */
export class Room {
  readonly callId: string;
  readonly router: Router;
  private readonly peers = new Map<UserId, Peer>();
  /** Every producer of the room, by id. */
  private readonly producers = new Map<string, ProducerEntry>();
  private readonly log: Logger;
  private readonly statsTimer: NodeJS.Timeout;
  private sampling = false;
  private activeSpeaker: UserId | null = null;
  private closedFor: RoomCloseReason | undefined;

  private constructor(
    private readonly o: RoomOptions,
    private readonly audioLevel: mediasoup.types.AudioLevelObserver,
  ) {
    this.callId = o.callId;
    this.router = o.router;
    this.log = o.logger.child({ callId: o.callId });
    this.statsTimer = setInterval(() => {
      void this.sampleQuality();
    }, o.statsIntervalMs);
    this.statsTimer.unref();
    audioLevel.on('volumes', (volumes) => {
      const loudest = volumes[0];
      const owner = loudest && this.producers.get(loudest.producer.id)?.owner.userId;
      this.speaker(owner ?? null);
    });
    audioLevel.on('silence', () => {
      this.speaker(null);
    });
    this.router.observer.once('close', () => {
      if (this.closedFor === undefined) o.hooks.routerLost(this);
    });
  }

  /** A room on `router`; closes the router if the room cannot be set up. */
  static async create(o: RoomOptions): Promise<Room> {
    try {
      const audioLevel = await o.router.createAudioLevelObserver({
        maxEntries: 1,
        threshold: -70,
        interval: 800,
      });
      return new Room(o, audioLevel);
    } catch (error) {
      o.router.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.closedFor !== undefined;
  }

  peer(userId: UserId): Peer | undefined {
    return this.peers.get(userId);
  }

  userIds(): UserId[] {
    return [...this.peers.keys()];
  }

  counts(): { transports: number; producers: number; consumers: number } {
    let transports = 0;
    let consumers = 0;
    for (const peer of this.peers.values()) {
      transports += peer.transports.size;
      consumers += peer.consumers.size;
    }
    return { transports, producers: this.producers.size, consumers };
  }

  // ---- membership ----------------------------------------------------------------------------

  /** Adds a peer; the user's previous peer, if any, is replaced. A monitor sees, unseen. */
  join(userId: UserId, link: PeerLink, monitor?: MonitorRole): Peer {
    if (this.closed) throw gone();
    const previous = this.peers.get(userId);
    if (previous) this.removePeer(previous, 'replaced');
    const peer = new Peer(this.callId, userId, link, this.o.logger, monitor);
    this.peers.set(userId, peer);
    this.broadcastAbout(peer, 'peer.joined', { userId });
    peer.log.info({ peers: this.peers.size }, 'peer joined the media room');
    return peer;
  }

  joinResult(peer: Peer): SfuRequestResult<'join'> {
    const peers: SfuPeer[] = [];
    for (const other of this.peers.values()) {
      if (other !== peer && other.visibleTo(peer)) {
        peers.push({ userId: other.userId, producers: other.producerInfos() });
      }
    }
    return {
      callId: this.callId,
      userId: peer.userId,
      routerRtpCapabilities: this.router.rtpCapabilities,
      peers,
    };
  }

  /** Takes a peer out: all its transports close, and with them its producers and consumers. */
  removePeer(peer: Peer, exit: PeerExit): void {
    if (this.peers.get(peer.userId) !== peer) {
      peer.close();
      return;
    }
    this.peers.delete(peer.userId);
    // Its socket went (closed, dropped for silence, or said leave) while its user is in the call.
    if (exit === 'self') this.o.hooks.peerMediaLost(peer.userId, 'socket-closed');
    if (exit === 'replaced' || exit === 'removed') peer.send('room.closed', { reason: exit });
    peer.close();
    if (exit !== 'self') peer.link.detach('close', exit === 'left' ? 'left the call' : exit);
    this.broadcastAbout(peer, 'peer.left', { userId: peer.userId });
    peer.log.info({ exit, peers: this.peers.size }, 'peer left the media room');
  }

  /** Closes the room: every peer is told why and detached, the router closes. */
  close(reason: RoomCloseReason): void {
    if (this.closedFor !== undefined) return;
    this.closedFor = reason;
    clearInterval(this.statsTimer);
    for (const peer of [...this.peers.values()]) {
      if (reason === 'call-ended') peer.send('room.closed', { reason: 'call-ended' });
      else if (reason === 'worker-died') peer.send('room.rejoin', { reason: 'worker-died' });
      peer.close();
      peer.link.detach(reason === 'worker-died' ? 'rejoin' : 'close', reason);
    }
    this.peers.clear();
    this.router.close();
    this.log.info({ reason }, 'media room closed');
  }

  // ---- transports ----------------------------------------------------------------------------

  /** A WebRTC transport; one per direction, so a new one replaces the peer's previous one. */
  async createTransport(
    peer: Peer,
    direction: Direction,
    forceTcp: boolean,
  ): Promise<SfuRequestResult<'transport.create'>> {
    this.assertCurrent(peer);
    this.dropTransport(peer, direction);
    const transport = await this.guard(peer, () =>
      createWebRtcTransport(this.router, this.o.listen, {
        forceTcp,
        appData: { callId: this.callId, userId: peer.userId, direction },
      }),
    );
    if (!this.isCurrent(peer)) {
      transport.close();
      throw gone();
    }
    this.dropTransport(peer, direction);
    this.addTransport(peer, transport, direction, transport);
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected') {
        peer.log.info({ transportId: transport.id, direction }, 'media connected');
        this.o.hooks.peerConnected(peer.userId);
      } else if (state === 'failed' || state === 'closed') {
        peer.log.warn({ transportId: transport.id, direction, state }, 'DTLS ended');
        if (this.isCurrent(peer)) this.o.hooks.peerMediaLost(peer.userId, `dtls-${state}`);
      }
    });
    transport.on('icestatechange', (state) => {
      if (state === 'disconnected') {
        peer.log.info({ transportId: transport.id, direction }, 'ICE disconnected');
        if (this.isCurrent(peer)) this.o.hooks.peerMediaLost(peer.userId, 'ice-disconnected');
      } else if (state === 'connected' || state === 'completed') {
        // Back after a disconnection (a restart, a new path): the same as connecting anew.
        if (transport.dtlsState === 'connected' && this.isCurrent(peer)) {
          this.o.hooks.peerConnected(peer.userId);
        }
      }
    });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /**
   * A plain RTP transport (comedia, RTCP muxed) registered as the peer's transport of that
   * direction: lets tests and server-side tools send real RTP without a browser.
   */
  async createPlainTransportForTesting(
    peer: Peer,
    direction: Direction,
  ): Promise<mediasoup.types.PlainTransport> {
    this.assertCurrent(peer);
    const transport = await this.router.createPlainTransport({
      listenIp: this.o.listen.listenIp,
      rtcpMux: true,
      comedia: true,
    });
    if (!this.isCurrent(peer)) {
      transport.close();
      throw gone();
    }
    this.dropTransport(peer, direction);
    this.addTransport(peer, transport, direction, undefined);
    return transport;
  }

  async connectTransport(peer: Peer, transportId: string, dtlsParameters: unknown): Promise<void> {
    const entry = this.transportEntry(peer, transportId);
    const webRtc = entry.webRtc;
    if (!webRtc) throw new ProtocolError('bad-request', 'not a WebRTC transport');
    const params = parseParams(dtlsParametersSchema, dtlsParameters, 'dtlsParameters');
    await this.guard(peer, () =>
      asBadRequest('transport.connect', () => webRtc.connect({ dtlsParameters: params })),
    );
  }

  async restartIce(
    peer: Peer,
    transportId: string,
  ): Promise<SfuRequestResult<'transport.restartIce'>> {
    const webRtc = this.transportEntry(peer, transportId).webRtc;
    if (!webRtc) throw new ProtocolError('bad-request', 'not a WebRTC transport');
    const iceParameters = await this.guard(peer, () => webRtc.restartIce());
    return { iceParameters };
  }

  private addTransport(
    peer: Peer,
    transport: mediasoup.types.Transport,
    direction: Direction,
    webRtc: mediasoup.types.WebRtcTransport | undefined,
  ): void {
    peer.transports.set(transport.id, { transport, webRtc, direction });
    transport.observer.once('close', () => {
      peer.transports.delete(transport.id);
    });
    peer.log.debug({ transportId: transport.id, direction }, 'transport created');
  }

  /** Closes the peer's transport of that direction, if any (a recv one takes `ready` along). */
  private dropTransport(peer: Peer, direction: Direction): void {
    const existing = peer.transportOf(direction);
    if (!existing) return;
    existing.transport.close();
    if (direction === 'recv') peer.rtpCapabilities = undefined;
  }

  private transportEntry(peer: Peer, transportId: string) {
    this.assertCurrent(peer);
    const entry = peer.transports.get(transportId);
    if (!entry) throw new ProtocolError('not-found', 'no such transport');
    return entry;
  }

  // ---- producing -----------------------------------------------------------------------------

  /** A producer; paused from the start when the moderator muted this kind (`muted: true`). */
  async produce(
    peer: Peer,
    data: { transportId: string; kind: MediaKind; rtpParameters: unknown; source: MediaSource },
  ): Promise<{ producerId: string; muted: boolean }> {
    const { transportId, kind, source } = data;
    const entry = this.transportEntry(peer, transportId);
    if (peer.monitor?.role === 'listen') {
      throw new ProtocolError('forbidden', 'a listening supervisor does not produce');
    }
    if (peer.monitor?.role === 'whisper' && (kind !== 'audio' || source !== 'mic')) {
      throw new ProtocolError(
        'forbidden',
        'a whispering supervisor produces microphone audio only',
      );
    }
    if (entry.direction !== 'send') throw new ProtocolError('bad-request', 'not a send transport');
    if (!SOURCE_KINDS[source].includes(kind)) {
      throw new ProtocolError('bad-request', `a ${source} does not produce ${kind}`);
    }
    if (peer.producers.size >= MAX_PRODUCERS_PER_PEER) {
      throw new ProtocolError('bad-request', `at most ${MAX_PRODUCERS_PER_PEER} producers`);
    }
    for (const p of peer.producers.values()) {
      if (p.source === source && p.kind === kind) {
        throw new ProtocolError('conflict', `a ${source} ${kind} producer exists already`);
      }
    }
    const rtpParameters = parseParams(rtpParametersSchema, data.rtpParameters, 'rtpParameters');
    const muted = this.o.hooks.mutedByModerator(peer.userId, kind);
    const producer = await this.guard(peer, () =>
      asBadRequest('produce', () =>
        entry.transport.produce({
          kind,
          rtpParameters,
          paused: muted,
          appData: { callId: this.callId, userId: peer.userId, source },
        }),
      ),
    );
    if (!this.isCurrent(peer) || entry.transport.closed) {
      producer.close();
      throw gone();
    }
    const produced: ProducerEntry = {
      producer,
      owner: peer,
      kind,
      source,
      transportId,
      selfPaused: false,
    };
    peer.producers.set(producer.id, produced);
    this.producers.set(producer.id, produced);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.producers.delete(producer.id);
    });
    peer.log.info({ producerId: producer.id, kind, source, muted }, 'producing');
    // A whisper must not show up as the active speaker for the caller.
    if (kind === 'audio' && peer.monitor?.role !== 'whisper') {
      this.audioLevel.addProducer({ producerId: producer.id }).catch((error: unknown) => {
        if (!producer.closed) peer.log.warn({ err: error }, 'audio level observer refused');
      });
    }
    for (const other of this.peers.values()) {
      if (other !== peer && peer.heardBy(other)) void this.consume(other, produced);
    }
    return { producerId: producer.id, muted };
  }

  async pauseProducer(peer: Peer, producerId: string): Promise<void> {
    const entry = this.ownProducer(peer, producerId);
    entry.selfPaused = true;
    await this.guard(peer, () => entry.producer.pause());
  }

  async resumeProducer(peer: Peer, producerId: string): Promise<void> {
    const entry = this.ownProducer(peer, producerId);
    if (this.o.hooks.mutedByModerator(peer.userId, entry.kind)) {
      throw new ProtocolError('forbidden', `your ${entry.kind} is muted by the moderator`);
    }
    entry.selfPaused = false;
    await this.guard(peer, () => entry.producer.resume());
  }

  closeProducer(peer: Peer, producerId: string): void {
    this.ownProducer(peer, producerId).producer.close();
  }

  /**
   * The moderator's mute (the hooks already say so) or unmute of the user's media of one kind,
   * enforced here: muting pauses the user's producers of that kind; unmuting resumes those the
   * user did not pause itself. The user's own socket hears of it.
   */
  async applyModeratorMute(userId: UserId, kind: MediaKind, muted: boolean): Promise<void> {
    const peer = this.peers.get(userId);
    if (!peer) return;
    for (const entry of [...peer.producers.values()]) {
      if (entry.kind !== kind) continue;
      const { producer } = entry;
      try {
        if (muted) {
          await producer.pause();
          peer.send('producer.paused', { producerId: producer.id, userId, byModerator: true });
        } else if (!entry.selfPaused) {
          await producer.resume();
          peer.send('producer.resumed', { producerId: producer.id, userId });
        }
      } catch (error) {
        if (!producer.closed) peer.log.error({ err: error, kind, muted }, 'moderator mute failed');
      }
    }
    peer.log.info({ kind, muted }, muted ? 'muted by the moderator' : 'unmuted by the moderator');
  }

  private ownProducer(peer: Peer, producerId: string): ProducerEntry {
    this.assertCurrent(peer);
    const entry = peer.producers.get(producerId);
    if (!entry) throw new ProtocolError('not-found', 'no such producer');
    return entry;
  }

  // ---- consuming -----------------------------------------------------------------------------

  /** The peer receives with these capabilities: consumers for every producer, now and later. */
  async consumerReady(peer: Peer, rtpCapabilities: unknown): Promise<void> {
    this.assertCurrent(peer);
    const caps = parseParams(rtpCapabilitiesSchema, rtpCapabilities, 'rtpCapabilities');
    if (!peer.transportOf('recv')) {
      throw new ProtocolError('invalid-state', 'create a recv transport first');
    }
    peer.rtpCapabilities = caps;
    for (const entry of [...this.producers.values()]) {
      if (entry.owner !== peer && entry.owner.heardBy(peer)) await this.consume(peer, entry);
    }
  }

  /**
   * Resumes the consumer, unless a hold keeps it apart: then it is resumed when the hold ends
   * (the client is not refused; hold is shown to it through signaling, not through media).
   */
  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    this.assertCurrent(peer);
    const entry = peer.consumers.get(consumerId);
    if (!entry) throw new ProtocolError('not-found', 'no such consumer');
    entry.clientResumed = true;
    if (this.o.hooks.heldApart(peer.userId, entry.producerUserId)) return;
    await this.guard(peer, () => entry.consumer.resume());
  }

  /**
   * Enforces holds (the hooks already say who holds): every consumer between a holder and
   * anyone else pauses at the SFU, so neither side receives the other's media; every consumer
   * no hold keeps apart any more resumes, if its peer had asked for it. Never throws.
   */
  async applyHolds(): Promise<void> {
    for (const peer of [...this.peers.values()]) {
      for (const entry of [...peer.consumers.values()]) {
        const { consumer } = entry;
        const apart = this.o.hooks.heldApart(peer.userId, entry.producerUserId);
        try {
          if (apart && !consumer.paused) await consumer.pause();
          else if (!apart && entry.clientResumed && consumer.paused) await consumer.resume();
        } catch (error) {
          if (!consumer.closed) peer.log.error({ err: error, apart }, 'applying a hold failed');
        }
      }
    }
    this.log.info({ peers: this.peers.size }, 'holds applied to the media room');
  }

  /** A paused consumer of `produced` for `peer`, if it is ready and can receive it. Never throws. */
  private async consume(peer: Peer, produced: ProducerEntry): Promise<void> {
    const { producer, owner } = produced;
    const recv = peer.transportOf('recv');
    const rtpCapabilities = peer.rtpCapabilities;
    if (!recv || !rtpCapabilities || !this.isCurrent(peer) || producer.closed) return;
    if (peer.consuming.has(producer.id)) return;
    if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      peer.log.debug({ producerId: producer.id }, 'cannot consume: no common codec');
      return;
    }
    peer.consuming.add(producer.id);
    let consumer: mediasoup.types.Consumer;
    try {
      consumer = await recv.transport.consume({
        producerId: producer.id,
        rtpCapabilities,
        paused: true,
        appData: { callId: this.callId, userId: peer.userId, producerUserId: owner.userId },
      });
    } catch (error) {
      peer.consuming.delete(producer.id);
      if (this.isCurrent(peer) && isOpen(producer) && isOpen(recv.transport)) {
        peer.log.warn({ err: error, producerId: producer.id }, 'consume failed');
      }
      return;
    }
    if (!this.isCurrent(peer) || recv.transport.closed || consumer.closed) {
      consumer.close();
      peer.consuming.delete(producer.id);
      return;
    }
    const entry: ConsumerEntry = {
      consumer,
      producerId: producer.id,
      producerUserId: owner.userId,
      transportId: recv.transport.id,
      clientResumed: false,
    };
    peer.consumers.set(consumer.id, entry);
    consumer.observer.once('close', () => {
      peer.consumers.delete(consumer.id);
      peer.consuming.delete(producer.id);
      peer.send('consumer.closed', { consumerId: consumer.id, producerId: producer.id });
    });
    consumer.on('producerpause', () => {
      peer.send('producer.paused', {
        producerId: producer.id,
        userId: owner.userId,
        byModerator: this.o.hooks.mutedByModerator(owner.userId, produced.kind),
      });
    });
    consumer.on('producerresume', () => {
      peer.send('producer.resumed', { producerId: producer.id, userId: owner.userId });
    });
    peer.send('consumer.new', {
      consumerId: consumer.id,
      producerId: producer.id,
      userId: owner.userId,
      kind: produced.kind,
      source: produced.source,
      rtpParameters: consumer.rtpParameters,
      producerPaused: consumer.producerPaused,
    });
  }

  // ---- speaker and quality -------------------------------------------------------------------

  private speaker(userId: UserId | null): void {
    if (userId === this.activeSpeaker || this.closed) return;
    this.activeSpeaker = userId;
    this.broadcast(undefined, 'speaker.active', { userId });
  }

  /** `transport.quality` for every transport of every peer; skipped while the last run lasts. */
  private async sampleQuality(): Promise<void> {
    if (this.sampling || this.closed) return;
    this.sampling = true;
    try {
      for (const peer of [...this.peers.values()]) await reportQuality(peer);
    } finally {
      this.sampling = false;
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private broadcast<T extends SfuEventType>(
    except: Peer | undefined,
    type: T,
    data: SfuEventData<T>,
  ): void {
    for (const peer of this.peers.values()) if (peer !== except) peer.send(type, data);
  }

  /** Tells the peers allowed to know about `about` (a monitor is seen by few or none). */
  private broadcastAbout<T extends SfuEventType>(
    about: Peer,
    type: T,
    data: SfuEventData<T>,
  ): void {
    for (const peer of this.peers.values()) {
      if (peer !== about && about.visibleTo(peer)) peer.send(type, data);
    }
  }

  private isCurrent(peer: Peer): boolean {
    return !this.closed && !peer.closed && this.peers.get(peer.userId) === peer;
  }

  private assertCurrent(peer: Peer): void {
    if (!this.isCurrent(peer)) throw gone();
  }

  /** Runs a mediasoup operation; if the peer or room went away meanwhile, says so instead. */
  private async guard<T>(peer: Peer, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!this.isCurrent(peer)) throw gone();
      throw error;
    }
  }
}
