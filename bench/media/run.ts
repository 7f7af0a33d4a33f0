/**
 * Media bench: accept → first remote video frame in Chromium through the real server and SFU,
 * worker CPU per forwarded stream, and consumers per worker before packets drop.
 *   npm run bench:media -- [--calls N] [--consumers-max N] [--quick] [--only frame,cpu,max]
 * The last line of the output is one JSON object with the figures.
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import { chromiumMissingReason } from '../../e2e/support/chromium.js';
import { type MediaBenchOptions, parseMediaArgs } from './args.js';
import {
  type CpuPerStream,
  DELIVERED_MIN_PCT,
  type RampResult,
  type RampStep,
  SATURATED_BACKLOG_MS,
  SATURATED_CPU_PCT,
  cpuPerStream,
  lossPlace,
  rampConsumers,
} from './capacity.js';
import { type FirstFrameResult, measureFirstFrame } from './first-frame.js';
import { percentile } from '../support/stats.js';
import { fmt, loadAverage, mean, round } from './proc.js';
import { AUDIO_PROFILE, VIDEO_PROFILE, describeProfile } from './rtp.js';

const log = (line = ''): void => {
  console.log(line);
};

function mediasoupVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('mediasoup/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function stepLine(s: RampStep): string {
  return [
    `consumers ${String(s.consumers).padStart(5)}`,
    `delivered ${fmt(s.deliveredPct, 2, '%').padStart(7)}`,
    `${(s.forwardedPps / 1000).toFixed(1).padStart(6)}k pkt/s out`,
    `worker CPU ${fmt(s.workerCpuPct, 0, '%').padStart(4)} (kernel ${fmt(s.workerSysPct, 0, '%')})`,
    `bench ${fmt(s.benchCpuPct, 0, '%')}`,
    `other load ${fmt(s.otherCpuPct, 0, '%')}`,
    `backlog ${s.drainMs.toFixed(0)} ms`,
    s.probation > 0 ? `+${s.probation} BWE probes` : '',
    `${s.verdict}${s.retried ? ' (measured twice)' : ''}`,
    lossPlace(s),
  ]
    .filter(Boolean)
    .join(' | ');
}

interface Figures {
  frame?: FirstFrameResult;
  frameSkipped?: string;
  audioCpu?: CpuPerStream;
  videoCpu?: CpuPerStream;
  /** The same without SRTP on the consumers: what encryption costs. */
  audioCpuPlain?: CpuPerStream;
  videoCpuPlain?: CpuPerStream;
  audioRamp?: RampResult;
  videoRamp?: RampResult;
}

function frameStats(r: FirstFrameResult) {
  const values = (pick: (c: FirstFrameResult['calls'][number]) => number | undefined): number[] =>
    r.calls.map(pick).filter((v): v is number => v !== undefined);
  const first = values((c) => c.firstFrameMs);
  const step = (name: string): number =>
    percentile(
      values((c) => c.steps[name]),
      50,
    );
  return {
    first,
    p50: percentile(first, 50),
    p95: percentile(first, 95),
    max: percentile(first, 100),
    min: percentile(first, 0),
    mean: mean(first),
    polledP50: percentile(
      values((c) => c.decodedPolledMs),
      50,
    ),
    otherWayP50: percentile(
      values((c) => c.calleeFirstFrameMs),
      50,
    ),
    failures: r.calls.filter((c) => c.firstFrameMs === undefined).length,
    rvfc: r.calls.filter((c) => c.source === 'rvfc').length,
    stats: r.calls.filter((c) => c.source === 'stats').length,
    clockErrorMax: Math.max(...r.calls.map((c) => c.clockErrorMs)),
    cipher: r.calls.find((c) => c.srtpCipher)?.srtpCipher,
    steps: {
      acceptAnswered: step('acceptAnswered'),
      callerToldActive: step('callerToldActive'),
      calleeTicket: step('calleeTicket'),
      callerTicket: step('callerTicket'),
      calleeJoined: step('calleeJoined'),
      callerJoined: step('callerJoined'),
      calleeCameraOpen: step('calleeCameraOpen'),
      calleeSending: step('calleeSending'),
      callerTrackAdded: step('callerTrackAdded'),
      callerFirstPacket: step('callerFirstPacket'),
      callerFrameReceived: step('callerFrameReceived'),
      callerPresented: step('callerPresented'),
    },
  };
}

