import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Presence } from '../../protocol/index.js';
import type { DirectoryEntry } from '../../protocol/softphone.js';
import { errorMessage, useApi, useSnapshot } from '../app/api-context.js';
import { useDraft } from '../app/drafts.js';
import { rememberName, useNames } from '../app/names.js';
import { placeCall } from '../app/place-call.js';
import { useSettings } from '../app/settings.js';
import { ContactRow } from '../components/ContactRow.js';
import { presenceKey } from '../components/PresenceGlyph.js';

const SEARCH_DELAY_MS = 250;

/**
 * The last directory answer, kept for the page's life: while the connection is down (or the
 * screen is shown again) the list stays, greyed, instead of emptying to "Nobody found".
 */
let lastResults: DirectoryEntry[] = [];

/** Favourites first, then directory results; live presence; call audio or video from a row. */
export function Contacts() {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const { view, update, isLocked } = useSettings();
  const [query, setQuery] = useDraft('contacts.query');
  const [results, setResults] = useState<DirectoryEntry[]>(lastResults);
  const [searchError, setSearchError] = useState<string>();
  const favourites = useMemo(() => view?.settings.favourites ?? [], [view]);
  const me = snapshot?.account?.userId;
  const connected = snapshot?.connection === 'connected';
  const names = useNames(api, favourites);

  useEffect(() => {
    if (!connected) return;
    let live = true;
    const timer = setTimeout(() => {
      api.searchDirectory({ query: query.trim(), limit: 50 }).then(
        (entries) => {
          if (!live) return;
          for (const e of entries) rememberName(e.userId, e.displayName);
          lastResults = entries.filter((e) => e.userId !== me);
          setResults(lastResults);
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
  const listClass = connected ? 'contact-list' : 'contact-list stale';

  const row = (userId: string) => (
    <ContactRow
      key={userId}
      userId={userId}
      name={names(userId)}
      // Offline, the last presence seen is not news: show nobody as available.
      presence={connected ? presenceKey(presence.get(userId)) : 'offline'}
      favourite={favourites.includes(userId)}
      favouriteLocked={isLocked('favourites')}
      canCall={connected}
      onCall={(media) => void placeCall(api, [userId], media)}
      onToggleFavourite={() => {
        toggleFavourite(userId);
      }}
    />
  );

  return (
    <section aria-labelledby="contacts-title" className="screen contacts">
      <h2 id="contacts-title" className="visually-hidden">
        {t('contacts.title')}
      </h2>
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
      {searchError && connected && (
        <p className="hint" role="status">
          {t('contacts.searchFailed', { message: searchError })}
        </p>
      )}
      {!connected && (
        <p className="hint stale-hint" data-testid="stale-list">
          {t('shell.staleList')}
        </p>
      )}
      <h3>{t('contacts.favourites')}</h3>
      {favourites.length === 0 ? (
        <p className="hint">{t('contacts.empty')}</p>
      ) : (
        <ul className={listClass} aria-label={t('contacts.favourites')}>
          {favourites.map(row)}
        </ul>
      )}
      <h3>{t('contacts.results')}</h3>
      {others.length === 0 ? (
        connected && <p className="hint">{t('contacts.noResults')}</p>
      ) : (
        <ul className={listClass} aria-label={t('contacts.results')}>
          {others.map((r) => row(r.userId))}
        </ul>
      )}
    </section>
  );
}
