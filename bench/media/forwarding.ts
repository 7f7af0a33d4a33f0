import { randomBytes } from 'node:crypto';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { MEDIA_CODECS } from '../../server/sfu/transports.js';
import { cpuPct, readProcCpu, sysPct } from '../support/proc.js';
import { ownCpu, readMachineCpu, sleep, udpDrops } from './proc.js';
import {
  RtpPacer,
  RtpSource,
  type StreamProfile,
  asRtpParameters,
  producerRtpParameters,
} from './rtp.js';
import { UdpSinks } from './sinks.js';

/**
 * One mediasoup worker forwarding synthetic RTP: producers on comedia PlainTransports fed by
 * `RtpSource`s, consumers each on a PlainTransport of its own (SRTP-encrypting by default, as
 * WebRTC consumers do) sending to UDP sinks on loopback. The router has the rooms' codecs and,
 * like a Trayphone room, an audio-level observer over the audio producers.
 */

/** The suite Chromium and mediasoup agree on over DTLS-SRTP (mediasoup's first preference). */
const SRTP_SUITE: types.SrtpCryptoSuite = 'AEAD_AES_256_GCM';
/** Key and salt lengths of that suite: 32 + 12 bytes. */
const SRTP_KEY_BYTES = 44;
/** Consumers created at once (the worker's channel takes them in order anyway). */
const CREATE_CONCURRENCY = 64;
/** After the sender stops, the sinks must stay quiet this long (the worker's backlog is out)… */
const QUIET_MS = 200;
/** …checked this often, for at most this long. */
const DRAIN_POLL_MS = 10;
const DRAIN_MAX_MS = 5_000;
/** Sink sockets, and the receive buffer asked for each (capped by net.core.rmem_max). */
const SINK_SOCKETS = 16;
const SINK_BUFFER_BYTES = 4 * 1024 * 1024;

export interface RigOptions {
  srtp: boolean;
  rtcMinPort?: number;
  rtcMaxPort?: number;
}

interface ProducerSlot {
  transport: types.PlainTransport;
  producer: types.Producer;
  source: RtpSource;
  consumers: number;
}

interface ConsumerSlot {
  transport: types.PlainTransport;
  producer: ProducerSlot;
}

export interface WindowResult {
  consumers: number;
  producers: number;
  windowSec: number;
  /** Packets the sources sent during the window, all producers. */
  sent: number;
  /** Σ over producers of packets sent × consumers of that producer. */
  expected: number;
  /** Media RTP packets the sinks counted. */
  received: number;
  /** Bandwidth probes (padding) and RTCP the sinks counted besides. */
  probation: number;
  rtcp: number;
  deliveredPct: number;
  /** Forwarded RTP packets per second the sinks received. */
  forwardedPps: number;
  /** Datagrams the kernel dropped: at the producers' sockets (worker too slow to read its input)
   * and at our sinks (the bench's reader too slow). */
  workerInputDrops: number;
  sinkDrops: number;
  workerCpuPct: number;
  /** The kernel's part of workerCpuPct (sendmsg through loopback, up to the sink's socket). */
  workerSysPct: number;
  benchCpuPct: number;
  /** Everything else busy on the machine meanwhile (other processes, interrupts), % of one core. */
  otherCpuPct: number;
  /** Largest catch-up burst of the pacer, in frames (1 = on time). */
  pacerMaxBurst: number;
  /** After the sender stopped, when the sinks got their last packet: the worker's backlog then. */
  drainMs: number;
}

export class ForwardingRig {
  private readonly producers: ProducerSlot[] = [];
  private readonly consumers: ConsumerSlot[] = [];
  private pacer: RtpPacer | undefined;
  private nextSsrc = 0x1000;

  private constructor(
    readonly worker: types.Worker,
    readonly router: types.Router,
    private readonly audioLevel: types.AudioLevelObserver,
    private readonly sinks: UdpSinks,
    private readonly options: RigOptions,
  ) {}

  static async start(options: RigOptions): Promise<ForwardingRig> {
    const worker = await mediasoup.createWorker({
      logLevel: 'error',
      rtcMinPort: options.rtcMinPort ?? 20_000,
      rtcMaxPort: options.rtcMaxPort ?? 59_999,
    });
    try {
      const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
      const audioLevel = await router.createAudioLevelObserver({
        maxEntries: 1,
        threshold: -70,
        interval: 800,
      });
      const sinks = await UdpSinks.start(SINK_SOCKETS, SINK_BUFFER_BYTES);
      return new ForwardingRig(worker, router, audioLevel, sinks, options);
    } catch (error) {
      worker.close();
      throw error;
    }
  }

