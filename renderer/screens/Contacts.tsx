import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Presence } from '../../protocol/index.js';
import type { DirectoryEntry } from '../../protocol/softphone.js';
import { errorMessage, useApi, useSnapshot } from '../app/api-context.js';
import { useDraft } from '../app/drafts.js';
import { rememberName } from '../app/names.js';
import { placeCall } from '../app/place-call.js';
import { useSettings } from '../app/settings.js';
import { Icon } from '../components/Icon.js';
import { PresenceBadge } from '../components/StatusControl.js';

const SEARCH_DELAY_MS = 250;

/** Favourites first, then directory results; live presence; call audio or video from a row. */
export function Contacts() {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const { view, update, isLocked } = useSettings();
  const [query, setQuery] = useDraft('contacts.query');
  const [results, setResults] = useState<DirectoryEntry[]>([]);
  const [searchError, setSearchError] = useState<string>();
  const favourites = useMemo(() => view?.settings.favourites ?? [], [view]);
  const me = snapshot?.account?.userId;
  const connected = snapshot?.connection === 'connected';

  useEffect(() => {
    if (!connected) return;
    let live = true;
    const timer = setTimeout(() => {
      api.searchDirectory({ query: query.trim(), limit: 50 }).then(
        (entries) => {
          if (!live) return;
          for (const e of entries) rememberName(e.userId, e.displayName);
          setResults(entries.filter((e) => e.userId !== me));
          setSearchError(undefined);
        },
        (error: unknown) => {
          if (live) setSearchError(errorMessage(error));
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, query, me, connected]);

  const names = useMemo(() => new Map(results.map((r) => [r.userId, r.displayName])), [results]);
  const watched = useMemo(
    () => [...new Set([...favourites, ...results.map((r) => r.userId)])].slice(0, 500),
    [favourites, results],
  );
  useEffect(() => {
    if (connected && watched.length > 0)
      void api.watchPresence({ userIds: watched }).catch(() => undefined);
  }, [api, watched, connected]);

  const presence = useMemo(
    () => new Map<string, Presence>((snapshot?.presence ?? []).map((p) => [p.userId, p])),
    [snapshot?.presence],
  );
  const toggleFavourite = (userId: string) => {
    const next = favourites.includes(userId)
      ? favourites.filter((f) => f !== userId)
      : [...favourites, userId];
    void update({ favourites: next }).catch(() => undefined);
  };
  const others = results.filter((r) => !favourites.includes(r.userId));

  const row = (userId: string) => {
    const name = names.get(userId) ?? userId;
    const p = presence.get(userId);
    const fav = favourites.includes(userId);
    return (
      <li key={userId} className="contact-row" data-user={userId}>
        <span className="avatar" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </span>
        <span className="contact-name">
          <strong>{name}</strong>
          {name !== userId && <small>{userId}</small>}
        </span>
        <PresenceBadge online={p?.online ?? false} status={p?.status ?? 'available'} />
        <span className="row-actions">
          <button
            type="button"
            className="icon-button"
            aria-pressed={fav}
            disabled={isLocked('favourites')}
            aria-label={t(fav ? 'contacts.removeFavourite' : 'contacts.addFavourite', { name })}
            title={t(fav ? 'contacts.removeFavourite' : 'contacts.addFavourite', { name })}
            onClick={() => {
              toggleFavourite(userId);
            }}
          >
            <Icon name="star" filled={fav} />
          </button>
          <button
            type="button"
            className="icon-button call-audio"
            disabled={!connected}
            aria-label={t('contacts.callAudio', { name })}
            title={t('contacts.callAudio', { name })}
            onClick={() => void placeCall(api, [userId], 'audio')}
          >
            <Icon name="phone" />
          </button>
          <button
            type="button"
            className="icon-button call-video"
            disabled={!connected}
            aria-label={t('contacts.callVideo', { name })}
            title={t('contacts.callVideo', { name })}
            onClick={() => void placeCall(api, [userId], 'video')}
          >
            <Icon name="video" />
          </button>
        </span>
      </li>
    );
  };

  return (
    <section aria-labelledby="contacts-title" className="screen">
      <h2 id="contacts-title">{t('contacts.title')}</h2>
      <label htmlFor="contacts-search" className="visually-hidden">
        {t('contacts.search')}
      </label>
      <input
        id="contacts-search"
        type="search"
        placeholder={t('contacts.searchHint')}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
        }}
      />
      {searchError && (
        <p className="hint" role="status">
          {t('contacts.searchFailed', { message: searchError })}
        </p>
      )}
      <h3>{t('contacts.favourites')}</h3>
      {favourites.length === 0 ? (
        <p className="hint">{t('contacts.empty')}</p>
      ) : (
        <ul className="contact-list" aria-label={t('contacts.favourites')}>
          {favourites.map(row)}
        </ul>
      )}
      <h3>{t('contacts.results')}</h3>
      {others.length === 0 ? (
        <p className="hint">{t('contacts.noResults')}</p>
      ) : (
        <ul className="contact-list" aria-label={t('contacts.results')}>
          {others.map((r) => row(r.userId))}
        </ul>
      )}
    </section>
  );
}
