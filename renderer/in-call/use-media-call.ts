import { useCallback, useEffect, useRef, useState } from 'react';
import type { MediaSource, SfuEventData } from '../../protocol/index.js';
import type { SoftphoneApi, SoftphoneCall } from '../../protocol/softphone.js';
import { cameraConstraints, micConstraints } from '../app/devices.js';
import { MediaSession, type RemoteTrack } from '../media/media-session.js';

export type MediaStatus = 'joining' | 'joined' | 'reconnecting' | 'closed';
type Quality = SfuEventData<'transport.quality'>;

export interface RemoteMedia {
  tracks: RemoteTrack[];
}

export interface MediaCall {
  status: MediaStatus;
  error: string | undefined;
  localStream: MediaStream | undefined;
  remote: Map<string, RemoteTrack[]>;
  speaker: string | null;
  quality: { send?: Quality; recv?: Quality };
  micMuted: boolean;
  cameraOn: boolean;
  sharing: boolean;
  moderatorMuted: MediaSource | undefined;
  /** Our transports restarting ICE: `send` stalls what we send, `recv` everyone's tiles. */
  iceReconnecting: { send: boolean; recv: boolean };
  toggleMic: () => void;
  toggleCamera: () => void;
  toggleScreen: () => void;
  switchMic: (deviceId: string) => void;
  switchCamera: (deviceId: string) => void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The media side of one active call: joins the SFU with tickets from the API, sends microphone
 * (and camera for video), receives everyone, and leaves when the view goes away (hang-up, the call
 * ended, removal). Device switches replace tracks without renegotiating.
 */
export function useMediaCall(
  api: SoftphoneApi,
  call: SoftphoneCall,
  devices: { mic: string; camera: string },
): MediaCall {
  const sessionRef = useRef<MediaSession>(undefined);
  const [status, setStatus] = useState<MediaStatus>('joining');
  const [error, setError] = useState<string>();
  const [localStream, setLocalStream] = useState<MediaStream>();
  const [remote, setRemote] = useState(new Map<string, RemoteTrack[]>());
  const [speaker, setSpeaker] = useState<string | null>(null);
  const [quality, setQuality] = useState<{ send?: Quality; recv?: Quality }>({});
  const [micMuted, setMicMuted] = useState(false);
  const [cameraOn, setCameraOn] = useState(call.localMedia === 'video');
  const [sharing, setSharing] = useState(false);
  const [moderatorMuted, setModeratorMuted] = useState<MediaSource>();
  const [iceReconnecting, setIceReconnecting] = useState({ send: false, recv: false });
  const callId = call.callId;
  const initialVideo = call.localMedia === 'video';
  const devicesRef = useRef(devices);
  devicesRef.current = devices;

  useEffect(() => {
    const session = new MediaSession({ getTicket: () => api.mediaTicket({ callId }) });
    sessionRef.current = session;
    let live = true;
    // A function, not the variable: the cleanup flips it while the async join is in flight.
    const alive = () => live;
    const updateTrack = (consumerId: string, change: (t: RemoteTrack) => RemoteTrack | null) => {
      setRemote((prev) => {
        const next = new Map<string, RemoteTrack[]>();
        for (const [user, tracks] of prev) {
          const kept = tracks
            .map((t) => (t.consumerId === consumerId ? change(t) : t))
            .filter((t): t is RemoteTrack => t !== null);
          if (kept.length > 0) next.set(user, kept);
        }
        return next;
      });
    };
    session.on('track-added', (track) => {
      setRemote((prev) => {
        const next = new Map(prev);
        next.set(track.userId, [...(prev.get(track.userId) ?? []), track]);
        return next;
      });
    });
    session.on('track-removed', (consumerId) => {
      updateTrack(consumerId, () => null);
    });
    session.on('track-paused', (userId, producerId, paused) => {
      setRemote((prev) => {
        const tracks = prev.get(userId);
        if (!tracks) return prev;
        const next = new Map(prev);
        next.set(
          userId,
          tracks.map((t) => (t.producerId === producerId ? { ...t, paused } : t)),
        );
        return next;
      });
    });
    session.on('speaker-changed', setSpeaker);
    session.on('quality', (sample) => {
      setQuality((q) => ({ ...q, [sample.direction]: sample }));
    });
    session.on('moderator-muted', (source, muted) => {
      setModeratorMuted(muted ? source : undefined);
      if (source === 'mic') setMicMuted(muted);
      if (source === 'camera' && muted) setCameraOn(false);
    });
    session.on('ice-reconnecting', (direction, reconnecting) => {
      setIceReconnecting((prev) =>
        prev[direction] === reconnecting ? prev : { ...prev, [direction]: reconnecting },
      );
    });
    session.on('reconnecting', () => {
      setStatus('reconnecting');
    });
    session.on('rejoined', () => {
      setStatus('joined');
    });
    session.on('closed', () => {
      setStatus('closed');
    });

    void (async () => {
      try {
        const { mic, camera } = devicesRef.current;
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: micConstraints(mic),
          video: initialVideo ? cameraConstraints(camera) : false,
        });
        if (!alive()) {
          for (const track of stream.getTracks()) track.stop();
          return;
        }
        setLocalStream(stream);
        // Tracks handed over before join are produced as soon as the transport exists.
        await session.join();
        for (const track of stream.getTracks())
          await session.send(track.kind === 'audio' ? 'mic' : 'camera', track);
        if (alive()) setStatus('joined');
      } catch (e) {
        if (alive()) setError(message(e));
      }
    })();
    return () => {
      live = false;
      sessionRef.current = undefined;
      void session.leave();
    };
  }, [api, callId, initialVideo]);

  const replaceLocal = useCallback((kind: 'audio' | 'video', track: MediaStreamTrack | null) => {
    setLocalStream((prev) => {
      const kept = (prev?.getTracks() ?? []).filter((t) => t.kind !== kind);
      return new MediaStream(track ? [...kept, track] : kept);
    });
  }, []);

  const toggleMic = useCallback(() => {
    const next = !micMuted;
    setMicMuted(next);
    sessionRef.current?.setMuted('mic', next).catch((e: unknown) => {
      // The moderator holds the mute: stay muted and say so.
      setMicMuted(true);
      setError(message(e));
    });
  }, [micMuted]);

  const toggleCamera = useCallback(() => {
    const session = sessionRef.current;
    if (!session) return;
    if (cameraOn) {
      setCameraOn(false);
      void session.stop('camera');
      replaceLocal('video', null);
      return;
    }
    void navigator.mediaDevices
      .getUserMedia({ video: cameraConstraints(devicesRef.current.camera) })
      .then(async (stream) => {
        const [track] = stream.getVideoTracks();
        if (!track) return;
        await session.send('camera', track);
        replaceLocal('video', track);
        setCameraOn(true);
      })
      .catch((e: unknown) => {
        setError(message(e));
      });
  }, [cameraOn, replaceLocal]);

  const toggleScreen = useCallback(() => {
    const session = sessionRef.current;
    if (!session) return;
    if (sharing) {
      setSharing(false);
      void session.stop('screen');
      return;
    }
    void navigator.mediaDevices
      .getDisplayMedia({ video: true, audio: false })
      .then(async (stream) => {
        const [track] = stream.getVideoTracks();
        if (!track) return;
        track.addEventListener('ended', () => {
          setSharing(false);
          void session.stop('screen');
        });
        await session.send('screen', track);
        setSharing(true);
      })
      .catch((e: unknown) => {
        setError(message(e));
      });
  }, [sharing]);

  const switchDevice = useCallback(
    (kind: 'audio' | 'video', deviceId: string) => {
      const session = sessionRef.current;
      if (!session || (kind === 'video' && !cameraOn)) return;
      const constraints =
        kind === 'audio'
          ? { audio: micConstraints(deviceId) }
          : { video: cameraConstraints(deviceId) };
      void navigator.mediaDevices
        .getUserMedia(constraints)
        .then(async (stream) => {
          const [track] = stream.getTracks();
          if (!track) return;
          const old = localStream?.getTracks().find((t) => t.kind === kind);
          await session.replaceTrack(kind === 'audio' ? 'mic' : 'camera', track);
          old?.stop();
          replaceLocal(kind, track);
        })
        .catch((e: unknown) => {
          setError(message(e));
        });
    },
    [cameraOn, localStream, replaceLocal],
  );

  return {
    status,
    error,
    localStream,
    remote,
    speaker,
    quality,
    micMuted,
    cameraOn,
    sharing,
    moderatorMuted,
    iceReconnecting,
    toggleMic,
    toggleCamera,
    toggleScreen,
    switchMic: (id) => {
      switchDevice('audio', id);
    },
    switchCamera: (id) => {
      switchDevice('video', id);
    },
  };
}
