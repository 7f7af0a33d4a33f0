import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/** One person in the grid: their video (or initial), name, speaking and muted marks. */
export function VideoTile(props: {
  userId: string;
  label: string;
  stream: MediaStream | undefined;
  local?: boolean;
  speaking: boolean;
  audioMuted: boolean;
  videoMuted: boolean;
  /** The server waits for this participant's connection to come back (rejoin window). */
  reconnecting?: boolean;
}) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const hasVideo = (props.stream?.getVideoTracks().length ?? 0) > 0 && !props.videoMuted;
  useEffect(() => {
    const el = video.current;
    if (!el) return;
    if (el.srcObject !== (props.stream ?? null)) el.srcObject = props.stream ?? null;
    if (props.stream) void el.play().catch(() => undefined);
  }, [props.stream, hasVideo]);
  return (
    <figure
      className={`tile${props.speaking ? ' speaking' : ''}${props.local ? ' local' : ''}`}
      data-user={props.userId}
      data-reconnecting={props.reconnecting ? 'true' : undefined}
      data-local={props.local ? 'true' : undefined}
      aria-label={props.label}
    >
      {/* Video elements are always muted: audio plays through the separate audio elements. */}
      <video ref={video} autoPlay playsInline muted hidden={!hasVideo} data-user={props.userId} />
      {!hasVideo && (
        <span className="tile-avatar" aria-hidden="true">
          {props.label.slice(0, 1).toUpperCase()}
        </span>
      )}
      <figcaption>
        {props.label}
        {props.speaking && <span className="tag">{t('inCall.speaking')}</span>}
        {props.audioMuted && <span className="tag">{t('inCall.mutedAudio')}</span>}
        {props.videoMuted && <span className="tag">{t('inCall.mutedVideo')}</span>}
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
