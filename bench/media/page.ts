/**
 * The bench's page: the client media module (`MediaSession`) joining with a ticket handed over by
 * Node, sending its fake camera and microphone, and timing, with the page's own clock
 * (`performance.now()`), every step up to the first decoded frame of one remote user's video.
 * Node maps those times onto its own clock (see first-frame.ts).
 */
import { MediaSession } from '../../renderer/media/media-session.js';

export interface JoinOptions {
  ticket: string;
  sfuUrl: string;
  /** Whose video to time. */
  watchUserId: string;
  /** `sequential`: join, then open camera and microphone, then send (as the e2e harness does).
   * `parallel`: open them while joining. */
  mode: 'sequential' | 'parallel';
}

/** Page times (performance.now(), ms) of the steps of one join; absent when not reached. */
export interface JoinMarks {
  joinStart: number;
  /** `join` answered, device loaded, both transports created, `consumer.ready` answered. */
  joined?: number;
  gumDone?: number;
  /** Our camera producer exists at the SFU. */
  sending?: number;
  /** The consumer of the watched user's video is resumed and its track handed to a video element. */
  trackAdded?: number;
  /** First inbound-rtp stats with packetsReceived > 0 (polled every ~10 ms). */
  firstPacketPolled?: number;
  /** First inbound-rtp stats with framesDecoded > 0 (polled every ~10 ms). */
  decodedPolled?: number;
  /** requestVideoFrameCallback: the time the first frame was handed to the compositor. */
  presented?: number;
  /** requestVideoFrameCallback: when its last packet arrived (WebRTC sources only). */
  frameReceived?: number;
  /** The callback's own `now` (the frame's vsync). */
  rvfcNow?: number;
  srtpCipher?: string;
  error?: string;
}

interface BenchPage {
  now(): number;
  join(options: JoinOptions): Promise<JoinMarks>;
  /** Resolves once the first frame was seen both ways (rVFC and stats), or at the deadline. */
  firstFrame(timeoutMs: number): Promise<JoinMarks>;
  leave(): Promise<void>;
}

declare global {
  interface Window {
    bench: BenchPage;
  }
}

const POLL_MS = 10;

let session: MediaSession | undefined;
let marks: JoinMarks = { joinStart: 0 };
let elements: HTMLMediaElement[] = [];
let pollTimer: number | undefined;
let done: Promise<void> = Promise.resolve();
let finish: () => void = () => undefined;

const now = (): number => performance.now();

function bothSeen(): boolean {
  return marks.presented !== undefined && marks.decodedPolled !== undefined;
}

function watch(consumerId: string, track: MediaStreamTrack): void {
  const video = document.createElement('video');
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  document.body.append(video);
  elements.push(video);
  video.requestVideoFrameCallback((callbackNow, meta) => {
    marks.rvfcNow = callbackNow;
    marks.presented = meta.presentationTime;
    if (meta.receiveTime !== undefined) marks.frameReceived = meta.receiveTime;
    if (bothSeen()) finish();
  });
  const current = session;
  let polling = false;
  pollTimer = window.setInterval(() => {
    if (polling || !current) return;
    polling = true;
    current
      .remoteStats(consumerId)
      .then((report) => {
        const at = now();
        report?.forEach(
          (s: {
            type: string;
            kind?: string;
            packetsReceived?: number;
            framesDecoded?: number;
          }) => {
            if (s.type !== 'inbound-rtp') return;
            if ((s.packetsReceived ?? 0) > 0) marks.firstPacketPolled ??= at;
            if ((s.framesDecoded ?? 0) > 0) marks.decodedPolled ??= at;
          },
        );
        if (marks.decodedPolled !== undefined) {
          window.clearInterval(pollTimer);
          void cipherOf(current, consumerId);
        }
        if (bothSeen()) finish();
      })
      .catch(() => undefined)
      .finally(() => {
        polling = false;
      });
  }, POLL_MS);
}

/** The SRTP cipher the browser and the SFU agreed on (what the forwarding bench should use). */
async function cipherOf(current: MediaSession, consumerId: string): Promise<void> {
  const report = await current.remoteStats(consumerId);
  report?.forEach((s: { type: string; srtpCipher?: string }) => {
    if (s.type === 'transport' && s.srtpCipher) marks.srtpCipher = s.srtpCipher;
  });
}

window.bench = {
  now,
  async join(options) {
    marks = { joinStart: now() };
    done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const ticket = { ticket: options.ticket, sfuUrl: options.sfuUrl };
    const current = new MediaSession({ getTicket: () => Promise.resolve(ticket) });
    session = current;
    current.on('track-added', (track) => {
      if (track.userId !== options.watchUserId) return;
      if (track.kind === 'video') {
        marks.trackAdded = now();
        watch(track.consumerId, track.track);
      } else {
        const audio = document.createElement('audio');
        audio.autoplay = true;
        audio.srcObject = new MediaStream([track.track]);
        document.body.append(audio);
        elements.push(audio);
      }
    });
    const gum = async (): Promise<MediaStream> => {
      const media = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: { width: 320, height: 240 },
      });
      marks.gumDone = now();
      return media;
    };
    try {
      let media: MediaStream;
      if (options.mode === 'parallel') {
        const pending = gum();
        await current.join();
        marks.joined = now();
        media = await pending;
      } else {
        await current.join();
        marks.joined = now();
        media = await gum();
      }
      const [audio] = media.getAudioTracks();
      const [video] = media.getVideoTracks();
      if (audio) await current.send('mic', audio);
      if (video) await current.send('camera', video);
      marks.sending = now();
    } catch (error) {
      marks.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      finish();
    }
    return { ...marks };
  },
  async firstFrame(timeoutMs) {
    let timer: number | undefined;
    await Promise.race([
      done,
      new Promise<void>((resolve) => {
        timer = window.setTimeout(resolve, timeoutMs);
      }),
    ]);
    window.clearTimeout(timer);
    // Let the SRTP cipher lookup land (it follows the first decoded frame by one getStats).
    for (let i = 0; i < 20 && marks.decodedPolled !== undefined && !marks.srtpCipher; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return { ...marks };
  },
  async leave() {
    window.clearInterval(pollTimer);
    const current = session;
    session = undefined;
    await current?.leave();
    for (const element of elements) {
      element.srcObject = null;
      element.remove();
    }
    elements = [];
  },
};
