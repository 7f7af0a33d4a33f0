import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { useApi } from '../app/api-context.js';
import { useNames } from '../app/names.js';
import { participantsOf } from '../call/call-view.js';
import { titleNames } from '../in-call/call-screen.js';

/**
 * A call this user is in on another device (`elsewhere`): this device shows it and has no media
 * in it (it would echo); "Switch here" moves the call, with its media, to this device.
 */
export function ElsewhereNotice({
  call,
  names,
  switching,
  onSwitch,
}: {
  call: SoftphoneCall;
  /** Display names of the others in the call. */
  names: readonly string[];
  switching: boolean;
  onSwitch: () => void;
}) {
  const { t } = useTranslation();
  const others = titleNames(names);
  return (
    <section
      className="card elsewhere"
      aria-labelledby={`elsewhere-${call.callId}`}
      data-call={call.callId}
    >
      {others.shown && (
        <p className="elsewhere-with">
          {others.more > 0
            ? t('callScreen.elsewhereWithMore', { names: others.shown, count: others.more })
            : t('callScreen.elsewhereWith', { names: others.shown })}
        </p>
      )}
      <p id={`elsewhere-${call.callId}`} role="status">
        {t('callScreen.anotherDevice')}
      </p>
      <div className="button-row">
        <button type="button" className="primary" disabled={switching} onClick={onSwitch}>
          {t('callScreen.switchHere')}
        </button>
      </div>
    </section>
  );
}

/** The notice wired to the API: one switch at a time; a failure leaves the notice as it was. */
export function ElsewhereCall({ call, me }: { call: SoftphoneCall; me: string }) {
  const api = useApi();
  const [switching, setSwitching] = useState(false);
  const others = participantsOf(call)
    .map((p) => p.userId)
    .filter((id) => id !== me);
  const nameOf = useNames(api, others);
  return (
    <ElsewhereNotice
      call={call}
      names={others.map(nameOf)}
      switching={switching}
      onSwitch={() => {
        setSwitching(true);
        void api
          .switchHere({ callId: call.callId })
          .catch(() => undefined)
          .finally(() => {
            setSwitching(false);
          });
      }}
    />
  );
}
