import { useEffect } from 'react';
import type { SoftphoneApi, SoftphoneConnection } from '../../protocol/softphone.js';

/** Connection states in which a retry can help (signed out and failed need a sign-in). */
export const canRetry = (connection: SoftphoneConnection): boolean =>
  connection === 'connecting' || connection === 'reconnecting';

/**
 * While the connection is down, the browser's `online` event, the window getting focus and the
 * page becoming visible each retry at once instead of waiting out the backoff (up to 30 s): the
 * moments a person expects the app to be back.
 */
export function useRetryWhenBack(api: SoftphoneApi, connection: SoftphoneConnection): void {
  useEffect(() => {
    if (!canRetry(connection)) return;
    const retry = () => {
      void api.retryConnection({}).catch(() => undefined);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') retry();
    };
    window.addEventListener('online', retry);
    window.addEventListener('focus', retry);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('online', retry);
      window.removeEventListener('focus', retry);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [api, connection]);
}
