import { useTranslation } from 'react-i18next';
import type { SoftphoneConnection } from '../../protocol/softphone.js';
import { canRetry } from '../app/reconnect.js';

/** Always visible in the header: a coloured dot and the state in words (never colour alone). */
export function ConnectionIndicator({ connection }: { connection: SoftphoneConnection }) {
  const { t } = useTranslation();
  return (
    <span className={`connection connection-${connection}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" />
      <span data-testid="connection">{t(`connection.${connection}`)}</span>
    </span>
  );
}

/**
 * Below the header while not connected: calls cannot go out, typing is kept, and "Reconnect now"
 * skips the wait between attempts.
 */
export function OfflineBanner({
  connection,
  onReconnect,
}: {
  connection: SoftphoneConnection;
  onReconnect: () => void;
}) {
  const { t } = useTranslation();
  if (connection === 'connected') return null;
  return (
    <p className="banner banner-warning offline-banner" role="alert">
      <span>{t('connection.offlineHint')}</span>
      {canRetry(connection) && (
        <button type="button" className="reconnect-now" onClick={onReconnect}>
          {t('shell.reconnectNow')}
        </button>
      )}
    </p>
  );
}
