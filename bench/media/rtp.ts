import { type Socket, createSocket } from 'node:dgram';
import type { types } from 'mediasoup';
import {
  AUDIO_LEVEL_EXT_ID,
  OPUS_PT,
  opusParameters,
  vp8Parameters,
} from '../../server/sfu/testing/media-fixtures.js';

/**
 * Synthetic RTP that looks to mediasoup like what a browser sends: Opus-like audio (with the
 * audio-level header extension) and VP8-like video (a real VP8 payload descriptor with picture id,
 * TL0PICIDX and temporal layer 0, key frames marked, so that video consumers sync and the VP8
 * encoding context rewrites every packet as it would for Chromium's stream). Payloads are filler:
 * the SFU never decodes them.
 */

export type StreamKind = 'audio' | 'video';

export interface StreamProfile {
  kind: StreamKind;
  /** RTP packets per second. */
  pps: number;
  /** Whole packet size in bytes (RTP header included). */
  packetBytes: number;
  /** Frames per second (audio: one packet a frame). */
  fps: number;
}

/** Opus at 20 ms: 50 packets a second of ~100 bytes (~40 kbit/s on the wire). */
export const AUDIO_PROFILE: StreamProfile = { kind: 'audio', pps: 50, packetBytes: 100, fps: 50 };

/** VP8 camera at 30 fps, 10 packets a frame of ~1,000 bytes: 300 pps, ~2.4 Mbit/s (720p-ish). */
export const VIDEO_PROFILE: StreamProfile = {
  kind: 'video',
  pps: 300,
  packetBytes: 1000,
  fps: 30,
};

export const VP8_PT = 96;
const VIDEO_KEYFRAME_EVERY = 30;

export const describeProfile = (p: StreamProfile): string =>
  `${p.kind === 'audio' ? 'Opus-like' : 'VP8-like'} ${p.pps} pkt/s × ${p.packetBytes} B ` +
  `(${((p.pps * p.packetBytes * 8) / 1000).toFixed(0)} kbit/s)`;

export function producerRtpParameters(
  kind: StreamKind,
  ssrc: number,
): ReturnType<typeof opusParameters> {
  return kind === 'audio' ? opusParameters(ssrc) : vp8Parameters(ssrc);
}

/** Narrows our protocol's (opaque) parameter record to mediasoup's type: both describe the same. */
export const asRtpParameters = (p: ReturnType<typeof opusParameters>): types.RtpParameters =>
  p as unknown as types.RtpParameters;

/** One RTP stream towards a comedia PlainTransport. Paced by `RtpPacer`. */
export class RtpSource {
  /** Packets handed to the kernel since the last `resetCount()`. */
  sent = 0;
  private readonly socket: Socket = createSocket('udp4');
  private seq = 1;
  private timestamp = 0;
  private frame = 0;
  private pictureId = 0;
  private tl0 = 0;
  private forceKey = true;
  private readonly packetsPerFrame: number;

  private constructor(
    readonly profile: StreamProfile,
    private readonly target: { ip: string; port: number },
    readonly ssrc: number,
  ) {
    this.packetsPerFrame = Math.max(1, Math.round(profile.pps / profile.fps));
    // The worker sends RTCP (receiver reports, PLIs) back here: read, and ignored.
    this.socket.on('message', () => undefined);
    this.socket.on('error', () => undefined);
  }

  /** A source with its socket bound (so that every send goes out at once, never queued). */
  static async open(
    profile: StreamProfile,
    target: { ip: string; port: number },
    ssrc: number,
  ): Promise<RtpSource> {
    const source = new RtpSource(profile, target, ssrc);
    await new Promise<void>((resolve) => {
      source.socket.bind(0, '127.0.0.1', resolve);
    });
    return source;
  }

  /** The next frame starts with a key frame (video; consumers created meanwhile sync on it). */
  requestKeyFrame(): void {
    this.forceKey = true;
  }

  /** Sends one frame's packets (audio: one packet). */
  sendFrame(): void {
    if (this.profile.kind === 'audio') this.sendAudio();
    else this.sendVideoFrame();
    this.frame++;
  }

