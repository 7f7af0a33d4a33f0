import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../app/api-context.js';

interface Toast {
  id: number;
  text: string;
}

/** Failures the API reports on its own (a call request that failed later, a lost session...). */
export function Toasts() {
  const api = useApi();
  const { t } = useTranslation();
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    let next = 1;
    return api.on('error', ({ message }) => {
      const id = next++;
      setToasts((list) => [...list.slice(-3), { id, text: t('app.unknownError', { message }) }]);
      setTimeout(() => {
        setToasts((list) => list.filter((x) => x.id !== id));
      }, 8000);
    });
  }, [api, t]);
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
