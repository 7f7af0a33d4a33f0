import type * as mediasoup from 'mediasoup';
import type { SfuEventData } from '../../protocol/index.js';
import type { Direction, Peer } from './peer.js';

export type TransportQuality = SfuEventData<'transport.quality'>;

/** What one RTP stream's stats say about the path (producers' inbound, consumers' outbound). */
export interface StreamSample {
  /** RTCP fraction lost: 0-255 stands for 0-100 %. */
  fractionLost: number;
  /** Interarrival jitter in RTP timestamp units (mediasoup measures it on inbound streams only). */
  jitter?: number | undefined;
  clockRate: number;
  /** Milliseconds, when RTCP gave one. */
  roundTripTime?: number | undefined;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const maxOf = (values: number[]): number | null => (values.length ? Math.max(...values) : null);

/**
 * The quality of one transport: the worst RTT, loss and jitter among its streams (null when it
 * has none or RTCP said nothing yet), and its media bitrate in the peer's direction (what the
 * peer sends on a send transport, what it receives on a recv transport).
 */
export function qualityOf(
  transportId: string,
  direction: Direction,
  transportStat: { recvBitrate: number; sendBitrate: number } | undefined,
  streams: readonly StreamSample[],
): TransportQuality {
  const rtt = maxOf(
    streams.flatMap((s) =>
      s.roundTripTime !== undefined && s.roundTripTime > 0 ? [s.roundTripTime] : [],
    ),
  );
  const loss = maxOf(streams.map((s) => (s.fractionLost / 256) * 100));
  const jitter = maxOf(
    streams.flatMap((s) =>
      s.jitter !== undefined && s.clockRate > 0 ? [(s.jitter / s.clockRate) * 1000] : [],
    ),
  );
  const bits = direction === 'send' ? transportStat?.recvBitrate : transportStat?.sendBitrate;
  return {
    transportId,
    direction,
    rttMs: rtt === null ? null : round1(rtt),
    lossPct: loss === null ? null : round1(loss),
    jitterMs: jitter === null ? null : round1(jitter),
    bitrateKbps: Math.round((bits ?? 0) / 1000),
  };
}

const clockRateOf = (rtpParameters: mediasoup.types.RtpParameters): number =>
  rtpParameters.codecs[0]?.clockRate ?? 0;

/** Reads the stats of a transport and of the producers or consumers on it. */
export async function sampleTransport(
  transport: mediasoup.types.Transport,
  direction: Direction,
  producers: readonly mediasoup.types.Producer[],
  consumers: readonly mediasoup.types.Consumer[],
): Promise<TransportQuality> {
  const [transportStats, producerStreams, consumerStreams] = await Promise.all([
    transport.getStats() as Promise<{ recvBitrate: number; sendBitrate: number }[]>,
    Promise.all(
      producers.map(async (p): Promise<StreamSample[]> => {
        const clockRate = clockRateOf(p.rtpParameters);
        return (await p.getStats()).map((s) => ({
          fractionLost: s.fractionLost,
          jitter: s.jitter,
          clockRate,
          roundTripTime: s.roundTripTime,
        }));
      }),
    ),
    Promise.all(
      consumers.map(async (c): Promise<StreamSample[]> => {
        const clockRate = clockRateOf(c.rtpParameters);
        // A consumer's stats hold its own outbound stream and its producer's inbound one.
        return (await c.getStats())
          .filter((s) => s.type === 'outbound-rtp')
          .map((s) => ({
            fractionLost: s.fractionLost,
            clockRate,
            roundTripTime: s.roundTripTime,
          }));
      }),
    ),
  ]);
  const streams = [...producerStreams.flat(), ...consumerStreams.flat()];
  return qualityOf(transport.id, direction, transportStats[0], streams);
}

/** Sends the peer `transport.quality` for each of its transports. Never throws. */
export async function reportQuality(peer: Peer): Promise<void> {
  for (const entry of [...peer.transports.values()]) {
    const id = entry.transport.id;
    const producers = [...peer.producers.values()]
      .filter((p) => p.transportId === id)
      .map((p) => p.producer);
    const consumers = [...peer.consumers.values()]
      .filter((c) => c.transportId === id)
      .map((c) => c.consumer);
    try {
      const quality = await sampleTransport(entry.transport, entry.direction, producers, consumers);
      if (!entry.transport.closed) peer.send('transport.quality', quality);
    } catch (error) {
      // Closed while being sampled: nothing to report.
      if (!entry.transport.closed) peer.log.debug({ err: error }, 'stats unavailable');
    }
  }
}