function describeCpu(c: CpuPerStream): string[] {
  const l = c.loaded;
  return [
    `  ${describeProfile(c.profile)}: ${c.producers} producers × ${c.consumers / c.producers} consumers = ${c.consumers} forwarded streams, ${(l.forwardedPps / 1000).toFixed(1)}k pkt/s out over ${l.windowSec.toFixed(1)} s`,
    `    worker CPU: idle ${fmt(c.idleCpuPct, 1, '%')}, producers only ${fmt(c.baseline.workerCpuPct, 1, '%')}, consumers but no media ${fmt(c.consumersIdleCpuPct, 1, '%')}, loaded ${fmt(l.workerCpuPct, 1, '%')} of a core (kernel ${fmt(l.workerSysPct, 1, '%')}); delivered ${fmt(l.deliveredPct, 2, '%')}`,
    `    => ${fmt(c.perStreamPct, 4, '%')} of a core per forwarded stream (marginal ${fmt(c.marginalPerStreamPct, 4, '%')}), ${fmt(c.usPerPacket, 2)} µs of worker CPU per forwarded packet`,
    `    bench process ${fmt(l.benchCpuPct, 0, '%')}, other load ${fmt(l.otherCpuPct, 0, '%')} of a core meanwhile`,
  ];
}

function plainLine(c: CpuPerStream): string {
  return (
    `    ${describeProfile(c.profile)}, ${c.consumers} streams: worker ${fmt(c.loaded.workerCpuPct, 1, '%')} ` +
    `=> ${fmt(c.perStreamPct, 4, '%')} per stream, ${fmt(c.usPerPacket, 2)} µs per forwarded packet`
  );
}

function describeRamp(r: RampResult): string[] {
  const b = r.best;
  return [
    `  ${describeProfile(r.profile)}: highest count delivering ≥ ${DELIVERED_MIN_PCT}%: ${r.maxConsumers ?? 'none'}` +
      (b
        ? ` (${(b.forwardedPps / 1000).toFixed(1)}k pkt/s out, worker CPU ${fmt(b.workerCpuPct, 0, '%')})`
        : ''),
    `    highest count below saturation: ${r.maxUnsaturated ?? 'none'}; stopped by: ${r.stoppedBy}; linear projection to one full core: ${fmt(r.projectedPerCore, 0)} consumers`,
  ];
}

async function main(o: MediaBenchOptions): Promise<void> {
  const budgetMs = 900_000 + o.calls * 20_000;
  setTimeout(() => {
    console.error(`bench watchdog: still running after ${budgetMs / 1000} s; giving up`);
    process.exit(1);
  }, budgetMs).unref();
  const loadStart = loadAverage();
  log(
    `media bench${o.quick ? ' (quick)' : ''}: node ${process.version}, ${os.cpus().length} cores ` +
      `(${os.cpus()[0]?.model ?? '?'}), mediasoup ${mediasoupVersion()}, load average ${loadStart.text}`,
  );
  const f: Figures = {};

  if (o.parts.has('frame')) {
    const missing = chromiumMissingReason();
    if (missing) {
      f.frameSkipped = missing;
      log(`\n[1] accept → first remote frame: skipped (${missing})`);
    } else {
      log(
        `\n[1] accept → first remote frame: ${o.calls} calls (+${o.warmupCalls} warm-up), camera opened ${o.gum === 'sequential' ? 'after joining' : 'while joining'}`,
      );
      f.frame = await measureFirstFrame({
        calls: o.calls,
        warmupCalls: o.warmupCalls,
        mode: o.gum,
        log,
      });
    }
  }

  if (o.parts.has('cpu')) {
    log(
      `\n[2] worker CPU per forwarded stream (1 worker, ${o.srtp ? 'SRTP AEAD_AES_256_GCM' : 'plain RTP'} consumers, ${o.cpuWindowMs / 1000} s windows); load average ${loadAverage().text}`,
    );
    const window = { warmupMs: o.warmupMs, windowMs: o.cpuWindowMs };
    const audio = { profile: AUDIO_PROFILE, producers: 4, perProducer: o.quick ? 50 : 100 };
    const video = { profile: VIDEO_PROFILE, producers: 2, perProducer: o.quick ? 25 : 50 };
    f.audioCpu = await cpuPerStream({ ...audio, ...window, srtp: o.srtp });
    for (const line of describeCpu(f.audioCpu)) log(line);
    f.videoCpu = await cpuPerStream({ ...video, ...window, srtp: o.srtp });
    for (const line of describeCpu(f.videoCpu)) log(line);
    if (o.srtp) {
      log('  the same with plain RTP consumers (no SRTP), to see what encryption costs:');
      f.audioCpuPlain = await cpuPerStream({ ...audio, ...window, srtp: false });
      f.videoCpuPlain = await cpuPerStream({ ...video, ...window, srtp: false });
      for (const c of [f.audioCpuPlain, f.videoCpuPlain]) log(plainLine(c));
    }
  }

  if (o.parts.has('max')) {
    log(
      `\n[3] consumers per worker until < ${DELIVERED_MIN_PCT}% delivered, or CPU ≥ ${SATURATED_CPU_PCT}% or a backlog ≥ ${SATURATED_BACKLOG_MS} ms (${o.stepWindowMs / 1000} s steps); load average ${loadAverage().text}`,
    );
    const ramp = { srtp: o.srtp, warmupMs: o.warmupMs, windowMs: o.stepWindowMs };
    log(`  ${describeProfile(AUDIO_PROFILE)}, 4 producers:`);
    f.audioRamp = await rampConsumers({
      profile: AUDIO_PROFILE,
      producers: 4,
      base: 250,
      max: o.consumersMax,
      bisections: o.bisections,
      ...ramp,
      onStep: (s) => {
        log(`    ${stepLine(s)}`);
      },
    });
    const videoMax = Math.max(10, Math.round(o.consumersMax / 5));
    log(`  ${describeProfile(VIDEO_PROFILE)}, 2 producers:`);
    f.videoRamp = await rampConsumers({
      profile: VIDEO_PROFILE,
      producers: 2,
      base: Math.max(5, Math.round(videoMax / 16)),
      max: videoMax,
      bisections: o.bisections,
      ...ramp,
      onStep: (s) => {
        log(`    ${stepLine(s)}`);
      },
    });
  }

  const loadEnd = loadAverage();
  report(o, f, loadStart.text, loadEnd.text);
}

