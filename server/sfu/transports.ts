import type * as mediasoup from 'mediasoup';

type Router = mediasoup.types.Router;

/** The codecs every room offers: Opus for audio; VP8, VP9 and H.264 (constrained baseline) for video. */
export const MEDIA_CODECS: mediasoup.types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
    },
  },
];

export const INITIAL_OUTGOING_BITRATE = 1_000_000;

export interface ListenSettings {
  listenIp: string;
  announcedIp?: string | undefined;
}

/**
 * A WebRTC transport for one direction of one peer: UDP and TCP candidates with UDP preferred, or
 * TCP only when the peer's network blocks UDP (`forceTcp`).
 */
export function createWebRtcTransport(
  router: Router,
  listen: ListenSettings,
  options: { forceTcp: boolean; appData: mediasoup.types.AppData },
): Promise<mediasoup.types.WebRtcTransport> {
  const listenIp: mediasoup.types.TransportListenIp =
    listen.announcedIp === undefined
      ? { ip: listen.listenIp }
      : { ip: listen.listenIp, announcedIp: listen.announcedIp };
  return router.createWebRtcTransport({
    listenIps: [listenIp],
    enableUdp: !options.forceTcp,
    enableTcp: true,
    preferUdp: !options.forceTcp,
    initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
    appData: options.appData,
  });
}
