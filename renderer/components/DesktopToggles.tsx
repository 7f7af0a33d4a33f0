import { useTranslation } from 'react-i18next';
import type { ClientSettings } from '../../protocol/index.js';

/** The desktop app's on/off settings, in the order Settings → Desktop shows them. */
export const DESKTOP_TOGGLES = [
  'startHidden',
  'launchAtLogin',
  'clickToCall',
  'followOsDoNotDisturb',
] as const satisfies readonly (keyof ClientSettings)[];

type DesktopToggle = (typeof DESKTOP_TOGGLES)[number];

/**
 * Settings (desktop): one checkbox per toggle, each locked where IT policy fixed it. Following
 * the desktop's do-not-disturb says where it works: Windows and macOS tell apps nothing of it.
 */
export function DesktopToggles(props: {
  values: Pick<ClientSettings, DesktopToggle>;
  isLocked: (key: DesktopToggle) => boolean;
  onSave: (patch: Partial<Pick<ClientSettings, DesktopToggle>>) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      {DESKTOP_TOGGLES.map((k) => (
        <label key={k} className="check">
          <input
            type="checkbox"
            checked={props.values[k]}
            disabled={props.isLocked(k)}
            {...(k === 'followOsDoNotDisturb' ? { 'aria-describedby': 'set-os-dnd-hint' } : {})}
            onChange={(e) => {
              props.onSave({ [k]: e.target.checked });
            }}
          />
          {t(`settings.${k}`)}
        </label>
      ))}
      <p id="set-os-dnd-hint" className="hint">
        {t('settings.followOsDoNotDisturbHint')}
      </p>
    </>
  );
}
