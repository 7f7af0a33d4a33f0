import { useTranslation } from 'react-i18next';
import type { UpdateStatus } from '../../protocol/index.js';

/** Settings (desktop): what auto-update is doing, or why it is off. */
export function UpdateStatusLine({ status }: { status: UpdateStatus | undefined }) {
  const { t } = useTranslation();
  if (!status) return null;
  const text =
    status.state === 'disabled'
      ? t(`settings.update.off.${status.reason ?? 'not-packaged'}`)
      : t(`settings.update.${status.state}`, {
          version: status.version ?? '',
          percent: status.percent ?? 0,
          error: status.error ?? '',
        });
  return (
    <p className={status.state === 'error' ? 'error' : 'hint'} role="status">
      {t('settings.update.label')}: {text}
    </p>
  );
}
