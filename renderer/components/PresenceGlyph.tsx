import { Circle, CircleMinus, Clock, Phone } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { Presence, PresenceStatus } from '../../protocol/index.js';

/** What a contact's presence shows: the chosen status, "in a call" on top of it, or offline. */
export type PresenceKey = PresenceStatus | 'inCall' | 'offline';

export function presenceKey(p: Pick<Presence, 'online' | 'status' | 'inCall'> | undefined) {
  if (!p?.online) return 'offline' as const;
  // Do-not-disturb stays visible during a call: it says more (no call will ring through).
  if (p.inCall && p.status !== 'dnd') return 'inCall' as const;
  return p.status;
}

/**
 * One glyph per presence, so it never rests on colour alone: a dot (available), a clock (away),
 * a filled dot (busy), a barred circle (do not disturb), a handset (in a call), a hollow ring
 * (offline).
 */
export function PresenceGlyph({ presence }: { presence: PresenceKey }) {
  const size = 12;
  const glyph = {
    available: <Circle size={size} fill="currentColor" strokeWidth={0} />,
    away: <Clock size={size} strokeWidth={3} />,
    busy: <Circle size={size} fill="currentColor" strokeWidth={0} />,
    dnd: <CircleMinus size={size} strokeWidth={3} />,
    inCall: <Phone size={size} fill="currentColor" strokeWidth={0} />,
    offline: <Circle size={size} strokeWidth={3} />,
  }[presence];
  return (
    <span className={`presence-glyph presence-${presence}`} aria-hidden="true">
      {glyph}
    </span>
  );
}

/** A contact's presence as a glyph and in words (the words may be visually compact). */
export function PresenceBadge({ presence }: { presence: PresenceKey }) {
  const { t } = useTranslation();
  return (
    <span className={`presence presence-${presence}`} data-presence={presence}>
      <PresenceGlyph presence={presence} />
      <span className="presence-text">{t(`presence.${presence}`)}</span>
    </span>
  );
}
