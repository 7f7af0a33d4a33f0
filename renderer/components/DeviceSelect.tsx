import { useTranslation } from 'react-i18next';
import { deviceLabel } from '../app/devices.js';

/** A labelled device picker; '' is the system default. */
export function DeviceSelect({
  id,
  label,
  devices,
  value,
  disabled,
  onChange,
}: {
  id: string;
  label: string;
  devices: MediaDeviceInfo[];
  value: string;
  disabled?: boolean;
  onChange: (deviceId: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => {
          onChange(e.target.value);
        }}
      >
        <option value="">{t('settings.systemDefault')}</option>
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {deviceLabel(d, i)}
          </option>
        ))}
      </select>
    </>
  );
}
