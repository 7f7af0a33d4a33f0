import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { connectHeadset, useHeadsetDevices, webHid } from '../headset/use-headset.js';

/**
 * Settings → Devices: the USB headsets whose hook switch and mute button control calls, and a
 * button that asks for one (WebHID needs the user's gesture once; then it is used at every
 * start). Nothing where the page has no WebHID.
 */
export function HeadsetSettings() {
  const { t } = useTranslation();
  const devices = useHeadsetDevices();
  const [note, setNote] = useState<string>();
  if (!webHid()) return null;
  return (
    <div className="headset">
      <p id="headset-hint" className="hint">
        {devices.length > 0
          ? t('settings.headsetInUse', { names: devices.join(', ') })
          : t('settings.headsetNone')}
      </p>
      <button
        type="button"
        aria-describedby="headset-hint"
        onClick={() => {
          setNote(undefined);
          connectHeadset().then(
            (found) => {
              if (!found) setNote(t('settings.headsetNotTelephony'));
            },
            (error: unknown) => {
              setNote(error instanceof Error ? error.message : String(error));
            },
          );
        }}
      >
        {t('settings.headsetConnect')}
      </button>
      {note !== undefined && (
        <p role="status" className="hint">
          {note}
        </p>
      )}
    </div>
  );
}
