import { useTranslation } from 'react-i18next';
import type { SoftphoneConnection } from '../../protocol/softphone.js';
import { useNow } from '../agent/use-now.js';
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
 * Below the header while not connected: calls cannot go out, typing is kept, when the next
 * attempt is due, and "Reconnect now" skips the wait. `data-next-attempt-at` carries that time
 * exactly (epoch ms), the words round it to seconds.
 */
export function OfflineBanner({
  connection,
  nextAttemptAt,
  onReconnect,
}: {
  connection: SoftphoneConnection;
  nextAttemptAt: number | undefined;
  onReconnect: () => void;
}) {
  const { t } = useTranslation();
  const now = useNow(connection !== 'connected' && nextAttemptAt !== undefined, 1000);
  if (connection === 'connected') return null;
  const waiting = canRetry(connection) && nextAttemptAt !== undefined;
  const seconds = waiting ? Math.max(0, Math.ceil((nextAttemptAt - now) / 1000)) : 0;
  return (
    <p
      className="banner banner-warning offline-banner"
      role="alert"
      data-next-attempt-at={waiting ? nextAttemptAt : undefined}
    >
      <span>{t('connection.offlineHint')}</span>
      {waiting && seconds > 0 && (
        <span className="next-attempt">{t('shell.nextAttemptIn', { seconds })}</span>
      )}
      {canRetry(connection) && (
        <button type="button" className="reconnect-now" onClick={onReconnect}>
          {t('shell.reconnectNow')}
        </button>
      )}
    </p>
  );
}
