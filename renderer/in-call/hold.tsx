import { PauseCircle } from 'lucide-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { SoftphoneApi, SoftphoneCall } from '../../protocol/softphone.js';
import { play } from '../call/sounds.js';

/** Who holds the call, from this user's side: the server's `hold` (issue 18) read for `me`. */
export interface HoldView {
  state: 'none' | 'mine' | 'theirs';
  /** The participant who holds the call. */
  holder: string | undefined;
}

export function holdView(call: SoftphoneCall, me: string): HoldView {
  const by = call.info?.hold?.by;
  if (by === undefined) return { state: 'none', holder: undefined };
  return { state: by === me ? 'mine' : 'theirs', holder: by };
}

/**
 * Hold as the call screen uses it: the bar's toggle (hold, or resume what we held), and the
 * hold tone while someone else holds us. The tone is a sound of this device (resources/sounds/
 * hold-tone.wav, on the chosen speaker), not media from the server: the SFU forwards nothing
 * to a held party, so nothing plays unless the client plays it.
 */
export function useHold(
  api: SoftphoneApi,
  call: SoftphoneCall,
  me: string,
  sinkId: string,
): HoldView & { toggle: () => void } {
  const view = holdView(call, me);
  const { callId } = call;
  useEffect(() => {
    if (view.state !== 'theirs') return undefined;
    return play('hold', sinkId);
  }, [view.state, sinkId]);
  const toggle = () => {
    const request = view.state === 'mine' ? api.resume({ callId }) : api.hold({ callId });
    // The server's answer reaches the snapshot; a refusal (the call just ended) shows as such.
    void request.catch(() => undefined);
  };
  return { ...view, toggle };
}

/** "On hold: X put you on hold" / "You put X on hold", under the call's title. */
export function HoldNotice({
  hold,
  others,
  nameOf,
}: {
  hold: HoldView;
  /** The names of the others in the call, for "You put X on hold". */
  others: string;
  nameOf: (userId: string) => string;
}) {
  const { t } = useTranslation();
  if (hold.state === 'none' || hold.holder === undefined) return null;
  return (
    <p className="banner hold-banner" role="status" data-hold={hold.state}>
      <PauseCircle aria-hidden="true" />
      {hold.state === 'mine'
        ? t('callScreen.heldByYou', { name: others })
        : t('callScreen.heldByOther', { name: nameOf(hold.holder) })}
    </p>
  );
}
