import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../i18n/index.js';
import { useSettings } from '../app/settings.js';

/** Switches the language at run time, and keeps it in the settings when they can be saved. */
export function LanguagePicker({
  id = 'language-picker',
  labelHidden = false,
}: {
  id?: string;
  /** Where a heading already says "Language" (Settings), the label is for screen readers only. */
  labelHidden?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { update, isLocked } = useSettings();
  const change = (value: string) => {
    const lng = LANGUAGES.find((l) => l === value);
    if (!lng) return;
    void i18next.changeLanguage(lng);
    update({ language: lng }).catch(() => undefined);
  };
  return (
    <span className="language-picker">
      <label htmlFor={id} className={labelHidden ? 'visually-hidden' : undefined}>
        {t('settings.language')}
      </label>
      <select
        id={id}
        value={i18n.language}
        disabled={isLocked('language')}
        onChange={(e) => {
          change(e.target.value);
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l}>
            {t(`settings.languages.${l}`)}
          </option>
        ))}
      </select>
    </span>
  );
}
