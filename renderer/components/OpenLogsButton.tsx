import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../app/api-context.js';
import { desktopLogs } from '../app/desktop-shell.js';

/**
 * Settings (desktop): opens the folder of the app's logs (main opens it with shell.openPath),
 * what support asks for after a crash or a failed call. Nothing where the preload lacks it.
 */
export function OpenLogsButton() {
  const { t } = useTranslation();
  const [failed, setFailed] = useState<string>();
  const logs = desktopLogs();
  if (!logs) return null;
  return (
    <p>
      <button
        type="button"
        onClick={() => {
          setFailed(undefined);
          logs.openLogs().catch((error: unknown) => {
            setFailed(errorMessage(error));
          });
        }}
      >
        {t('settings.openLogs')}
      </button>
      {failed !== undefined && (
        <span role="alert" className="error">
          {' '}
          {failed}
        </span>
      )}
    </p>
  );
}