  get pid(): number {
    return this.worker.pid;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  get sinkBufferBytes(): number {
    return this.sinks.recvBufferBytes;
  }

  /** Adds `count` producers of this profile, each fed by its own source (not sending yet). */
  async addProducers(profile: StreamProfile, count: number): Promise<void> {
    this.pacer?.stop();
    for (let i = 0; i < count; i++) {
      const transport = await this.router.createPlainTransport({
        listenIp: '127.0.0.1',
        rtcpMux: true,
        comedia: true,
      });
      const ssrc = this.nextSsrc++;
      const producer = await transport.produce({
        kind: profile.kind,
        rtpParameters: asRtpParameters(producerRtpParameters(profile.kind, ssrc)),
      });
      if (profile.kind === 'audio') await this.audioLevel.addProducer({ producerId: producer.id });
      const source = await RtpSource.open(
        profile,
        { ip: transport.tuple.localIp, port: transport.tuple.localPort },
        ssrc,
      );
      this.producers.push({ transport, producer, source, consumers: 0 });
    }
    this.pacer = new RtpPacer(this.producers.map((p) => p.source));
  }

  /** Grows or shrinks the consumers to `total`, spread round robin over the producers. */
  async setConsumers(total: number): Promise<void> {
    while (this.consumers.length > total) {
      const slot = this.consumers.pop();
      if (!slot) break;
      slot.producer.consumers--;
      slot.transport.close();
    }
    const start = this.consumers.length;
    for (let from = start; from < total; from += CREATE_CONCURRENCY) {
      const batch = Array.from(
        { length: Math.min(CREATE_CONCURRENCY, total - from) },
        (_, i) => from + i,
      );
      const slots = await Promise.all(batch.map((n) => this.createConsumer(n)));
      this.consumers.push(...slots);
    }
  }

  private async createConsumer(n: number): Promise<ConsumerSlot> {
    const producer = this.producers[n % this.producers.length];
    if (!producer) throw new Error('add producers first');
    const transport = await this.router.createPlainTransport({
      listenIp: '127.0.0.1',
      rtcpMux: true,
      comedia: false,
      enableSrtp: this.options.srtp,
      ...(this.options.srtp ? { srtpCryptoSuite: SRTP_SUITE } : {}),
    });
    try {
      await transport.connect({
        ip: '127.0.0.1',
        port: this.sinks.portFor(n),
        ...(this.options.srtp
          ? {
              srtpParameters: {
                cryptoSuite: SRTP_SUITE,
                keyBase64: randomBytes(SRTP_KEY_BYTES).toString('base64'),
              },
            }
          : {}),
      });
      await transport.consume({
        producerId: producer.producer.id,
        rtpCapabilities: this.router.rtpCapabilities,
        paused: false,
      });
    } catch (error) {
      transport.close();
      throw error;
    }
    producer.consumers++;
    return { transport, producer };
  }

  /** Worker CPU while nothing is sent (the floor every figure stands on). */
  async idleCpu(windowMs: number): Promise<number> {
    this.pacer?.stop();
    const a = readProcCpu(this.pid);
    await sleep(windowMs);
    return cpuPct(a, readProcCpu(this.pid));
  }

  /**
   * Sends for `warmupMs` (video consumers sync on a key frame), pauses to let everything drain,
   * then sends for `windowMs` and counts: packets sent, forwarded packets received, kernel drops on
   * both sides, CPU of the worker, of this process and of everything else.
   */
  async measure(warmupMs: number, windowMs: number): Promise<WindowResult> {
    const pacer = this.pacer;
    if (!pacer) throw new Error('add producers first');
    pacer.start();
    await sleep(warmupMs);
    pacer.stop();
    await this.drain();

    const sinkPorts = new Set(this.sinks.ports);
    const inputPorts = new Set(this.producers.map((p) => p.transport.tuple.localPort));
    for (const p of this.producers) p.source.sent = 0;
    const counts0 = this.sinks.read();
    const sinkDrops0 = udpDrops(sinkPorts);
    const inputDrops0 = udpDrops(inputPorts);

    const worker0 = readProcCpu(this.pid);
    const own0 = ownCpu();
    const machine0 = readMachineCpu();
    pacer.start();
    await sleep(windowMs);
    const worker1 = readProcCpu(this.pid);
    const own1 = ownCpu();
    const machine1 = readMachineCpu();
    pacer.stop();
    const drainMs = await this.drain();

    const counts1 = this.sinks.read();
    const received = counts1.rtp - counts0.rtp;
    let sent = 0;
    let expected = 0;
    for (const p of this.producers) {
      sent += p.source.sent;
      expected += p.source.sent * p.consumers;
    }
    const workerCpuPct = cpuPct(worker0, worker1);
    const benchCpuPct = cpuPct(own0, own1);
    const windowSec = worker0 && worker1 ? (worker1.at - worker0.at) / 1000 : windowMs / 1000;
    return {
      consumers: this.consumers.length,
      producers: this.producers.length,
      windowSec,
      sent,
      expected,
      received,
      probation: counts1.probation - counts0.probation,
      rtcp: counts1.rtcp - counts0.rtcp,
      deliveredPct: expected > 0 ? (received / expected) * 100 : Number.NaN,
      forwardedPps: received / windowSec,
      workerInputDrops: udpDrops(inputPorts) - inputDrops0,
      sinkDrops: udpDrops(sinkPorts) - sinkDrops0,
      workerCpuPct,
      workerSysPct: sysPct(worker0, worker1),
      benchCpuPct,
      otherCpuPct: Math.max(0, cpuPct(machine0, machine1) - workerCpuPct - benchCpuPct),
      pacerMaxBurst: pacer.maxBurst,
      drainMs,
    };
  }

  /** Waits until no media has reached the sinks for QUIET_MS; returns when the last packet came. */
  private async drain(): Promise<number> {
    const stoppedAt = performance.now();
    let last = this.sinks.read();
    let lastChange = stoppedAt;
    while (performance.now() - stoppedAt < DRAIN_MAX_MS) {
      await sleep(DRAIN_POLL_MS);
      const now = this.sinks.read();
      if (now.rtp !== last.rtp) {
        last = now;
        lastChange = performance.now();
      } else if (performance.now() - lastChange >= QUIET_MS) break;
    }
    return lastChange - stoppedAt;
  }

  /** Closes every transport, the sinks and the worker (its process exits). */
  async close(): Promise<void> {
    this.pacer?.stop();
    for (const c of this.consumers.splice(0)) c.transport.close();
    for (const p of this.producers.splice(0)) {
      p.transport.close();
      p.source.close();
    }
    this.router.close();
    this.worker.close();
    await this.sinks.close();
  }
}
