import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type { MediaSource, SfuEventData, UserId } from '../../protocol/index.js';
import { TypedEmitter } from '../../core/util/typed-emitter.js';
import { keepIceAlive, type IceRestartPacing } from './ice-restart.js';
import { SfuError, SfuSocket } from './sfu-socket.js';

/** A remote participant's track, ready to attach to a media element. */
export interface RemoteTrack {
  consumerId: string;
  /** The producer behind it: pause/resume events name the producer. */
  producerId: string;
  userId: UserId;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
}

export type MediaSessionEvents = {
  'track-added': [track: RemoteTrack];
  'track-removed': [consumerId: string, userId: UserId];
  'track-paused': [userId: UserId, producerId: string, paused: boolean];
  'speaker-changed': [userId: UserId | null];
  'peer-joined': [userId: UserId];
  'peer-left': [userId: UserId];
  /** A plain-language-ready quality sample for one of our transports. */
  quality: [sample: SfuEventData<'transport.quality'>];
  /** The moderator muted or unmuted our own source. */
  'moderator-muted': [source: MediaSource, muted: boolean];
  /** The SFU connection was lost or the room moved; the session is rejoining. */
  reconnecting: [];
  rejoined: [];
  /**
   * One of our transports lost its network path and is restarting ICE (true), or its media flows
   * again (false). `send`: what we send is stalled; `recv`: what everyone else sends us.
   */
  'ice-reconnecting': [direction: 'send' | 'recv', reconnecting: boolean];
  /** Out of the room for good (removed, call ended, left). */
  closed: [reason: string];
};

export interface MediaSessionOptions {
  /** A fresh media ticket for this call (each join, including rejoins, needs one). */
  getTicket: () => Promise<{ ticket: string; sfuUrl: string }>;
  /** Only TCP candidates (networks that block UDP). */
  forceTcp?: boolean;
  /** Grace, retry spacing and bound of ICE restarts (tests shorten them). */
  iceRestart?: IceRestartPacing;
}

/**
 * mediasoup's own parameter objects pass through our protocol as opaque records (checked in
 * shape there, in depth by mediasoup on both ends): this is the one place they get their type.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the one typed cast point
const asMediasoup = <T>(value: Record<string, unknown>): T => value as T;

/**
 * One participant's media in one call: joins the SFU room with a ticket, sends microphone,
 * camera and screen, receives everyone else, and recovers from ICE failures (restart ICE) and lost
 * SFU connections (rejoin with a fresh ticket).
 */
export class MediaSession extends TypedEmitter<MediaSessionEvents> {
  private socket: SfuSocket | undefined;
  private device: Device | undefined;
  private sendTransport: types.Transport | undefined;
  private recvTransport: types.Transport | undefined;
  private readonly producers = new Map<MediaSource, types.Producer>();
  /** What we send, kept across rejoins so the new room gets it again. */
  private readonly localTracks = new Map<MediaSource, MediaStreamTrack>();
  private readonly consumers = new Map<string, { consumer: types.Consumer; userId: UserId }>();
  private leaving = false;
  userId: UserId | undefined;

  constructor(private readonly options: MediaSessionOptions) {
    super();
  }

  async join(): Promise<void> {
    const { ticket, sfuUrl } = await this.options.getTicket();
    const socket = await SfuSocket.open(sfuUrl);
    this.socket = socket;
    this.wireSocket(socket);
    const joined = await socket.request('join', { ticket });
    this.userId = joined.userId;
    const device = new Device();
    await device.load({
      routerRtpCapabilities: asMediasoup<types.RtpCapabilities>(joined.routerRtpCapabilities),
    });
    this.device = device;
    this.sendTransport = await this.createTransport(socket, device, 'send');
    this.recvTransport = await this.createTransport(socket, device, 'recv');
    await socket.request('consumer.ready', {
      rtpCapabilities: device.recvRtpCapabilities,
    });
    for (const [source, track] of this.localTracks) await this.produce(source, track);
  }

