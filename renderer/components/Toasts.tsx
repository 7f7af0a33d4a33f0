import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../app/api-context.js';
import { type Notice, onNotify } from '../app/notify.js';

/** A toast keeps the failure itself, not its text: switching language re-translates it. */
interface Toast extends Notice {
  id: number;
}

/** Failures the API reports on its own (a call request that failed later, a lost session...). */
export function Toasts() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    let next = 1;
    const show = ({ code, message }: Notice) => {
      const id = next++;
      setToasts((list) => [...list.slice(-3), { id, code, message }]);
      setTimeout(() => {
        setToasts((list) => list.filter((x) => x.id !== id));
      }, 8000);
    };
    const offApi = api.on('error', show);
    const offLocal = onNotify(show);
    return () => {
      offApi();
      offLocal();
    };
  }, [api]);
  if (toasts.length === 0) return null;
  // Known codes in the user's language; anything else with the server's own words.
  const textOf = ({ code, message }: Notice): string =>
    i18n.exists(`errors.${code}`) ? t(`errors.${code}`) : t('app.unknownError', { message });
  return (
    <div className="toasts" role="alert">
      {toasts.map((toast) => (
        <p key={toast.id} className="toast" data-code={toast.code}>
          {textOf(toast)}
          <button
            type="button"
            className="icon-button"
            aria-label={t('app.dismiss')}
            onClick={() => {
              setToasts((list) => list.filter((x) => x.id !== toast.id));
            }}
          >
            ×
          </button>
        </p>
      ))}
    </div>
  );
}
