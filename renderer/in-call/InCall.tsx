import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { useApi } from '../app/api-context.js';
import { useCallMicrophone } from '../app/call-microphone.js';
import { useShellMuteToggle } from '../app/desktop-shell.js';
import { useDevices } from '../app/devices.js';
import { useSettings } from '../app/settings.js';
import { clock, participantsOf } from '../call/call-view.js';
import { DeviceSelect } from '../components/DeviceSelect.js';
import { Participants } from './Participants.js';
import { PeerNotices } from './PeerNotices.js';
import { rateQuality } from './quality.js';
import { useMediaCall } from './use-media-call.js';
import { RemoteAudio, VideoTile } from './VideoTile.js';

/** When the call was answered (the first answer), for the timer. */
const answeredAt = (call: SoftphoneCall): number | undefined => {
  const times = call.info?.legs
    .map((l) => l.answeredAt)
    .filter((x): x is number => x !== undefined);
  return times && times.length > 0 ? Math.min(...times) : undefined;
};

/**
 * The call with media: video grid (local preview, speaker highlight), controls, devices,
 * participants, timer, and the SFU's quality in plain words. Loaded lazily with mediasoup-client.
 */
export default function InCall({ call, me }: { call: SoftphoneCall; me: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const { view, update } = useSettings();
  const settings = view?.settings;
  const devices = useDevices();
  const media = useMediaCall(api, call, {
    mic: settings?.microphoneDevice ?? '',
    camera: settings?.cameraDevice ?? '',
  });
  // The desktop's global mute hotkey (and `trayphone --mute`) acts like the Mute button.
  useShellMuteToggle(media.toggleMic);
  // A USB headset's mute button and mute LED (renderer/headset) reach the call through this.
  useCallMicrophone(media.toggleMic, media.micMuted);
  const [now, setNow] = useState(Date.now());
  const [showDevices, setShowDevices] = useState(false);
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  const started = answeredAt(call);
  const level = rateQuality([media.quality.send, media.quality.recv]);
  const people = participantsOf(call).filter((p) => p.userId !== me);
  const reconnecting = new Set(
    (call.peers ?? []).filter((p) => p.connection === 'reconnecting').map((p) => p.userId),
  );
  const remoteStreams = useMemo(() => {
    const out = new Map<string, MediaStream>();
    for (const [userId, tracks] of media.remote) {
      const video = tracks.filter((tr) => tr.kind === 'video' && !tr.paused);
      // Screen share wins over the camera in the tile.
      const shown = video.find((tr) => tr.source === 'screen') ?? video[0];
      out.set(userId, new MediaStream(shown ? [shown.track] : []));
    }
    return out;
  }, [media.remote]);
  const sinkId = settings?.speakerDevice ?? '';

  return (
    <section className="in-call" aria-labelledby="in-call-title" data-call={call.callId}>
      <header className="in-call-header">
        <h2 id="in-call-title">{t('inCall.title')}</h2>
        <span className="timer" aria-label={t('inCall.timer')} data-testid="call-timer">
          {started ? clock((now - started) / 1000) : '0:00'}
        </span>
        <span
          className={`quality quality-${level}`}
          role="status"
          aria-label={t('inCall.quality.label')}
          data-quality={level}
        >
          <span className="dot" aria-hidden="true" />
          {t(`inCall.quality.${level}`)}
        </span>
      </header>
      <PeerNotices call={call} />
      {level === 'poor' && (
        <p className="banner banner-warning" role="alert">
          {t('inCall.quality.poorWarning')}
        </p>
      )}
      {media.status === 'joining' && !media.error && (
        <p className="hint" role="status">
          {t('inCall.loading')}
        </p>
      )}
      {media.status === 'reconnecting' && (
        <p className="banner banner-warning" role="alert">
          {t('inCall.reconnecting')}
        </p>
      )}
      {media.error && (
        <p className="error" role="alert">
          {t('inCall.mediaError', { message: media.error })}
        </p>
      )}
      {media.moderatorMuted && (
        <p className="banner" role="status">
          {t('inCall.mutedByModerator', { source: t(`inCall.source.${media.moderatorMuted}`) })}
        </p>
      )}
      <div className="in-call-body">
        <div className="grid" data-count={people.length + 1}>
          <VideoTile
            userId={me}
            label={`${me} (${t('inCall.you')})`}
            stream={media.localStream}
            local
            speaking={media.speaker === me}
            audioMuted={media.micMuted}
            videoMuted={!media.cameraOn}
          />
          {people.map((p) => (
            <VideoTile
              key={p.userId}
              userId={p.userId}
              label={p.userId}
              stream={remoteStreams.get(p.userId)}
              speaking={media.speaker === p.userId}
              audioMuted={p.muted.audio}
              videoMuted={p.muted.video}
              reconnecting={reconnecting.has(p.userId)}
            />
          ))}
        </div>
        <Participants api={api} call={call} me={me} />
      </div>
      <div className="audio-sinks" hidden>
        {[...media.remote.values()]
          .flat()
          .map((tr) =>
            tr.kind === 'audio' ? (
              <RemoteAudio
                key={tr.consumerId}
                userId={tr.userId}
                track={tr.track}
                sinkId={sinkId}
              />
            ) : null,
          )}
      </div>
      <div className="controls" role="toolbar" aria-label={t('inCall.title')}>
        <button type="button" aria-pressed={media.micMuted} onClick={media.toggleMic}>
          {t(media.micMuted ? 'inCall.unmute' : 'inCall.mute')}
        </button>
        <button type="button" aria-pressed={!media.cameraOn} onClick={media.toggleCamera}>
          {t(media.cameraOn ? 'inCall.cameraOff' : 'inCall.cameraOn')}
        </button>
        <button type="button" aria-pressed={media.sharing} onClick={media.toggleScreen}>
          {t(media.sharing ? 'inCall.stopShare' : 'inCall.shareScreen')}
        </button>
        <button
          type="button"
          aria-expanded={showDevices}
          aria-controls="in-call-devices"
          onClick={() => {
            setShowDevices(!showDevices);
          }}
        >
          {t('inCall.devices')}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => void api.hangup({ callId: call.callId }).catch(() => undefined)}
        >
          {t('inCall.hangup')}
        </button>
      </div>
      {showDevices && settings && (
        <div id="in-call-devices" className="devices card">
          <DeviceSelect
            id="call-mic"
            label={t('inCall.microphone')}
            devices={devices.audioinput}
            value={settings.microphoneDevice}
            onChange={(id) => {
              media.switchMic(id);
              void update({ microphoneDevice: id }).catch(() => undefined);
            }}
          />
          <DeviceSelect
            id="call-camera"
            label={t('inCall.camera')}
            devices={devices.videoinput}
            value={settings.cameraDevice}
            onChange={(id) => {
              media.switchCamera(id);
              void update({ cameraDevice: id }).catch(() => undefined);
            }}
          />
          <DeviceSelect
            id="call-speaker"
            label={t('inCall.speaker')}
            devices={devices.audiooutput}
            value={settings.speakerDevice}
            onChange={(id) => {
              void update({ speakerDevice: id }).catch(() => undefined);
            }}
          />
        </div>
      )}
    </section>
  );
}
