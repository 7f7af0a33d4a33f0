import type * as mediasoup from 'mediasoup';
import type {
  MediaKind,
  MediaSource,
  MediaTicketClaims,
  ProducerInfo,
  SfuEventData,
  SfuEventType,
  UserId,
} from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import { encodeSfuEvent } from './sfu-frames.js';

/**
 * A supervisor's way into a call (seat calling): `listen` consumes only and nobody sees it;
 * `whisper` also produces audio that only `target` (the agent) consumes, and only the agent sees
 * it; `barge` is an ordinary peer.
 */
export type MonitorRole =
  | { role: 'listen'; target: UserId | undefined }
  | { role: 'whisper'; target: UserId | undefined }
  | { role: 'barge'; target: UserId | undefined };

/** The monitor role of a ticket, or undefined for a participant of the call. */
export function monitorRole(claims: MediaTicketClaims): MonitorRole | undefined {
  if (claims.role === 'listen' || claims.role === 'whisper' || claims.role === 'barge') {
    return { role: claims.role, target: claims.target };
  }
  return undefined;
}

/** How a room reaches the socket of one of its peers. */
export interface PeerLink {
  send(frame: string): void;
  /**
   * The peer is out of its room. `close`: for good (its socket closes, `why` is the close
   * reason); `rejoin`: the room is gone but the call goes on (the socket may join again).
   */
  detach(how: 'close' | 'rejoin', why: string): void;
}

/** Which way a transport carries media, seen from the peer. */
export type Direction = 'send' | 'recv';

export interface TransportEntry {
  transport: mediasoup.types.Transport;
  /** The same transport when it is a WebRTC one (peers connect only those). */
  webRtc: mediasoup.types.WebRtcTransport | undefined;
  direction: Direction;
}

export interface ProducerEntry {
  producer: mediasoup.types.Producer;
  owner: Peer;
  kind: MediaKind;
  source: MediaSource;
  transportId: string;
  /** Paused by its owner (a moderator's unmute leaves such a producer paused). */
  selfPaused: boolean;
}

export interface ConsumerEntry {
  consumer: mediasoup.types.Consumer;
  producerId: string;
  /** Whose media this consumer carries. */
  producerUserId: UserId;
  transportId: string;
  /**
   * The peer asked for it (`consumer.resume`): resumed unless a hold keeps it paused, and
   * resumed by the hold's end. A consumer never asked for stays paused through both.
   */
  clientResumed: boolean;
}

/** One user in a room: the mediasoup objects of its socket, and how to reach that socket. */
export class Peer {
  readonly transports = new Map<string, TransportEntry>();
  readonly producers = new Map<string, ProducerEntry>();
  readonly consumers = new Map<string, ConsumerEntry>();
  /** Producers this peer consumes or is about to: never two consumers of one producer. */
  readonly consuming = new Set<string>();
  /** Set by `consumer.ready`: the peer receives, with these capabilities. */
  rtpCapabilities: mediasoup.types.RtpCapabilities | undefined;
  closed = false;
  readonly log: Logger;

  constructor(
    readonly callId: string,
    readonly userId: UserId,
    readonly link: PeerLink,
    logger: Logger,
    readonly monitor?: MonitorRole,
  ) {
    this.log = logger.child(
      monitor ? { callId, userId, monitor: monitor.role } : { callId, userId },
    );
  }

  /** May `other` know this peer exists (joins, leaves, producers)? */
  visibleTo(other: Peer): boolean {
    const m = this.monitor;
    if (!m || m.role === 'barge') return true;
    return m.role === 'whisper' && other.userId === m.target;
  }

  /** May `other` consume what this peer produces? */
  heardBy(other: Peer): boolean {
    return this.visibleTo(other);
  }

  send<T extends SfuEventType>(type: T, data: SfuEventData<T>): void {
    if (!this.closed) this.link.send(encodeSfuEvent(type, data));
  }

  transportOf(direction: Direction): TransportEntry | undefined {
    for (const entry of this.transports.values()) if (entry.direction === direction) return entry;
    return undefined;
  }

  producerInfos(): ProducerInfo[] {
    return [...this.producers.values()].map((p) => ({
      producerId: p.producer.id,
      userId: this.userId,
      kind: p.kind,
      source: p.source,
      paused: p.producer.paused,
    }));
  }

  /** Closes every transport, and with them every producer and consumer of this peer. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rtpCapabilities = undefined;
    for (const { transport } of [...this.transports.values()]) transport.close();
  }
}
