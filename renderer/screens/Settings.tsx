import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClientSettings } from '../../protocol/softphone.js';
import { errorMessage, useApi, useSnapshot } from '../app/api-context.js';
import { useHotkeyStatus, useUpdateStatus } from '../app/desktop-shell.js';
import { useDevices } from '../app/devices.js';
import { useSettings } from '../app/settings.js';
import { RINGTONES, asRingtone, play } from '../call/sounds.js';
import { DesktopToggles } from '../components/DesktopToggles.js';
import { DeviceSelect } from '../components/DeviceSelect.js';
import { HeadsetSettings } from '../components/HeadsetSettings.js';
import { HotkeyStatusLine } from '../components/HotkeyStatusLine.js';
import { LanguagePicker } from '../components/LanguagePicker.js';
import { LevelMeter } from '../components/LevelMeter.js';
import { OpenLogsButton } from '../components/OpenLogsButton.js';
import { ScreenPopFields } from '../components/ScreenPopFields.js';
import { StatusControl } from '../components/StatusControl.js';
import { UpdateStatusLine } from '../components/UpdateStatusLine.js';

const HOTKEYS = ['answer', 'decline', 'hangup', 'mute'] as const;

/** Devices with a level meter and test sound, ringtone, status, call waiting, hotkeys, language. */
export function Settings() {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const { view, update, isLocked } = useSettings();
  const devices = useDevices();
  const hotkeyStatus = useHotkeyStatus();
  const updateStatus = useUpdateStatus();
  const [note, setNote] = useState<string>();
  const [preview, setPreview] = useState<() => void>();
  useEffect(() => () => preview?.(), [preview]);
  if (!view) return <p className="hint">{t('app.loading')}</p>;
  const s = view.settings;

  const save = (patch: Partial<ClientSettings>) => {
    update(patch).then(
      () => {
        setNote(t('settings.saved'));
      },
      (error: unknown) => {
        setNote(t('settings.saveFailed', { message: errorMessage(error) }));
      },
    );
  };
  const togglePreview = () => {
    if (preview) {
      preview();
      setPreview(undefined);
      return;
    }
    const stop = play(asRingtone(s.ringtone), s.ringingDevice);
    setPreview(() => stop);
  };

  return (
    <section aria-labelledby="settings-title" className="screen settings">
      <h2 id="settings-title">{t('settings.title')}</h2>
      {view.policyError && (
        <p className="error" role="alert">
          {t('settings.policyError', { message: view.policyError })}
        </p>
      )}
      <fieldset>
        <legend>{t('settings.devices')}</legend>
        <DeviceSelect
          id="set-mic"
          label={t('settings.microphone')}
          devices={devices.audioinput}
          value={s.microphoneDevice}
          disabled={isLocked('microphoneDevice')}
          onChange={(microphoneDevice) => {
            save({ microphoneDevice });
          }}
        />
        <LevelMeter deviceId={s.microphoneDevice} />
        <DeviceSelect
          id="set-camera"
          label={t('settings.camera')}
          devices={devices.videoinput}
          value={s.cameraDevice}
          disabled={isLocked('cameraDevice')}
          onChange={(cameraDevice) => {
            save({ cameraDevice });
          }}
        />
        <DeviceSelect
          id="set-speaker"
          label={t('settings.speaker')}
          devices={devices.audiooutput}
          value={s.speakerDevice}
          disabled={isLocked('speakerDevice')}
          onChange={(speakerDevice) => {
            save({ speakerDevice });
          }}
        />
        <button type="button" onClick={() => play('test', s.speakerDevice)}>
          {t('settings.testSound')}
        </button>
        <HeadsetSettings />
        <DeviceSelect
          id="set-ringing"
          label={t('settings.ringingDevice')}
          devices={devices.audiooutput}
          value={s.ringingDevice}
          disabled={isLocked('ringingDevice')}
          onChange={(ringingDevice) => {
            save({ ringingDevice });
          }}
        />
      </fieldset>
      <fieldset>
        <legend>{t('settings.ringtone')}</legend>
        <label htmlFor="set-ringtone">{t('settings.ringtone')}</label>
        <select
          id="set-ringtone"
          value={asRingtone(s.ringtone)}
          disabled={isLocked('ringtone')}
          onChange={(e) => {
            save({ ringtone: e.target.value });
            // A running preview switches to the new ringtone at once.
            if (preview) {
              preview();
              const stop = play(asRingtone(e.target.value), s.ringingDevice);
              setPreview(() => stop);
            }
          }}
        >
          {RINGTONES.map((r) => (
            <option key={r} value={r}>
              {t(`settings.ringtones.${r}`)}
            </option>
          ))}
        </select>
        <button type="button" aria-pressed={preview !== undefined} onClick={togglePreview}>
          {t(preview ? 'settings.stopPreview' : 'settings.preview')}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t('settings.presence')}</legend>
        <StatusControl
          id="settings-status"
          status={snapshot?.status ?? 'available'}
          disabled={snapshot?.connection !== 'connected'}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={s.callWaiting}
            disabled={isLocked('callWaiting')}
            onChange={(e) => {
              save({ callWaiting: e.target.checked });
            }}
          />
          {t('settings.callWaiting')}
        </label>
      </fieldset>
      <fieldset>
        <legend>{t('settings.hotkeys')}</legend>
        <p className="hint">{t('settings.hotkeysHint')}</p>
        <HotkeyStatusLine status={hotkeyStatus} />
        {HOTKEYS.map((k) => (
          <HotkeyField
            key={k}
            name={k}
            label={t(`settings.hotkey.${k}`)}
            value={s.hotkeys[k]}
            disabled={isLocked('hotkeys')}
            onSave={(value) => {
              save({ hotkeys: { ...s.hotkeys, [k]: value } });
            }}
          />
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('settings.language')}</legend>
        <LanguagePicker id="settings-language" />
      </fieldset>
      {api.shell === 'electron' && (
        <fieldset>
          <legend>{t('settings.desktop')}</legend>
          <DesktopToggles values={s} isLocked={isLocked} onSave={save} />
          <ScreenPopFields
            value={s.crmScreenPop}
            locked={isLocked('crmScreenPop')}
            onSave={(crmScreenPop) => {
              save({ crmScreenPop });
            }}
          />
          <UpdateStatusLine status={updateStatus} />
          <OpenLogsButton />
        </fieldset>
      )}
      <p role="status" className="hint">
        {note}
      </p>
    </section>
  );
}

/** A hotkey text field saved on blur, so typing a chord does not save every keystroke. */
function HotkeyField(props: {
  name: string;
  label: string;
  value: string;
  disabled: boolean;
  onSave: (value: string) => void;
}) {
  const [text, setText] = useState(props.value);
  useEffect(() => {
    setText(props.value);
  }, [props.value]);
  const id = `hotkey-${props.name}`;
  return (
    <span className="hotkey">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        value={text}
        disabled={props.disabled}
        maxLength={64}
        onChange={(e) => {
          setText(e.target.value);
        }}
        onBlur={() => {
          if (text !== props.value) props.onSave(text);
        }}
      />
    </span>
  );
}
