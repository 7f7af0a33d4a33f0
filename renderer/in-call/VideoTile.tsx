import { MicOff, VideoOff } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/** Initials of a display name: "Bob Smith" → "BS", "bob" → "B". */
export const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join('') || '?';

/** What the others do with their microphone and camera, as icons with words for screen readers. */
export function StateMarks(props: { name: string; micOff: boolean; cameraOff: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      {props.micOff && (
        <span
          className="state-mark"
          data-state="mic-off"
          title={t('callScreen.micOffOf', { name: props.name })}
        >
          <MicOff aria-hidden="true" size={14} />
          <span className="visually-hidden">{t('callScreen.micOffOf', { name: props.name })}</span>
        </span>
      )}
      {props.cameraOff && (
        <span
          className="state-mark"
          data-state="camera-off"
          title={t('callScreen.cameraOffOf', { name: props.name })}
        >
          <VideoOff aria-hidden="true" size={14} />
          <span className="visually-hidden">
            {t('callScreen.cameraOffOf', { name: props.name })}
          </span>
        </span>
      )}
    </>
  );
}

/**
 * One person's video: the stage (fills the space; a screen share is shown whole, not cropped),
 * a thumbnail of another participant, or the small self-view. Without video, their initials.
 */
export function VideoTile(props: {
  userId: string;
  name: string;
  label: string;
  stream: MediaStream | undefined;
  variant: 'stage' | 'thumb' | 'self';
  screen?: boolean;
  speaking: boolean;
  micOff: boolean;
  cameraOff: boolean;
  /**
   * The server waits for this participant's connection to come back (rejoin window), or our own
   * media path to them is restarting ICE.
   */
  reconnecting?: boolean;
}) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const hasVideo =
    (props.stream?.getVideoTracks().length ?? 0) > 0 && (props.screen || !props.cameraOff);
  useEffect(() => {
    const el = video.current;
    if (!el) return;
    if (el.srcObject !== (props.stream ?? null)) el.srcObject = props.stream ?? null;
    if (props.stream) void el.play().catch(() => undefined);
  }, [props.stream, hasVideo]);
  const local = props.variant === 'self';
  return (
    <figure
      className={`tile tile-${props.variant}${props.speaking ? ' speaking' : ''}${local ? ' local' : ''}${props.screen ? ' screen' : ''}`}
      data-user={props.userId}
      data-reconnecting={props.reconnecting ? 'true' : undefined}
      data-local={local ? 'true' : undefined}
      aria-label={props.label}
    >
      {/* Video elements are always muted: audio plays through the separate audio elements. */}
      <video ref={video} autoPlay playsInline muted hidden={!hasVideo} data-user={props.userId} />
      {!hasVideo && (
        <span className="tile-avatar" aria-hidden="true">
          {initials(props.name)}
        </span>
      )}
      <figcaption>
        <span className="tile-name">{local ? t('inCall.you') : props.name}</span>
        <StateMarks
          name={local ? t('inCall.you') : props.name}
          micOff={props.micOff}
          cameraOff={props.cameraOff}
        />
        {props.reconnecting && <span className="tag">{t('inCall.peer.reconnectingTag')}</span>}
      </figcaption>
    </figure>
  );
}

/** A remote audio track, played on the chosen speaker. */
export function RemoteAudio(props: { userId: string; track: MediaStreamTrack; sinkId: string }) {
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = audio.current;
    if (!el) return;
    el.srcObject = new MediaStream([props.track]);
    void el.play().catch(() => undefined);
  }, [props.track]);
  useEffect(() => {
    audio.current?.setSinkId(props.sinkId).catch(() => undefined);
  }, [props.sinkId]);
  return <audio ref={audio} autoPlay data-user={props.userId} data-track={props.track.id} />;
}
