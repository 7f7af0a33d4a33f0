import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SoftphoneApi, SoftphoneCall } from '../../protocol/softphone.js';
import { parseTargets, participantsOf, pendingLegs } from '../call/call-view.js';
import { LegList } from '../screens/Outgoing.js';

const MEDIA_KINDS = ['audio', 'video'] as const;

/** The moderator's per-kind button labels (literal keys, so i18n extraction finds them). */
const MUTE_LABELS = {
  audio: { mute: 'inCall.muteAudioOf', unmute: 'inCall.unmuteAudioOf' },
  video: { mute: 'inCall.muteVideoOf', unmute: 'inCall.unmuteVideoOf' },
} as const;

/**
 * Who is in the call, who is still being rung, and (for the moderator) mute audio/video, remove,
 * end for all. Anyone may add participants.
 */
export function Participants({
  api,
  call,
  me,
}: {
  api: SoftphoneApi;
  call: SoftphoneCall;
  me: string;
}) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string>();
  const info = call.info;
  const moderator = info?.moderatorId === me;
  const callId = call.callId;
  const run = (p: Promise<unknown>) => {
    p.then(
      () => {
        setError(undefined);
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  };
  const add = (e: SyntheticEvent) => {
    e.preventDefault();
    const { valid } = parseTargets(adding);
    if (valid.length === 0) return;
    run(api.addParticipants({ callId, userIds: valid }));
    setAdding('');
  };
  const pending = pendingLegs(call);
  return (
    <aside className="participants" aria-labelledby="participants-title">
      <h3 id="participants-title">{t('inCall.participants')}</h3>
      <ul>
        {participantsOf(call).map((p) => (
          <li key={p.userId} data-user={p.userId}>
            <span className="participant-name">
              {p.userId === me ? `${p.userId} (${t('inCall.you')})` : p.userId}
              {info?.moderatorId === p.userId && (
                <span className="tag">{t('inCall.moderator')}</span>
              )}
              {p.muted.audio && <span className="tag">{t('inCall.mutedAudio')}</span>}
              {p.muted.video && <span className="tag">{t('inCall.mutedVideo')}</span>}
              {call.peers?.some(
                (x) => x.userId === p.userId && x.connection === 'reconnecting',
              ) && <span className="tag">{t('inCall.peer.reconnectingTag')}</span>}
            </span>
            {moderator && p.userId !== me && (
              <span className="row-actions">
                {MEDIA_KINDS.map((kind) => (
                  <button
                    key={kind}
                    type="button"
                    aria-pressed={p.muted[kind]}
                    onClick={() => {
                      run(
                        api.control({
                          callId,
                          action: p.muted[kind] ? 'unmute' : 'mute',
                          target: p.userId,
                          kind,
                        }),
                      );
                    }}
                  >
                    {t(p.muted[kind] ? MUTE_LABELS[kind].unmute : MUTE_LABELS[kind].mute, {
                      name: p.userId,
                    })}
                  </button>
                ))}
                <button
                  type="button"
                  className="danger"
                  onClick={() => {
                    run(api.control({ callId, action: 'remove', target: p.userId }));
                  }}
                >
                  {t('inCall.remove', { name: p.userId })}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {pending.length > 0 && <LegList legs={pending} />}
      <form className="add-participant" onSubmit={add}>
        <label htmlFor="add-participant">{t('inCall.addTarget')}</label>
        <input
          id="add-participant"
          value={adding}
          autoComplete="off"
          onChange={(e) => {
            setAdding(e.target.value);
          }}
        />
        <button type="submit">{t('inCall.addSubmit')}</button>
      </form>
      {moderator && (
        <button
          type="button"
          className="danger"
          onClick={() => {
            run(api.control({ callId, action: 'end' }));
          }}
        >
          {t('inCall.endForAll')}
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </aside>
  );
}
