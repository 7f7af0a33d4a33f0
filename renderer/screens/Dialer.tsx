import { useEffect, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaKind } from '../../protocol/index.js';
import { useApi, useSnapshot } from '../app/api-context.js';
import { useDraft } from '../app/drafts.js';
import { placeCall } from '../app/place-call.js';
import { dialTargetFromLink, parseTargets } from '../call/call-view.js';

/**
 * Dial one or more user ids. A click-to-call link (snapshot.dialRequest) lands here pre-filled;
 * the text is a draft outside the connection's life, so a reconnect never loses it.
 */
export function Dialer() {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const [text, setText] = useDraft('dialer.text');
  const [media, setMedia] = useState<MediaKind>('audio');
  const [fromLink, setFromLink] = useState(false);
  const request = snapshot?.dialRequest;

  useEffect(() => {
    if (!request) return;
    setText(dialTargetFromLink(request.target));
    setMedia(request.media);
    setFromLink(true);
    void api.clearDialRequest({}).catch(() => undefined);
  }, [request, api, setText]);

  const { valid, invalid } = parseTargets(text);
  const connected = snapshot?.connection === 'connected';
  const submit = (kind: MediaKind) => (e?: SyntheticEvent) => {
    e?.preventDefault();
    if (valid.length === 0 || invalid.length > 0) return;
    void placeCall(api, valid, kind).then((callId) => {
      if (callId) {
        setText('');
        setFromLink(false);
      }
    });
  };

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
          aria-describedby="dialer-hint"
          aria-invalid={invalid.length > 0}
          onChange={(e) => {
            setText(e.target.value);
          }}
        />
        <small id="dialer-hint" className="hint">
          {t('dialer.targetHint')}
        </small>
        {invalid.length > 0 && (
          <p className="error" role="alert">
            {t('dialer.invalid', { value: invalid.join(', ') })}
          </p>
        )}
        <div className="button-row">
          <button
            type="button"
            className="primary"
            disabled={!connected || valid.length === 0 || invalid.length > 0}
            onClick={() => {
              submit('audio')();
            }}
          >
            {t('dialer.audio')}
          </button>
          <button
            type="button"
            className="primary"
            disabled={!connected || valid.length === 0 || invalid.length > 0}
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
            }}
          >
            {t('dialer.clear')}
          </button>
        </div>
      </form>
    </section>
  );
}
