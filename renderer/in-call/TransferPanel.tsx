import { PhoneForwarded } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DirectoryEntry, SoftphoneApi, SoftphoneCall } from '../../protocol/softphone.js';

/** Typing settles for this long before the directory is asked (as the contacts search does). */
const SEARCH_DELAY_MS = 200;

/**
 * Transfer (issue 18): pick the target from the directory (search by name or id), then Transfer
 * (blind: the call moves to them at once and this user leaves it; if they do not answer, the call
 * rings this user back) or Consult (attended: this call goes on hold and the target is called;
 * the held call's strip, HeldCalls, then completes or cancels). Nobody in the call is offered.
 */
export function TransferPanel({
  api,
  call,
  exclude,
  id,
  onDone,
}: {
  api: SoftphoneApi;
  call: SoftphoneCall;
  /** This user and the party being transferred. */
  exclude: readonly string[];
  id: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<DirectoryEntry[]>([]);
  const [error, setError] = useState<string>();
  // `exclude` is a fresh array each render: its members are what the search depends on.
  const excluded = exclude.join(' ');
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.searchDirectory({ query: query.trim(), limit: 20 }).then(
        (entries) => {
          if (live) setResults(entries.filter((e) => !excluded.split(' ').includes(e.userId)));
        },
        (e: unknown) => {
          if (live) setError(e instanceof Error ? e.message : String(e));
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, query, excluded]);
  const transfer = (target: string) => {
    api.transfer({ callId: call.callId, target }).then(onDone, (e: unknown) => {
      setError(e instanceof Error ? e.message : String(e));
    });
  };
  // Attended: hold this call, call the target; the held call's strip then offers Complete.
  const consult = (target: string) => {
    api
      .hold({ callId: call.callId })
      .then(() => api.call({ callees: [target], media: 'audio' }))
      .then(onDone, (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
      });
  };
  return (
    <div id={id} className="transfer card" role="region" aria-label={t('callScreen.transferTo')}>
      <label htmlFor={`${id}-search`}>{t('callScreen.transferTo')}</label>
      <input
        id={`${id}-search`}
        type="search"
        value={query}
        placeholder={t('callScreen.transferSearch')}
        onChange={(e) => {
          setQuery(e.target.value);
        }}
      />
      <ul className="transfer-targets">
        {results.map((r) => (
          <li key={r.userId} data-user={r.userId}>
            <span className="transfer-name">
              {r.displayName} <span className="hint">{r.userId}</span>
            </span>
            <button
              type="button"
              className="link-button"
              aria-label={t('callScreen.consultName', { name: r.displayName })}
              onClick={() => {
                consult(r.userId);
              }}
            >
              {t('callScreen.consult')}
            </button>
            <button
              type="button"
              aria-label={t('callScreen.transferToName', { name: r.displayName })}
              onClick={() => {
                transfer(r.userId);
              }}
            >
              <PhoneForwarded aria-hidden="true" size={16} />
              {t('callScreen.transfer')}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * What a blind transfer means for the one who rings or waits (issue 18): the target sees who
 * transferred the call; a transferor rung back sees that the target did not answer; the party
 * being transferred sees whom they are being transferred to. Nothing for anyone else.
 */
export function transferNote(
  call: SoftphoneCall,
  me: string,
): { key: 'transferredBy' | 'transferReturned' | 'transferRinging'; about: string } | undefined {
  const transfer = call.info?.transfer;
  if (!transfer) return undefined;
  if (transfer.state === 'ringing' && transfer.target === me)
    return { key: 'transferredBy', about: transfer.by };
  if (transfer.state === 'returning' && transfer.by === me)
    return { key: 'transferReturned', about: transfer.target };
  if (transfer.state === 'ringing' && transfer.party === me)
    return { key: 'transferRinging', about: transfer.target };
  return undefined;
}

/** The caller a ringing transfer shows: the party transferred, not who placed the call. */
export const transferParty = (call: SoftphoneCall, me: string): string | undefined => {
  const note = transferNote(call, me);
  return note && note.key !== 'transferRinging' ? call.info?.transfer?.party : undefined;
};

export function TransferNote({
  call,
  me,
  nameOf,
}: {
  call: SoftphoneCall;
  me: string;
  nameOf: (userId: string) => string;
}) {
  const { t } = useTranslation();
  const note = transferNote(call, me);
  if (!note) return null;
  return (
    <p className="hint transfer-note" role="status" data-transfer={note.key}>
      {t(`callScreen.${note.key}`, { name: nameOf(note.about) })}
    </p>
  );
}
