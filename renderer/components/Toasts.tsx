import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../app/api-context.js';
import { type Notice, onNotify } from '../app/notify.js';

interface Toast {
  id: number;
  text: string;
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
      // Known codes in the user's language; anything else with the server's own words.
      const text = i18n.exists(`errors.${code}`)
        ? t(`errors.${code}`)
        : t('app.unknownError', { message });
      setToasts((list) => [...list.slice(-3), { id, text }]);
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
  }, [api, t, i18n]);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="alert">
      {toasts.map((toast) => (
        <p key={toast.id} className="toast">
          {toast.text}
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
