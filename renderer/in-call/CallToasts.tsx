import { PhoneCall, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceCallState } from '../../protocol/softphone.js';
import { useApi, useSnapshot } from '../app/api-context.js';
import { useNames } from '../app/names.js';
import { placeCall } from '../app/place-call.js';
import { clock } from '../call/call-view.js';
import { endingOf, timeOfDay, type Ending } from './ending.js';

/** How long an ending notice stays (it also has a close button). */
export const CALL_TOAST_MS = 8_000;

interface Shown {
  id: number;
  callId: string;
  ending: Ending;
}

const peopleOf = (e: Ending): string[] => (e.kind === 'missed' ? [e.from] : e.who);

/**
 * A notice at every ending, worded for this side: "Missed call from Alice · 07:05 · Call back",
 * "Bob declined", "Bob is busy", "Call with Bob ended · 0:37". It goes away by itself. The shell
 * mounts it once; it watches the calls in the snapshot for the step into `ended`. A missed call
 * the shell's ended card already shows (`summaryCallId`: same words, same Call back) gets none.
 * A new call clears the notices of the calls before it.
 */
export function CallToasts({ summaryCallId }: { summaryCallId?: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const me = snapshot?.account?.userId ?? '';
  const seen = useRef(new Map<string, DeviceCallState>());
  const [shown, setShown] = useState<Shown[]>([]);
  const nextId = useRef(1);
  const nameOf = useNames(
    api,
    shown.flatMap((s) => peopleOf(s.ending)),
  );

  useEffect(() => {
    if (!snapshot) return;
    const fresh: Shown[] = [];
    const states = seen.current;
    let newCall = false;
    for (const call of snapshot.calls) {
      const previous = states.get(call.callId);
      states.set(call.callId, call.state);
      if (previous === undefined && call.state !== 'ended') newCall = true;
      if (previous === undefined || previous === 'ended' || call.state !== 'ended') continue;
      const ending = endingOf(previous, call, me);
      if (ending?.kind === 'missed' && call.callId === summaryCallId) continue;
      if (ending) fresh.push({ id: nextId.current++, callId: call.callId, ending });
    }
    // A new call (placed, ringing, or on another device) makes the endings before it old news:
    // they go, so none lies over the new call's card or controls.
    if (newCall) setShown([]);
    if (fresh.length === 0) return;
    setShown((list) => [...list.slice(-2), ...fresh]);
    for (const toast of fresh)
      setTimeout(() => {
        setShown((list) => list.filter((x) => x.id !== toast.id));
      }, CALL_TOAST_MS);
  }, [snapshot, me, summaryCallId]);

  const names = (ids: string[]) => ids.map(nameOf).join(', ');
  const textOf = (e: Ending): string => {
    if (e.kind === 'missed')
      return t('callScreen.missed', { name: nameOf(e.from), time: timeOfDay(e.at) });
    if (e.kind === 'ended')
      return t('callScreen.ended', { name: names(e.who), duration: clock(e.seconds) });
    return t(`callScreen.${e.kind}`, { name: names(e.who) });
  };
  const dismiss = (id: number) => {
    setShown((list) => list.filter((x) => x.id !== id));
  };

  return (
    <div
      className="call-toasts"
      role="status"
      aria-live="polite"
      aria-label={t('callScreen.notices')}
    >
      {shown.map(({ id, callId, ending }) => (
        <p key={id} className="call-toast" data-kind={ending.kind} data-call={callId}>
          <span className="call-toast-text">{textOf(ending)}</span>
          {ending.kind === 'missed' && (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                dismiss(id);
                void placeCall(api, [ending.from], 'audio');
              }}
            >
              <PhoneCall aria-hidden="true" size={14} />
              {t('callScreen.callBack')}
            </button>
          )}
          <button
            type="button"
            className="icon-button"
            aria-label={t('callScreen.closeNotice')}
            onClick={() => {
              dismiss(id);
            }}
          >
            <X aria-hidden="true" size={14} />
          </button>
        </p>
      ))}
    </div>
  );
}
