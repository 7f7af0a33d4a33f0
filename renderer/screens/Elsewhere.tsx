import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { useApi } from '../app/api-context.js';

/**
 * A call this user is in on another device (`elsewhere`): this device shows it and has no media
 * in it (it would echo); "Switch here" moves the call, with its media, to this device.
 */
export function ElsewhereNotice({
  call,
  switching,
  onSwitch,
}: {
  call: SoftphoneCall;
  switching: boolean;
  onSwitch: () => void;
}) {
  const { t } = useTranslation();
  return (
    <section
      className="card elsewhere"
      aria-labelledby={`elsewhere-${call.callId}`}
      data-call={call.callId}
    >
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
export function ElsewhereCall({ call }: { call: SoftphoneCall }) {
  const api = useApi();
  const [switching, setSwitching] = useState(false);
  return (
    <ElsewhereNotice
      call={call}
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
