import { useTranslation } from 'react-i18next';
import type { SoftphoneCall, SoftphonePeer } from '../../protocol/softphone.js';

/** The peers worth a line: reconnecting now, or gone because their connection was lost. */
export function connectionNotices(call: SoftphoneCall): SoftphonePeer[] {
  return (call.peers ?? []).filter(
    (p) =>
      p.connection === 'reconnecting' ||
      (p.connection === 'left' && p.leftReason === 'connection-lost'),
  );
}

/**
 * What the server said about the others' connections, in words: "X's connection dropped,
 * reconnecting…" during the rejoin window, "X left" once it ran out. The call header and the
 * ended-call summary show it; core keeps the state, this only names it.
 */
export function PeerNotices({
  call,
  nameOf = (id) => id,
}: {
  call: SoftphoneCall;
  /** Display names (the id until known). */
  nameOf?: (userId: string) => string;
}) {
  const { t } = useTranslation();
  const notices = connectionNotices(call);
  if (notices.length === 0) return null;
  return (
    <ul className="peer-notices" role="status" aria-live="polite">
      {notices.map((p) => (
        <li key={p.userId} data-user={p.userId} data-connection={p.connection}>
          {p.connection === 'reconnecting'
            ? t('inCall.peer.reconnecting', { name: nameOf(p.userId) })
            : t('inCall.peer.left', { name: nameOf(p.userId) })}
        </li>
      ))}
    </ul>
  );
}
