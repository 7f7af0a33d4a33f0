import { useTranslation } from 'react-i18next';
import type { PresenceStatus } from '../../protocol/index.js';
import { useApi } from '../app/api-context.js';
import { PresenceGlyph } from './PresenceGlyph.js';

export const STATUSES: readonly PresenceStatus[] = ['available', 'away', 'busy', 'dnd'];

/**
 * The user's status, in the header on every screen. It reads the snapshot, so a change made from
 * the tray shows here at once (and this one shows in the tray).
 */
export function StatusControl({
  status,
  disabled,
  id = 'status-control',
}: {
  status: PresenceStatus;
  disabled?: boolean;
  id?: string;
}) {
  const { t } = useTranslation();
  const api = useApi();
  return (
    <span className={`status-control status-${status}`}>
      <label htmlFor={id} className="visually-hidden">
        {t('status.label')}
      </label>
      <PresenceGlyph presence={status} />
      <select
        id={id}
        value={status}
        disabled={disabled}
        onChange={(e) => {
          const next = STATUSES.find((s) => s === e.target.value);
          if (next) void api.setStatus({ status: next }).catch(() => undefined);
        }}
      >
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`status.${s}`)}
          </option>
        ))}
      </select>
    </span>
  );
}
