import { useEffect, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { useApi } from '../app/api-context.js';
import { useCallBarElement } from '../app/call-bar-slot.js';
import { useCallMicrophone } from '../app/call-microphone.js';
import { useShellMuteToggle } from '../app/desktop-shell.js';
import { useDevices } from '../app/devices.js';
import { useNames } from '../app/names.js';
import { useSettings } from '../app/settings.js';
import { clock, participantsOf } from '../call/call-view.js';
import { DeviceSelect } from '../components/DeviceSelect.js';
import { CallBar } from './CallBar.js';
import { isVideoCall, remotePeople, titleNames } from './call-screen.js';
import { answeredAt } from './ending.js';
import { Participants } from './Participants.js';
import { PeerNotices } from './PeerNotices.js';
import { CallQuality } from './CallQuality.js';
import { rateQuality } from './quality.js';
import { AudioStage, VideoStage } from './Stage.js';
import { useMediaCall } from './use-media-call.js';
import { useWide } from './use-wide.js';
import { RemoteAudio } from './VideoTile.js';

/** Screen capture exists in desktop browsers and Electron, not on phones. */
const canShareScreen = (): boolean =>
  typeof navigator !== 'undefined' && typeof navigator.mediaDevices.getDisplayMedia === 'function';

/**
 * The call with media: who it is with and for how long, one stage (a large avatar in an audio
 * call; the speaker or a screen share with a small self-view in a video call), the participants
 * (beside the stage on a wide window, behind a button on a narrow one), devices, and the call
 * bar in the shell's pinned slot. Loaded lazily with mediasoup-client.
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
  const slot = useCallBarElement();
  const wide = useWide();
  // The desktop's global mute hotkey (and `trayphone --mute`) acts like the Mute button.
  useShellMuteToggle(media.toggleMic);
  // A USB headset's mute button and mute LED (renderer/headset) reach the call through this.
  useCallMicrophone(media.toggleMic, media.micMuted);
  const [now, setNow] = useState(Date.now());
  const [showDevices, setShowDevices] = useState(false);
  const [showPeople, setShowPeople] = useState(false);
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  const everyone = participantsOf(call).map((p) => p.userId);
  const nameOf = useNames(api, everyone);
  const people = useMemo(() => remotePeople(call, me, media.remote), [call, me, media.remote]);
  const started = answeredAt(call);
  const time = started ? clock((now - started) / 1000) : '0:00';
  const level = rateQuality([media.quality.send, media.quality.recv]);
  const others = titleNames(people.map((p) => nameOf(p.userId)));
  const title = others.shown
    ? others.more > 0
      ? t('callScreen.titleMore', { names: others.shown, count: others.more, time })
      : t('callScreen.title', { names: others.shown, time })
    : t('callScreen.title', { names: t('inCall.title'), time });
  const remoteVideo = [...media.remote.values()]
    .flat()
    .some((tr) => tr.kind === 'video' && !tr.paused);
  const video = isVideoCall(call) || remoteVideo;
  const sinkId = settings?.speakerDevice ?? '';
  const hangup = () => void api.hangup({ callId: call.callId }).catch(() => undefined);

  const bar = (
    <CallBar
      micMuted={media.micMuted}
      toggleMic={media.toggleMic}
      video={
        isVideoCall(call)
          ? {
              cameraOn: media.cameraOn,
              toggleCamera: media.toggleCamera,
              sharing: media.sharing,
              toggleScreen: canShareScreen() ? media.toggleScreen : undefined,
            }
          : undefined
      }
      participants={
        wide
          ? undefined
          : {
              open: showPeople,
              toggle: () => {
                setShowPeople(!showPeople);
              },
              id: 'in-call-participants',
            }
      }
      devices={{
        open: showDevices,
        toggle: () => {
          setShowDevices(!showDevices);
        },
        id: 'in-call-devices',
      }}
      hangup={hangup}
    />
  );

  return (
    <section
      className={`in-call ${video ? 'in-call-video' : 'in-call-audio'}`}
      aria-labelledby="in-call-title"
      data-call={call.callId}
      data-media={video ? 'video' : 'audio'}
    >
      <header className="in-call-header">
        <h2 id="in-call-title" data-testid="call-title">
          {title}
        </h2>
        {/* An audio call shows it once, with the timer under the avatar (AudioStage). */}
        {video && <CallQuality level={level} />}
      </header>
      <PeerNotices call={call} nameOf={nameOf} />
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
      {media.sharing && (
        <p className="banner sharing-banner" role="status">
          {t('callScreen.sharing')}
          {' · '}
          <button
            type="button"
            className="link-button"
            aria-label={t('callScreen.stopSharing')}
            onClick={media.toggleScreen}
          >
            {t('callScreen.stop')}
          </button>
        </p>
      )}
      <div className="in-call-body">
        {video ? (
          <VideoStage
            me={me}
            people={people}
            remote={media.remote}
            speaker={media.speaker}
            localStream={media.localStream}
            micMuted={media.micMuted}
            cameraOn={media.cameraOn}
            nameOf={nameOf}
          />
        ) : (
          <AudioStage
            people={people}
            speaker={media.speaker}
            nameOf={nameOf}
            time={time}
            quality={level}
          />
        )}
        {(wide || showPeople) && (
          <Participants
            api={api}
            call={call}
            me={me}
            people={people}
            nameOf={nameOf}
            id="in-call-participants"
          />
        )}
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
          {isVideoCall(call) && (
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
          )}
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
      {/* The bar lives in the shell's pinned slot; a shell without one gets it here. */}
      {slot ? createPortal(bar, slot) : bar}
    </section>
  );
}
