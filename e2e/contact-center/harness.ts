/**
 * A bare page around the client media module for the seat-calling browser test: it joins a call's
 * media with a ticket (a participant's or a supervisor's), sends only the sources it is told to,
 * and reports per remote user what it receives.
 */
import { MediaSession, type RemoteTrack } from '../../renderer/media/media-session.js';

interface Inbound {
  userId: string;
  kind: string;
  bytes: number;
}

interface Harness {
  join(ticket: string, sfuUrl: string, sendMic: boolean): Promise<string>;
  leave(): Promise<void>;
  inbound(): Promise<Inbound[]>;
  remoteUsers(): string[];
  events: string[];
}

declare global {
  interface Window {
    monitorHarness: Harness;
  }
}

const tracks = new Map<string, RemoteTrack>();
const events: string[] = [];
let session: MediaSession | undefined;

window.monitorHarness = {
  events,
  async join(ticket, sfuUrl, sendMic) {
    tracks.clear();
    session = new MediaSession({ getTicket: () => Promise.resolve({ ticket, sfuUrl }) });
    session.on('track-added', (track) => {
      tracks.set(track.consumerId, track);
      const element = document.createElement('audio');
      element.autoplay = true;
      element.srcObject = new MediaStream([track.track]);
      document.body.append(element);
      events.push(`track-added:${track.userId}:${track.kind}`);
    });
    session.on('track-removed', (consumerId, userId) => {
      tracks.delete(consumerId);
      events.push(`track-removed:${userId}`);
    });
    session.on('closed', (reason) => events.push(`closed:${reason}`));
    await session.join();
    if (sendMic) {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      const [audio] = media.getAudioTracks();
      if (audio) await session.send('mic', audio);
    }
    return session.userId ?? '';
  },
  async leave() {
    await session?.leave();
    session = undefined;
    tracks.clear();
  },
  remoteUsers() {
    return [...new Set([...tracks.values()].map((t) => t.userId))];
  },
  async inbound() {
    const out: Inbound[] = [];
    for (const track of tracks.values()) {
      const report = await session?.remoteStats(track.consumerId);
      let bytes = 0;
      report?.forEach((s: { type: string; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp') bytes += s.bytesReceived ?? 0;
      });
      out.push({ userId: track.userId, kind: track.kind, bytes });
    }
    return out;
  },
};
