import { useTranslation } from 'react-i18next';
import type { QualityLevel } from './quality.js';

/**
 * The call's connection quality as a coloured dot and a word (never colour alone). Shown once
 * per call: in the header of a video call, beside the timer under the avatar of an audio call.
 */
export function CallQuality({ level }: { level: QualityLevel }) {
  const { t } = useTranslation();
  return (
    <span
      className={`quality quality-${level}`}
      role="status"
      aria-label={t('inCall.quality.label')}
      data-quality={level}
    >
      <span className="dot" aria-hidden="true" />
      {t(`inCall.quality.${level}`)}
    </span>
  );
}
