import { useTranslation } from 'react-i18next';
import type { HotkeyStatus } from '../../protocol/index.js';

const ACTIONS = ['answer', 'decline', 'hangup', 'mute'] as const;

/** Settings: which hotkeys the OS refused, and on Wayland where shortcuts come from. */
export function HotkeyStatusLine({ status }: { status: HotkeyStatus | undefined }) {
  const { t } = useTranslation();
  if (!status) return null;
  const failed = ACTIONS.filter((a) => status[a].state === 'failed');
  return (
    <>
      {failed.map((a) => (
        <p key={a} className="error" role="status">
          {t('settings.hotkeyFailed', {
            name: t(`settings.hotkey.${a}`),
            accelerator: status[a].accelerator,
          })}
        </p>
      ))}
      {status.wayland && <p className="hint">{t('settings.hotkeysWayland')}</p>}
    </>
  );
}
