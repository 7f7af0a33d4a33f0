import { useCallback, useEffect, useRef, useState } from 'react';
import type { MonitorMode } from '../../protocol/index.js';
import type { SoftphoneApi } from '../../protocol/softphone.js';
import { micConstraints } from '../app/devices.js';
import { MediaSession, type RemoteTrack } from '../media/media-session.js';

export interface Monitoring {
  callId: string;
  mode: MonitorMode;
  state: 'joining' | 'joined' | 'failed';
  error?: string;
}

/**
 * A supervisor's way into an agent's queue call: a monitor ticket from the server, then the media
 * session joins with it. `listen` only consumes; `whisper` also sends the microphone (the SFU lets
 * only the agent hear it); `barge` sends the microphone as a normal participant. Remote audio
 * plays through hidden audio elements the hook owns.
 */
export function useMonitor(api: SoftphoneApi, micDevice: string) {
  const [monitoring, setMonitoring] = useState<Monitoring>();
  const session = useRef<MediaSession>(undefined);
  const mic = useRef<MediaStream>(undefined);
  const audios = useRef(new Map<string, HTMLAudioElement>());

  const stop = useCallback(async () => {
    const current = session.current;
    session.current = undefined;
    for (const track of mic.current?.getTracks() ?? []) track.stop();
    mic.current = undefined;
    for (const audio of audios.current.values()) {
      audio.srcObject = null;
      audio.remove();
    }
    audios.current.clear();
    setMonitoring(undefined);
    await current?.leave().catch(() => undefined);
  }, []);

  const start = useCallback(
    async (callId: string, mode: MonitorMode) => {
      await stop();
      const media = new MediaSession({ getTicket: () => api.monitorTicket({ callId, mode }) });
      session.current = media;
      setMonitoring({ callId, mode, state: 'joining' });
      media.on('track-added', (track: RemoteTrack) => {
        if (track.kind !== 'audio') return;
        const audio = document.createElement('audio');
        audio.autoplay = true;
        audio.hidden = true;
        audio.dataset.monitorAudio = track.userId;
        audio.srcObject = new MediaStream([track.track]);
        document.body.append(audio);
        audios.current.set(track.consumerId, audio);
      });
      media.on('track-removed', (consumerId) => {
        audios.current.get(consumerId)?.remove();
        audios.current.delete(consumerId);
      });
      media.on('closed', () => {
        if (session.current === media) void stop();
      });
      try {
        await media.join();
        if (mode !== 'listen') {
          const stream = await navigator.mediaDevices.getUserMedia({
            audio: micConstraints(micDevice),
          });
          mic.current = stream;
          const [track] = stream.getAudioTracks();
          if (track) await media.send('mic', track);
        }
        if (session.current === media) setMonitoring({ callId, mode, state: 'joined' });
      } catch (error) {
        if (session.current !== media) return;
        await stop();
        setMonitoring({
          callId,
          mode,
          state: 'failed',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
    [api, micDevice, stop],
  );

  useEffect(
    () => () => {
      void stop();
    },
    [stop],
  );
  return { monitoring, start, stop };
}