  /** Starts sending a track (microphone, camera or screen); replaces what that source sent. */
  async send(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const previous = this.localTracks.get(source);
    this.localTracks.set(source, track);
    const existing = this.producers.get(source);
    if (existing && !existing.closed) {
      await existing.replaceTrack({ track });
    } else await this.produce(source, track);
    // Producers keep their tracks (see produce): the one replaced is ours to stop.
    if (previous && previous !== track) previous.stop();
  }

  /** Switches the device behind a source mid-call without renegotiating. */
  async replaceTrack(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    await this.send(source, track);
  }

  /** Stops sending a source (screen sharing off). */
  async stop(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    this.producers.delete(source);
    this.localTracks.get(source)?.stop();
    this.localTracks.delete(source);
    if (!producer) return;
    producer.close();
    await this.socket
      ?.request('producer.close', { producerId: producer.id })
      .catch(() => undefined);
  }

  /** Our own mute: pause the producer here and at the SFU. */
  async setMuted(source: MediaSource, muted: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer || !this.socket) return;
    if (muted) {
      producer.pause();
      await this.socket.request('producer.pause', { producerId: producer.id });
    } else {
      // The SFU refuses (forbidden) while the moderator keeps us muted: stay paused then.
      await this.socket.request('producer.resume', { producerId: producer.id });
      producer.resume();
    }
  }

  /** WebRTC statistics of one received track (inbound bytes, decoded frames, audio level). */
  async remoteStats(consumerId: string): Promise<RTCStatsReport | undefined> {
    return this.consumers.get(consumerId)?.consumer.getStats();
  }

  async leave(): Promise<void> {
    this.leaving = true;
    await this.socket?.request('leave', {}).catch(() => undefined);
    this.teardown();
    this.stopLocalTracks();
    this.emit('closed', 'left');
  }

  private async createTransport(
    socket: SfuSocket,
    device: Device,
    direction: 'send' | 'recv',
  ): Promise<types.Transport> {
    const options = await socket.request('transport.create', {
      direction,
      ...(this.options.forceTcp ? { forceTcp: true } : {}),
    });
    const params = {
      id: options.id,
      iceParameters: asMediasoup<types.IceParameters>(options.iceParameters),
      iceCandidates: options.iceCandidates.map((c) => asMediasoup<types.IceCandidate>(c)),
      dtlsParameters: asMediasoup<types.DtlsParameters>(options.dtlsParameters),
    };
    const transport =
      direction === 'send'
        ? device.createSendTransport(params)
        : device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      socket
        .request('transport.connect', {
          transportId: transport.id,
          dtlsParameters: dtlsParameters,
        })
        .then(() => {
          callback();
        }, errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        const source = appData.source as MediaSource;
        socket
          .request('produce', {
            transportId: transport.id,
            kind,
            rtpParameters: rtpParameters,
            source,
          })
          .then(({ producerId }) => {
            callback({ id: producerId });
          }, errback);
      });
    }
    // A network change, wake from sleep or NAT rebinding: new ICE parameters, same transport.
    const stopIce = keepIceAlive(
      transport,
      {
        requestRestart: async () => {
          // Through the socket of now: a rejoin may have replaced the one this transport began on.
          if (socket !== this.socket) throw new Error('the SFU connection was replaced');
          const { iceParameters } = await socket.request('transport.restartIce', {
            transportId: transport.id,
          });
          return asMediasoup<types.IceParameters>(iceParameters);
        },
        onReconnecting: (reconnecting) => {
          this.emit('ice-reconnecting', direction, reconnecting);
        },
        onGaveUp: () => {
          // ICE restarts did not bring the path back: a new room join with a fresh ticket does
          // (new transports, maybe over TCP) while the rejoin window keeps our place.
          if (socket === this.socket && !this.leaving) void this.rejoin();
        },
      },
      this.options.iceRestart,
    );
    transport.observer.on('close', () => {
      stopIce();
      this.emit('ice-reconnecting', direction, false);
    });
    return transport;
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    if (!this.sendTransport) return;
    // The track outlives its producer: a rejoin (SFU node or worker lost) sends it again on the
    // new room's transport. mediasoup-client would stop it with the producer by default.
    const producer = await this.sendTransport.produce({
      track,
      stopTracks: false,
      appData: { source },
    });
    this.producers.set(source, producer);
  }

  private wireSocket(socket: SfuSocket): void {
    socket.on('consumer.new', (data) => {
      void this.consume(socket, data);
    });
    socket.on('consumer.closed', ({ consumerId }) => {
      const entry = this.consumers.get(consumerId);
      if (!entry) return;
      entry.consumer.close();
      this.consumers.delete(consumerId);
      this.emit('track-removed', consumerId, entry.userId);
    });
    socket.on('producer.paused', ({ producerId, userId, byModerator }) => {
      if (userId === this.userId && byModerator) {
        const source = [...this.producers].find(([, p]) => p.id === producerId)?.[0];
        const producer = source ? this.producers.get(source) : undefined;
        producer?.pause();
        if (source) this.emit('moderator-muted', source, true);
      } else this.emit('track-paused', userId, producerId, true);
    });
    socket.on('producer.resumed', ({ producerId, userId }) => {
      if (userId === this.userId) {
        const source = [...this.producers].find(([, p]) => p.id === producerId)?.[0];
        if (source) this.emit('moderator-muted', source, false);
      } else this.emit('track-paused', userId, producerId, false);
    });
    socket.on('speaker.active', ({ userId }) => {
      this.emit('speaker-changed', userId);
    });
    socket.on('peer.joined', ({ userId }) => {
      this.emit('peer-joined', userId);
    });
    socket.on('peer.left', ({ userId }) => {
      this.emit('peer-left', userId);
    });
    socket.on('transport.quality', (sample) => {
      this.emit('quality', sample);
    });
    socket.on('room.rejoin', () => {
      void this.rejoin();
    });
    socket.on('room.closed', ({ reason }) => {
      // A socket of an attempt given up on (its peer replaced by the next attempt's) is not us.
      if (socket !== this.socket) return;
      this.leaving = true;
      this.teardown();
      this.stopLocalTracks();
      this.emit('closed', reason);
    });
    socket.on('closed', () => {
      if (socket === this.socket && !this.leaving) void this.rejoin();
    });
  }

  private async consume(socket: SfuSocket, data: SfuEventData<'consumer.new'>): Promise<void> {
    if (!this.recvTransport) return;
    const consumer = await this.recvTransport.consume({
      id: data.consumerId,
      producerId: data.producerId,
      kind: data.kind,
      rtpParameters: asMediasoup<types.RtpParameters>(data.rtpParameters),
    });
    this.consumers.set(consumer.id, { consumer, userId: data.userId });
    await socket.request('consumer.resume', { consumerId: consumer.id });
    this.emit('track-added', {
      consumerId: consumer.id,
      producerId: data.producerId,
      userId: data.userId,
      kind: data.kind,
      source: data.source,
      track: consumer.track,
      paused: data.producerPaused,
    });
  }

  /** The SFU connection or room is gone: join again with a fresh ticket, backing off a little. */
  private async rejoin(): Promise<void> {
    this.emit('reconnecting');
    this.teardown();
    for (let attempt = 0; attempt < 5 && !this.leaving; attempt++) {
      try {
        await this.join();
        this.emit('rejoined');
        return;
      } catch (error) {
        // What this attempt opened goes: its socket must not rejoin nor close us later.
        this.teardown();
        if (error instanceof SfuError && (error.code === 'forbidden' || error.code === 'not-found'))
          break;
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
    if (this.leaving) return;
    this.stopLocalTracks();
    this.emit('closed', 'media-lost');
  }

  /** The camera, microphone and screen we captured: released once the session is over. */
  private stopLocalTracks(): void {
    for (const track of this.localTracks.values()) track.stop();
    this.localTracks.clear();
  }

  private teardown(): void {
    for (const { consumer, userId } of this.consumers.values()) {
      consumer.close();
      this.emit('track-removed', consumer.id, userId);
    }
    this.consumers.clear();
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = undefined;
    this.recvTransport = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }
}