function report(o: MediaBenchOptions, f: Figures, loadStart: string, loadEnd: string): void {
  log('\n==== summary ====');
  const frame = f.frame ? frameStats(f.frame) : undefined;
  if (f.frame && frame) {
    log(
      `accept → caller's first decoded frame of the callee (${frame.first.length} calls, ${frame.failures} failed): ` +
        `p50 ${fmt(frame.p50, 0)} ms, p95 ${fmt(frame.p95, 0)} ms, min ${fmt(frame.min, 0)}, max ${fmt(frame.max, 0)}, mean ${fmt(frame.mean, 0)} ` +
        `(target ≤ 500 ms: ${frame.p95 <= 500 ? 'met at p95' : frame.p50 <= 500 ? 'met at p50 only' : 'missed'})`,
    );
    log(
      `  t1 = earliest evidence of a decoded frame: requestVideoFrameCallback presentation time in ${frame.rvfc} calls, ` +
        `stats poll (framesDecoded > 0, every 10 ms) in ${frame.stats}; stats poll alone p50 ${fmt(frame.polledP50, 0)} ms; ` +
        `the other way (callee sees caller) p50 ${fmt(frame.otherWayP50, 0)} ms; clock mapping error ≤ ${fmt(frame.clockErrorMax, 1)} ms`,
    );
    const s = frame.steps;
    log(
      `  p50 steps after t0 (ms): accept answered ${fmt(s.acceptAnswered, 0)}, caller told active ${fmt(s.callerToldActive, 0)}, ` +
        `tickets ${fmt(s.calleeTicket, 0)}/${fmt(s.callerTicket, 0)} (callee/caller), joined ${fmt(s.calleeJoined, 0)}/${fmt(s.callerJoined, 0)}, ` +
        `callee camera open ${fmt(s.calleeCameraOpen, 0)}, callee sending ${fmt(s.calleeSending, 0)}, ` +
        `caller track ${fmt(s.callerTrackAdded, 0)}, first packet ≤ ${fmt(s.callerFirstPacket, 0)}, ` +
        `frame received ${fmt(s.callerFrameReceived, 0)}, presented ${fmt(s.callerPresented, 0)}`,
    );
    const warm = f.frame.warmup[0];
    log(
      `  warm-up call (not counted): ${fmt(warm?.firstFrameMs, 0)} ms; browser SRTP cipher: ${frame.cipher ?? 'n/a'}; ` +
        `load average ${f.frame.loadBefore} → ${f.frame.loadAfter}`,
    );
  } else if (f.frameSkipped) log(`accept → first frame: skipped (${f.frameSkipped})`);
  if (f.audioCpu) for (const line of describeCpu(f.audioCpu)) log(line);
  if (f.videoCpu) for (const line of describeCpu(f.videoCpu)) log(line);
  if (f.audioCpuPlain && f.videoCpuPlain) {
    log('  without SRTP:');
    for (const c of [f.audioCpuPlain, f.videoCpuPlain]) log(plainLine(c));
  }
  if (f.audioRamp) for (const line of describeRamp(f.audioRamp)) log(line);
  if (f.videoRamp) for (const line of describeRamp(f.videoRamp)) log(line);
  if (f.audioRamp) {
    const m = f.audioRamp.maxConsumers ?? 0;
    log(
      `  target ≥ 500 consumers per worker core: ${m >= 500 ? 'met' : 'missed'} for ${f.audioRamp.profile.kind} (${m})` +
        (f.videoRamp
          ? `, ${(f.videoRamp.maxConsumers ?? 0) >= 500 ? 'met' : 'missed'} for video (${f.videoRamp.maxConsumers ?? 0})`
          : ''),
    );
  }
  const otherLoads = [
    f.audioCpu?.loaded.otherCpuPct,
    f.videoCpu?.loaded.otherCpuPct,
    ...(f.audioRamp?.steps.map((s) => s.otherCpuPct) ?? []),
    ...(f.videoRamp?.steps.map((s) => s.otherCpuPct) ?? []),
  ].filter((v): v is number => v !== undefined && Number.isFinite(v));
  const otherMax = otherLoads.length > 0 ? Math.max(...otherLoads) : Number.NaN;
  log(
    `load average ${loadStart} at start, ${loadEnd} at the end; other processes took up to ${fmt(otherMax, 0, '%')} of a core during forwarding windows`,
  );

  const json = {
    bench: 'media',
    acceptToFirstFrameP50Ms: round(frame?.p50, 1),
    acceptToFirstFrameP95Ms: round(frame?.p95, 1),
    workerCpuPerStreamPct: round(f.audioCpu?.perStreamPct, 4),
    maxConsumersPerWorker: f.audioRamp?.maxConsumers ?? null,
    acceptToFirstFrameMinMs: round(frame?.min, 1),
    acceptToFirstFrameMaxMs: round(frame?.max, 1),
    acceptToFirstFrameMeanMs: round(frame?.mean, 1),
    acceptToFirstFrameCalls: frame?.first.length ?? 0,
    acceptToFirstFrameFailures: frame?.failures ?? null,
    firstFrameStatsPollP50Ms: round(frame?.polledP50, 1),
    firstFrameOtherWayP50Ms: round(frame?.otherWayP50, 1),
    firstFrameWarmupMs: round(f.frame?.warmup[0]?.firstFrameMs, 1),
    firstFrameClockErrorMaxMs: round(frame?.clockErrorMax, 2),
    cameraOpened: o.gum === 'sequential' ? 'after-join' : 'while-joining',
    browserSrtpCipher: frame?.cipher ?? null,
    cpuStream: `opus-like ${AUDIO_PROFILE.pps} pkt/s x ${AUDIO_PROFILE.packetBytes} B`,
    cpuForwardedStreams: f.audioCpu?.consumers ?? null,
    workerCpuPerStreamMarginalPct: round(f.audioCpu?.marginalPerStreamPct, 4),
    workerUsPerForwardedPacket: round(f.audioCpu?.usPerPacket, 2),
    videoCpuForwardedStreams: f.videoCpu?.consumers ?? null,
    videoStream: `vp8-like ${VIDEO_PROFILE.pps} pkt/s x ${VIDEO_PROFILE.packetBytes} B`,
    workerCpuPerVideoStreamPct: round(f.videoCpu?.perStreamPct, 4),
    workerCpuPerVideoStreamMarginalPct: round(f.videoCpu?.marginalPerStreamPct, 4),
    workerCpuIdleAudioConsumersPct: round(f.audioCpu?.consumersIdleCpuPct, 1),
    workerCpuIdleVideoConsumersPct: round(f.videoCpu?.consumersIdleCpuPct, 1),
    workerUsPerForwardedVideoPacket: round(f.videoCpu?.usPerPacket, 2),
    workerUsPerForwardedPacketNoSrtp: round(f.audioCpuPlain?.usPerPacket, 2),
    workerUsPerForwardedVideoPacketNoSrtp: round(f.videoCpuPlain?.usPerPacket, 2),
    maxConsumersUnsaturated: f.audioRamp?.maxUnsaturated ?? null,
    maxConsumersStoppedBy: f.audioRamp?.stoppedBy ?? null,
    maxConsumersWorkerCpuPct: round(f.audioRamp?.best?.workerCpuPct, 1),
    maxConsumersForwardedPps: round(f.audioRamp?.best?.forwardedPps, 0),
    projectedConsumersPerCore: round(f.audioRamp?.projectedPerCore, 0),
    maxVideoConsumersPerWorker: f.videoRamp?.maxConsumers ?? null,
    maxVideoConsumersUnsaturated: f.videoRamp?.maxUnsaturated ?? null,
    maxVideoConsumersStoppedBy: f.videoRamp?.stoppedBy ?? null,
    maxVideoConsumersWorkerCpuPct: round(f.videoRamp?.best?.workerCpuPct, 1),
    projectedVideoConsumersPerCore: round(f.videoRamp?.projectedPerCore, 0),
    srtp: o.srtp,
    quick: o.quick,
    cores: os.cpus().length,
    loadAvgStart: loadStart,
    loadAvgEnd: loadEnd,
    otherCpuPctMax: round(otherMax, 0),
  };
  log(JSON.stringify(json));
}

let options: MediaBenchOptions;
try {
  options = parseMediaArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
main(options).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
