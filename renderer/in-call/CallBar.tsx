import * as Toggle from '@radix-ui/react-toggle';
import {
  Mic,
  MicOff,
  MonitorUp,
  Pause,
  PhoneForwarded,
  PhoneOff,
  SlidersHorizontal,
  Users,
  Video,
  VideoOff,
} from 'lucide-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** One panel the bar opens (participants on a narrow window, devices always). */
export interface BarPanel {
  open: boolean;
  toggle: () => void;
  /** The element the button controls, for aria-controls. */
  id: string;
}

export interface CallBarProps {
  micMuted: boolean;
  toggleMic: () => void;
  /** Camera and screen share exist only in video calls. */
  video?: {
    cameraOn: boolean;
    toggleCamera: () => void;
    sharing: boolean;
    toggleScreen?: () => void;
  };
  /** Present below ~760 px, where the participants list hides behind this button. */
  participants?: BarPanel;
  devices: BarPanel;
  /**
   * Hold: `mine` while this user holds the call (the button resumes it), `theirs` while another
   * participant does (only they resume: the button is disabled), `none` otherwise.
   */
  hold?: { state: 'none' | 'mine' | 'theirs'; toggle: () => void };
  /** Present in an active 1:1 call: opens the transfer panel (issue 18). */
  transfer?: BarPanel;
  hangup: () => void;
}

/**
 * The call's controls, pinned to the bottom of the window by the shell's slot: mute, camera and
 * screen share (video calls), hold, transfer, participants (narrow windows), devices, hang up. Each toggle keeps
 * one name and shows its state as a slashed icon and its pressed state, not as an accent fill.
 */
export function CallBar(props: CallBarProps) {
  const { t } = useTranslation();
  const { video, participants, devices } = props;
  return (
    <div className="call-bar" role="toolbar" aria-label={t('shell.callBar')}>
      <Toggle.Root
        className="bar-button"
        aria-label={t('callScreen.mute')}
        title={t(props.micMuted ? 'inCall.unmute' : 'inCall.mute')}
        pressed={props.micMuted}
        onPressedChange={props.toggleMic}
        data-control="mute"
      >
        {props.micMuted ? <MicOff aria-hidden="true" /> : <Mic aria-hidden="true" />}
        <span className="bar-label">{t('callScreen.mute')}</span>
      </Toggle.Root>
      {video && (
        <Toggle.Root
          className="bar-button"
          aria-label={t('callScreen.stopVideo')}
          title={t(video.cameraOn ? 'inCall.cameraOff' : 'inCall.cameraOn')}
          pressed={!video.cameraOn}
          onPressedChange={video.toggleCamera}
          data-control="camera"
        >
          {video.cameraOn ? <Video aria-hidden="true" /> : <VideoOff aria-hidden="true" />}
          <span className="bar-label">{t('callScreen.stopVideo')}</span>
        </Toggle.Root>
      )}
      {video?.toggleScreen && (
        <Toggle.Root
          className="bar-button"
          aria-label={t('callScreen.shareScreen')}
          pressed={video.sharing}
          onPressedChange={video.toggleScreen}
          data-control="share"
        >
          <MonitorUp aria-hidden="true" />
          <span className="bar-label">{t('callScreen.shareScreen')}</span>
        </Toggle.Root>
      )}
      {props.hold && (
        <Toggle.Root
          className="bar-button"
          aria-label={t('callScreen.hold')}
          title={t(props.hold.state === 'mine' ? 'callScreen.resumeCall' : 'callScreen.holdCall')}
          pressed={props.hold.state !== 'none'}
          disabled={props.hold.state === 'theirs'}
          onPressedChange={props.hold.toggle}
          data-control="hold"
        >
          <Pause aria-hidden="true" />
          <span className="bar-label">{t('callScreen.hold')}</span>
        </Toggle.Root>
      )}
      {props.transfer && (
        <PanelButton
          panel={props.transfer}
          label={t('callScreen.transfer')}
          control="transfer"
          icon={<PhoneForwarded aria-hidden="true" />}
        />
      )}
      {participants && (
        <PanelButton
          panel={participants}
          label={t('callScreen.participants')}
          control="participants"
          icon={<Users aria-hidden="true" />}
        />
      )}
      <PanelButton
        panel={devices}
        label={t('callScreen.devices')}
        control="devices"
        icon={<SlidersHorizontal aria-hidden="true" />}
      />
      <button
        type="button"
        className="bar-button hangup"
        aria-label={t('callScreen.hangup')}
        onClick={props.hangup}
        data-control="hangup"
      >
        <PhoneOff aria-hidden="true" />
        <span className="bar-label">{t('callScreen.hangup')}</span>
      </button>
    </div>
  );
}

/** A bar button that opens and closes one of the call's panels (a disclosure, not a toggle). */
function PanelButton(props: { panel: BarPanel; label: string; control: string; icon: ReactNode }) {
  return (
    <button
      type="button"
      className="bar-button"
      aria-label={props.label}
      aria-expanded={props.panel.open}
      aria-controls={props.panel.id}
      onClick={props.panel.toggle}
      data-control={props.control}
    >
      {props.icon}
      <span className="bar-label">{props.label}</span>
    </button>
  );
}
