import { PauseCircle } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { useApi } from '../app/api-context.js';
import { useNames } from '../app/names.js';
import { participantsOf } from '../call/call-view.js';

/**
 * Calls this user holds while another goes on (issue 18): a consultation for an attended
 * transfer, or a call put on hold to accept a waiting one. Each says who waits; with a 1:1 call
 * in progress it offers Complete transfer (join the two, leave both) and Cancel transfer (hang up
 * the consultation, take the held call back); with none, Resume.
 */
export function HeldCalls({
  held,
  active,
  me,
}: {
  held: readonly SoftphoneCall[];
  active: SoftphoneCall | undefined;
  me: string;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const others = held.flatMap((c) => participantsOf(c).map((p) => p.userId));
  const nameOf = useNames(api, others);
  if (held.length === 0) return null;
  const consulting = active?.state === 'active' ? active : undefined;
  const quietly = (p: Promise<unknown>) => void p.catch(() => undefined);
  return (
    <ul className="held-calls" aria-label={t('callScreen.heldCalls')}>
      {held.map((call) => {
        const names = participantsOf(call)
          .filter((p) => p.userId !== me)
          .map((p) => nameOf(p.userId))
          .join(', ');
        return (
          <li key={call.callId} className="banner hold-banner" data-call={call.callId}>
            <PauseCircle aria-hidden="true" />
            <span className="held-name">{t('callScreen.heldWaiting', { name: names })}</span>
            {consulting ? (
              <>
                <button
                  type="button"
                  onClick={() => {
                    quietly(
                      api.completeTransfer({
                        callId: call.callId,
                        consultCallId: consulting.callId,
                      }),
                    );
                  }}
                >
                  {t('callScreen.completeTransfer')}
                </button>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    quietly(
                      api
                        .hangup({ callId: consulting.callId })
                        .then(() => api.resume({ callId: call.callId })),
                    );
                  }}
                >
                  {t('callScreen.cancelTransfer')}
                </button>
              </>
            ) : (
              <button
                type="button"
                onClick={() => {
                  quietly(api.resume({ callId: call.callId }));
                }}
              >
                {t('callScreen.resume')}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
