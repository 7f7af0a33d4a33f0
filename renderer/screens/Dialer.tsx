import { useEffect, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaKind } from '../../protocol/index.js';
import type { DirectoryEntry } from '../../protocol/softphone.js';
import { useApi, useSnapshot } from '../app/api-context.js';
import { useDraft } from '../app/drafts.js';
import { isUnknown, rememberName, useNames } from '../app/names.js';
import { placeCall } from '../app/place-call.js';
import { callBackTargets, dialTargetFromLink, parseTargets } from '../call/call-view.js';

const SUGGEST_DELAY_MS = 200;
const RECENT = 5;

/** The last word typed (the target being written), and the text before it. */
function lastToken(text: string): { head: string; token: string } {
  const match = /^(.*[\s,;])?([^\s,;]*)$/s.exec(text);
  return { head: match?.[1] ?? '', token: match?.[2] ?? '' };
}

/**
 * Dial one or more user ids: directory suggestions for the id being typed, recent calls, and
 * validation in words. A click-to-call link (snapshot.dialRequest) lands here pre-filled; the
 * text is a draft outside the connection's life, so a reconnect never loses it.
 */
export function Dialer() {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const [text, setText] = useDraft('dialer.text');
  const [media, setMedia] = useState<MediaKind>('audio');
  const [fromLink, setFromLink] = useState(false);
  const [tried, setTried] = useState(false);
  const [suggestions, setSuggestions] = useState<DirectoryEntry[]>([]);
  const [recent, setRecent] = useState<string[]>([]);
  const request = snapshot?.dialRequest;
  const connected = snapshot?.connection === 'connected';
  const me = snapshot?.account?.userId ?? '';

  useEffect(() => {
    if (!request) return;
    setText(dialTargetFromLink(request.target));
    setMedia(request.media);
    setFromLink(true);
    void api.clearDialRequest({}).catch(() => undefined);
  }, [request, api, setText]);

  const { token } = lastToken(text);
  useEffect(() => {
    const query = token.trim();
    if (!connected || query.length === 0 || query.startsWith('queue:')) {
      setSuggestions([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api.searchDirectory({ query, limit: 5 }).then(
        (entries) => {
          if (!live) return;
          for (const e of entries) rememberName(e.userId, e.displayName);
          setSuggestions(entries.filter((e) => e.userId !== me && e.userId !== query));
        },
        () => {
          if (live) setSuggestions([]);
        },
      );
    }, SUGGEST_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, token, connected, me]);

  useEffect(() => {
    if (!connected) return;
    let live = true;
    api.history({ limit: 20 }).then(
      (page) => {
        if (!live) return;
        const ids = [...new Set(page.records.flatMap((r) => callBackTargets(r, me)))];
        setRecent(ids.slice(0, RECENT));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, connected, me]);

  const { valid, invalid } = parseTargets(text);
  const name = useNames(api, [...valid.filter((id) => !id.startsWith('queue:')), ...recent]);
  // The id still being typed is no error while the directory suggests people for it.
  const stillTyping = (id: string) => id === token.trim() && suggestions.length > 0;
  const unknown = valid.filter(
    (id) => !id.startsWith('queue:') && isUnknown(id) && !stillTyping(id),
  );
  const submit = (kind: MediaKind) => (e?: SyntheticEvent) => {
    e?.preventDefault();
    setTried(true);
    if (valid.length === 0 || invalid.length > 0) return;
    void placeCall(api, valid, kind).then((callId) => {
      if (callId) {
        setText('');
        setFromLink(false);
        setTried(false);
      }
    });
  };
  const pick = (userId: string) => {
    setText(`${lastToken(text).head}${userId}`);
    setSuggestions([]);
    document.getElementById('dialer-target')?.focus();
  };
  const blocked = !connected || valid.length === 0 || invalid.length > 0;
  const errorId = invalid.length > 0 || (tried && valid.length === 0) ? 'dialer-error' : '';

  return (
    <section aria-labelledby="dialer-title" className="screen">
      <h2 id="dialer-title">{t('dialer.title')}</h2>
      <form className="dialer" onSubmit={submit(media)}>
        {fromLink && (
          <p className="banner" role="status">
            {t('dialer.fromLink')}
          </p>
        )}
        <label htmlFor="dialer-target">{t('dialer.target')}</label>
        <input
          id="dialer-target"
          name="target"
          autoComplete="off"
          value={text}
          aria-describedby={`dialer-hint ${errorId}`.trim()}
          aria-invalid={errorId !== ''}
          aria-controls={suggestions.length > 0 ? 'dialer-suggestions' : undefined}
          onChange={(e) => {
            setText(e.target.value);
          }}
        />
        <small id="dialer-hint" className="hint">
          {t('dialer.targetHint')}
        </small>
        {suggestions.length > 0 && (
          <ul id="dialer-suggestions" className="suggestions" aria-label={t('shell.suggestions')}>
            {suggestions.map((s) => (
              <li key={s.userId}>
                <button
                  type="button"
                  className="suggestion"
                  data-suggestion={s.userId}
                  onClick={() => {
                    pick(s.userId);
                  }}
                >
                  <strong>{s.displayName}</strong> <small>{s.userId}</small>
                </button>
              </li>
            ))}
          </ul>
        )}
        {errorId && (
          <p id="dialer-error" className="error" role="alert">
            {invalid.length > 0
              ? t('dialer.invalid', { value: invalid.join(', ') })
              : t('shell.needTarget')}
          </p>
        )}
        {unknown.length > 0 && invalid.length === 0 && (
          <p className="hint" role="status" data-testid="dialer-unknown">
            {t('shell.unknownTarget', { value: unknown.join(', ') })}
          </p>
        )}
        <div className="button-row">
          <button
            type="button"
            className="primary"
            disabled={blocked}
            onClick={() => {
              submit('audio')();
            }}
          >
            {t('dialer.audio')}
          </button>
          <button
            type="button"
            className="primary"
            disabled={blocked}
            onClick={() => {
              submit('video')();
            }}
          >
            {t('dialer.video')}
          </button>
          <button
            type="button"
            onClick={() => {
              setText('');
              setFromLink(false);
              setTried(false);
            }}
          >
            {t('dialer.clear')}
          </button>
        </div>
      </form>
      {recent.length > 0 && (
        <>
          <h3 id="dialer-recent">{t('shell.recent')}</h3>
          <ul className="recent-list" aria-labelledby="dialer-recent">
            {recent.map((id) => (
              <li key={id}>
                <button
                  type="button"
                  className="suggestion"
                  data-recent={id}
                  onClick={() => {
                    setText(id);
                    document.getElementById('dialer-target')?.focus();
                  }}
                >
                  <strong>{name(id)}</strong> {name(id) !== id && <small>{id}</small>}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
