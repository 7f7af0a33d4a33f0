import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { RemoteTrack } from '../media/media-session.js';
import { CallQuality } from './CallQuality.js';
import { stageOf, type PersonState } from './call-screen.js';
import type { QualityLevel } from './quality.js';
import { initials, StateMarks, VideoTile } from './VideoTile.js';

const streamOf = (track: RemoteTrack | undefined): MediaStream | undefined =>
  track ? new MediaStream([track.track]) : undefined;

/**
 * A video call: one stage (a screen share, whole, or the active speaker), the other people as
 * thumbnails in a group call, and a small self-view in the stage's corner.
 */
export function VideoStage(props: {
  me: string;
  people: readonly PersonState[];
  remote: ReadonlyMap<string, readonly RemoteTrack[]>;
  speaker: string | null;
  localStream: MediaStream | undefined;
  micMuted: boolean;
  cameraOn: boolean;
  nameOf: (userId: string) => string;
}) {
  const { t } = useTranslation();
  const { people, remote, speaker, nameOf } = props;
  const stage = stageOf(people, remote, speaker);
  const stageStream = useMemo(() => streamOf(stage?.track), [stage?.track]);
  const camera = (userId: string) =>
    remote.get(userId)?.find((tr) => tr.source === 'camera' && !tr.paused);
  const thumbs = people.filter((p) => p.userId !== stage?.userId || stage.screen);
  const onStage = people.find((p) => p.userId === stage?.userId);
  return (
    <div className="stage-area">
      <div className="stage">
        {stage && onStage ? (
          <VideoTile
            variant="stage"
            userId={stage.userId}
            name={nameOf(stage.userId)}
            label={t(stage.screen ? 'callScreen.screenOf' : 'callScreen.stage', {
              name: nameOf(stage.userId),
            })}
            stream={stageStream}
            screen={stage.screen}
            speaking={speaker === stage.userId}
            micOff={onStage.micOff}
            cameraOff={onStage.cameraOff}
            reconnecting={onStage.reconnecting}
          />
        ) : (
          <div className="stage-empty" />
        )}
        <VideoTile
          variant="self"
          userId={props.me}
          name={nameOf(props.me)}
          label={t('callScreen.selfView')}
          stream={props.localStream}
          speaking={speaker === props.me}
          micOff={props.micMuted}
          cameraOff={!props.cameraOn}
        />
      </div>
      {thumbs.length > 0 && (people.length > 1 || stage?.screen) && (
        <div className="thumbs">
          {thumbs.map((p) => (
            <Thumb key={p.userId} person={p} track={camera(p.userId)} {...props} />
          ))}
        </div>
      )}
    </div>
  );
}

function Thumb(props: {
  person: PersonState;
  track: RemoteTrack | undefined;
  speaker: string | null;
  nameOf: (userId: string) => string;
}) {
  const { person, nameOf } = props;
  const stream = useMemo(() => streamOf(props.track), [props.track]);
  return (
    <VideoTile
      variant="thumb"
      userId={person.userId}
      name={nameOf(person.userId)}
      label={nameOf(person.userId)}
      stream={stream}
      speaking={props.speaker === person.userId}
      micOff={person.micOff}
      cameraOff={person.cameraOff}
      reconnecting={person.reconnecting}
    />
  );
}

/**
 * An audio call looks like a phone call: the other person's large avatar with their name, the
 * timer and the quality; in a group, everyone's avatar, the speaker ringed.
 */
export function AudioStage(props: {
  people: readonly PersonState[];
  speaker: string | null;
  nameOf: (userId: string) => string;
  time: string;
  quality: QualityLevel;
}) {
  const { t } = useTranslation();
  const { people, nameOf } = props;
  const solo = people.length === 1;
  return (
    <div className={`audio-stage${solo ? ' solo' : ''}`}>
      <ul className="audio-people">
        {people.map((p) => {
          const name = nameOf(p.userId);
          return (
            <li
              key={p.userId}
              className={`audio-person${props.speaker === p.userId ? ' speaking' : ''}`}
              data-user={p.userId}
              data-reconnecting={p.reconnecting ? 'true' : undefined}
            >
              <span className="audio-avatar" aria-hidden="true">
                {initials(name)}
              </span>
              <span className="audio-name">{name}</span>
              {name !== p.userId && <small className="audio-id">{p.userId}</small>}
              <span className="audio-marks">
                <StateMarks name={name} micOff={p.micOff} cameraOff={false} />
                {p.reconnecting && <span className="tag">{t('inCall.peer.reconnectingTag')}</span>}
              </span>
            </li>
          );
        })}
      </ul>
      <p className="audio-meta">
        <span className="timer" aria-label={t('inCall.timer')} data-testid="call-timer">
          {props.time}
        </span>
        <span aria-hidden="true"> · </span>
        <CallQuality level={props.quality} />
      </p>
    </div>
  );
}
