import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Ellipsis, UserMinus } from 'lucide-react';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SoftphoneApi, SoftphoneCall } from '../../protocol/softphone.js';
import { parseTargets, participantsOf, pendingLegs } from '../call/call-view.js';
import { LegList } from '../screens/Outgoing.js';
import { canModerate, moderatorOf, type PersonState } from './call-screen.js';
import { StateMarks } from './VideoTile.js';

const MEDIA_KINDS = ['audio', 'video'] as const;

/** The moderator's per-kind menu items (literal keys, so i18n extraction finds them). */
const MUTE_LABELS = {
  audio: { mute: 'inCall.muteAudioOf', unmute: 'inCall.unmuteAudioOf' },
  video: { mute: 'inCall.muteVideoOf', unmute: 'inCall.unmuteVideoOf' },
} as const;

/**
 * Who is in the call (by name, the id below), what their microphone and camera do, who is still
 * being rung; in a group call the moderator has a "…" menu per person (mute audio/video, remove)
 * and End for all. Anyone may add participants.
 */
export function Participants({
  api,
  call,
  me,
  people,
  nameOf,
  id,
}: {
  api: SoftphoneApi;
  call: SoftphoneCall;
  me: string;
  people: readonly PersonState[];
  nameOf: (userId: string) => string;
  id: string;
}) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string>();
  const moderates = canModerate(call, me);
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
  const stateOf = new Map(people.map((p) => [p.userId, p]));
  return (
    <aside id={id} className="participants" aria-labelledby="participants-title">
      <h3 id="participants-title">{t('inCall.participants')}</h3>
      <ul>
        {participantsOf(call).map((p) => {
          const name = nameOf(p.userId);
          const state = stateOf.get(p.userId);
          return (
            <li key={p.userId} data-user={p.userId}>
              <span className="participant-name">
                <strong>{p.userId === me ? `${name} (${t('inCall.you')})` : name}</strong>
                {name !== p.userId && <small>{p.userId}</small>}
              </span>
              <span className="participant-state">
                {moderatorOf(call) === p.userId && (
                  <span className="tag">{t('inCall.moderator')}</span>
                )}
                {state && (
                  <StateMarks name={name} micOff={state.micOff} cameraOff={state.cameraOff} />
                )}
                {state?.reconnecting && (
                  <span className="tag">{t('inCall.peer.reconnectingTag')}</span>
                )}
              </span>
              {moderates && p.userId !== me && (
                <DropdownMenu.Root modal={false}>
                  <DropdownMenu.Trigger asChild>
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={t('callScreen.actionsFor', { name })}
                      data-testid="moderator-menu"
                    >
                      <Ellipsis aria-hidden="true" size={18} />
                    </button>
                  </DropdownMenu.Trigger>
                  <DropdownMenu.Portal>
                    <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
                      {MEDIA_KINDS.map((kind) => (
                        <DropdownMenu.Item
                          key={kind}
                          className="menu-item"
                          onSelect={() => {
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
                            name,
                          })}
                        </DropdownMenu.Item>
                      ))}
                      <DropdownMenu.Separator className="menu-separator" />
                      <DropdownMenu.Item
                        className="menu-item danger"
                        onSelect={() => {
                          run(api.control({ callId, action: 'remove', target: p.userId }));
                        }}
                      >
                        <UserMinus aria-hidden="true" size={16} />
                        {t('inCall.remove', { name })}
                      </DropdownMenu.Item>
                    </DropdownMenu.Content>
                  </DropdownMenu.Portal>
                </DropdownMenu.Root>
              )}
            </li>
          );
        })}
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
      {moderates && (
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
