import { type Socket, createSocket } from 'node:dgram';
import type { SfuRequestData } from '../../../protocol/index.js';

/** The audio-level header extension id used by `opusParameters`. */
export const AUDIO_LEVEL_EXT_ID = 1;
export const OPUS_PT = 111;

/** RTP parameters of an Opus producer, as a browser would send them (with audio levels). */
export function opusParameters(ssrc: number): SfuRequestData<'produce'>['rtpParameters'] {
  return {
    mid: '0',
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: OPUS_PT,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: AUDIO_LEVEL_EXT_ID },
    ],
    encodings: [{ ssrc }],
    rtcp: { cname: `cname-${ssrc}`, reducedSize: true },
  };
}

/** RTP parameters of a VP8 producer. */
export function vp8Parameters(ssrc: number): SfuRequestData<'produce'>['rtpParameters'] {
  return {
    mid: '1',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
    ],
    encodings: [{ ssrc }],
    rtcp: { cname: `cname-${ssrc}`, reducedSize: true },
  };
}

/**
 * Sends Opus-like RTP over UDP to a plain transport (comedia): 50 packets a second, each with an
 * audio level (dBov, 0 = loudest, 127 = silence). The payload is not real Opus: the SFU does not
 * decode it.
 */
export class RtpAudioSender {
  private readonly socket: Socket = createSocket('udp4');
  private timer: NodeJS.Timeout | undefined;
  private seq = 1;
  private timestamp = 0;

  constructor(
    private readonly target: { ip: string; port: number },
    private readonly ssrc: number,
  ) {}

  start(levelDbov = 10): void {
    this.stop();
    this.timer = setInterval(() => {
      this.sendOne(levelDbov);
    }, 20);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    this.socket.close();
  }

  private sendOne(levelDbov: number): void {
    const header = Buffer.alloc(12);
    header[0] = 0x90; // V=2, X=1
    header[1] = OPUS_PT;
    header.writeUInt16BE(this.seq & 0xffff, 2);
    header.writeUInt32BE(this.timestamp >>> 0, 4);
    header.writeUInt32BE(this.ssrc >>> 0, 8);
    // One-byte header extension (RFC 8285): one element, id AUDIO_LEVEL_EXT_ID, one byte of data.
    const extension = Buffer.from([
      0xbe,
      0xde,
      0x00,
      0x01,
      (AUDIO_LEVEL_EXT_ID << 4) | 0,
      0x80 | (levelDbov & 0x7f),
      0x00,
      0x00,
    ]);
    const payload = Buffer.alloc(80, 0x5a);
    this.socket.send(Buffer.concat([header, extension, payload]), this.target.port, this.target.ip);
    this.seq++;
    this.timestamp += 960;
  }
}

/**
 * The receiving end of a comedia plain transport: a UDP socket that makes itself known to the
 * transport with one RTCP receiver report (comedia learns where to send from the first packet),
 * then counts the RTP bytes the SFU sends it: what a held party would hear.
 */
export class RtpReceiver {
  private readonly socket: Socket = createSocket('udp4');
  bytes = 0;

  private constructor() {
    this.socket.on('message', (packet: Buffer) => {
      // RTP only: RTCP (payload types 200-206 in the second byte) goes on while media is paused.
      const type = packet[1] ?? 0;
      if (type < 200 || type > 206) this.bytes += packet.length;
    });
  }

  static async bindTo(target: { ip: string; port: number }): Promise<RtpReceiver> {
    const receiver = new RtpReceiver();
    await new Promise<void>((resolve) => {
      receiver.socket.bind(0, '127.0.0.1', resolve);
    });
    // RTCP RR with no report blocks: V=2, RC=0, PT=201, length 1 (two 32-bit words), an SSRC.
    const rr = Buffer.from([0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x0b, 0xad]);
    receiver.socket.send(rr, target.port, target.ip);
    return receiver;
  }

  close(): void {
    this.socket.close();
  }
}
