/**
 * A bare page around the client media module, for browser tests of the SFU: the test drives
 * signaling from Node and hands the page its media tickets; the page joins, sends its fake
 * camera and microphone, plays what it receives, and reports inbound statistics.
 */
import { MediaSession, type RemoteTrack } from '../../renderer/media/media-session.js';
import { SfuError } from '../../renderer/media/sfu-socket.js';

interface Harness {
  join(ticket: string, sfuUrl: string): Promise<string>;
  leave(): Promise<void>;
  setMuted(source: 'mic' | 'camera', muted: boolean): Promise<string>;
  inbound(): Promise<
    { kind: string; userId: string; bytes: number; frames: number; audioLevel: number }[]
  >;
  events: string[];
  remoteUsers(): string[];
}

declare global {
  interface Window {
    harness: Harness;
    /** Set by a test (page.exposeFunction) whose page must rejoin: a fresh ticket each join. */
    freshTicket?: () => Promise<{ ticket: string; sfuUrl: string }>;
  }
}

const tracks = new Map<string, RemoteTrack>();
const events: string[] = [];
let session: MediaSession | undefined;
let ticketInfo: { ticket: string; sfuUrl: string } | undefined;
/** The peer connection stats come from the receivers of our consumer tracks. */
const receivers = new Map<string, { track: RemoteTrack; element: HTMLMediaElement }>();

window.harness = {
  events,
  async join(ticket, sfuUrl) {
    ticketInfo = { ticket, sfuUrl };
    session = new MediaSession({
      getTicket: () => {
        if (window.freshTicket && session?.userId !== undefined) return window.freshTicket();
        if (!ticketInfo) return Promise.reject(new Error('no ticket'));
        return Promise.resolve(ticketInfo);
      },
    });
    session.on('track-added', (track) => {
      tracks.set(track.consumerId, track);
      const element = document.createElement(track.kind === 'video' ? 'video' : 'audio');
      element.autoplay = true;
      element.muted = track.kind === 'video';
      element.srcObject = new MediaStream([track.track]);
      document.body.append(element);
      receivers.set(track.consumerId, { track, element });
      events.push(`track-added:${track.userId}:${track.kind}`);
    });
    session.on('track-removed', (consumerId, userId) => {
      receivers.get(consumerId)?.element.remove();
      receivers.delete(consumerId);
      tracks.delete(consumerId);
      events.push(`track-removed:${userId}`);
    });
    session.on('closed', (reason) => events.push(`closed:${reason}`));
    session.on('reconnecting', () => events.push('reconnecting'));
    session.on('rejoined', () => events.push('rejoined'));
    session.on('moderator-muted', (source, muted) =>
      events.push(`moderator-muted:${source}:${String(muted)}`),
    );
    session.on('peer-left', (userId) => events.push(`peer-left:${userId}`));
    await session.join();
    const media = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 320, height: 240 },
    });
    const [audio] = media.getAudioTracks();
    const [video] = media.getVideoTracks();
    if (audio) await session.send('mic', audio);
    if (video) await session.send('camera', video);
    return session.userId ?? '';
  },
  async leave() {
    await session?.leave();
  },
  async setMuted(source, muted) {
    try {
      await session?.setMuted(source, muted);
      return 'ok';
    } catch (error) {
      if (error instanceof SfuError) return `${error.code}: ${error.message}`;
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  },
  remoteUsers() {
    return [...new Set([...tracks.values()].map((t) => t.userId))];
  },
  async inbound() {
    const out: {
      kind: string;
      userId: string;
      bytes: number;
      frames: number;
      audioLevel: number;
    }[] = [];
    for (const { track } of receivers.values()) {
      const stats = await getTrackStats(track.consumerId);
      out.push({ kind: track.kind, userId: track.userId, ...stats });
    }
    return out;
  },
};

/** Inbound RTP figures of one received track. */
async function getTrackStats(
  consumerId: string,
): Promise<{ bytes: number; frames: number; audioLevel: number }> {
  const report = await session?.remoteStats(consumerId);
  let bytes = 0;
  let frames = 0;
  let audioLevel = 0;
  report?.forEach(
    (s: { type: string; bytesReceived?: number; framesDecoded?: number; audioLevel?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      bytes += s.bytesReceived ?? 0;
      frames += s.framesDecoded ?? 0;
      audioLevel = Math.max(audioLevel, s.audioLevel ?? 0);
    },
  );
  return { bytes, frames, audioLevel };
}