  close(): void {
    this.socket.close();
  }

  private header(buf: Buffer, pt: number, marker: boolean, extension: boolean): void {
    buf[0] = extension ? 0x90 : 0x80;
    buf[1] = (marker ? 0x80 : 0) | pt;
    buf.writeUInt16BE(this.seq & 0xffff, 2);
    buf.writeUInt32BE(this.timestamp >>> 0, 4);
    buf.writeUInt32BE(this.ssrc >>> 0, 8);
    this.seq++;
  }

  private sendAudio(): void {
    // A fresh buffer a packet: dgram may still hold the previous one when we write the next.
    const buf = Buffer.alloc(this.profile.packetBytes, 0x5a);
    this.header(buf, OPUS_PT, false, true);
    // One-byte header extension (RFC 8285), one element: the audio level, -10 dBov, voice.
    buf[12] = 0xbe;
    buf[13] = 0xde;
    buf[14] = 0x00;
    buf[15] = 0x01;
    buf[16] = AUDIO_LEVEL_EXT_ID << 4;
    buf[17] = 0x80 | 10;
    buf[18] = 0;
    buf[19] = 0;
    this.send(buf);
    this.timestamp += 960;
  }

  private sendVideoFrame(): void {
    const key = this.forceKey || this.frame % VIDEO_KEYFRAME_EVERY === 0;
    this.forceKey = false;
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    this.tl0 = (this.tl0 + 1) & 0xff;
    for (let i = 0; i < this.packetsPerFrame; i++) {
      const buf = Buffer.alloc(this.profile.packetBytes, 0x3c);
      this.header(buf, VP8_PT, i === this.packetsPerFrame - 1, false);
      // VP8 payload descriptor (RFC 7741): X=1, S on the first packet, partition 0;
      // I=1 (15-bit picture id), L=1 (TL0PICIDX), T=1 (TID 0, Y=1).
      buf[12] = i === 0 ? 0x90 : 0x80;
      buf[13] = 0xe0;
      buf[14] = 0x80 | (this.pictureId >> 8);
      buf[15] = this.pictureId & 0xff;
      buf[16] = this.tl0;
      buf[17] = 0x20;
      // VP8 payload header: P (bit 0) = 0 on a key frame; show_frame = 1.
      buf[18] = key ? 0x10 : 0x11;
      this.send(buf);
    }
    this.timestamp += Math.round(90_000 / this.profile.fps);
  }

  private send(buf: Buffer): void {
    this.socket.send(buf, this.target.port, this.target.ip);
    this.sent++;
  }
}

/**
 * Paces sources at their frame rate from one timer, catching up on late ticks (so the packet rate
 * holds even when the event loop is busy), spreading the sources' frames over the frame interval.
 */
export class RtpPacer {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private readonly framesSent = new Map<RtpSource, number>();
  /** Largest number of frames one source had to catch up on in one tick. */
  maxBurst = 0;

  constructor(private readonly sources: readonly RtpSource[]) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    this.stop();
    this.startedAt = performance.now();
    this.maxBurst = 0;
    for (const s of this.sources) {
      this.framesSent.set(s, 0);
      s.requestKeyFrame();
    }
    this.timer = setInterval(() => {
      this.tick();
    }, 2);
    this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const elapsedMs = performance.now() - this.startedAt;
    const n = this.sources.length;
    this.sources.forEach((source, index) => {
      const intervalMs = 1000 / source.profile.fps;
      // Source `index` sends its frames offset by index/n of an interval.
      const due = Math.floor(elapsedMs / intervalMs - index / n) + 1;
      const done = this.framesSent.get(source) ?? 0;
      const behind = Math.min(due - done, source.profile.fps); // never more than a second's worth
      if (behind <= 0) return;
      this.maxBurst = Math.max(this.maxBurst, behind);
      for (let i = 0; i < behind; i++) source.sendFrame();
      this.framesSent.set(source, done + behind);
    });
  }
}
