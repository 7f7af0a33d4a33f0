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
import { HotkeyCapture } from '../components/HotkeyCapture.js';
import { HotkeyStatusLine } from '../components/HotkeyStatusLine.js';
import { LanguagePicker } from '../components/LanguagePicker.js';
import { LevelMeter } from '../components/LevelMeter.js';
import { OpenLogsButton } from '../components/OpenLogsButton.js';
import { ScreenPopFields } from '../components/ScreenPopFields.js';
import { StatusControl } from '../components/StatusControl.js';
import { UpdateStatusLine } from '../components/UpdateStatusLine.js';

const HOTKEYS = ['answer', 'decline', 'hangup', 'mute'] as const;

/** The parts of the page, so that "Saved" shows beside the part that was changed. */
type Part = 'devices' | 'ringtone' | 'presence' | 'hotkeys' | 'desktop';

/** "Saved" (or why not), shown at the end of the part that changed; announced once, below. */
function PartNote({ part, note }: { part: Part; note: { part: Part; text: string } | undefined }) {
  if (note?.part !== part) return null;
  return (
    <p className="saved-note" aria-hidden="true">
      {note.text}
    </p>
  );
}

/**
 * Devices with a level meter and test sound, ringtone, status, call waiting, language; in the
 * desktop app also its global hotkeys (press-a-key fields) and desktop options. The web client
 * has no global hotkeys, so it shows none.
 */
export function Settings() {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const { view, update, isLocked } = useSettings();
  const devices = useDevices();
  const hotkeyStatus = useHotkeyStatus();
  const updateStatus = useUpdateStatus();
  const [note, setNote] = useState<{ part: Part; text: string }>();
  const [preview, setPreview] = useState<() => void>();
  useEffect(() => () => preview?.(), [preview]);
  if (!view) return <p className="hint">{t('app.loading')}</p>;
  const s = view.settings;

  const save = (patch: Partial<ClientSettings>, part: Part) => {
    update(patch).then(
      () => {
        setNote({ part, text: t('settings.saved') });
      },
      (error: unknown) => {
        setNote({ part, text: t('settings.saveFailed', { message: errorMessage(error) }) });
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
            save({ microphoneDevice }, 'devices');
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
            save({ cameraDevice }, 'devices');
          }}
        />
        <DeviceSelect
          id="set-speaker"
          label={t('settings.speaker')}
          devices={devices.audiooutput}
          value={s.speakerDevice}
          disabled={isLocked('speakerDevice')}
          onChange={(speakerDevice) => {
            save({ speakerDevice }, 'devices');
          }}
        />
        <div className="control-row">
          <button type="button" onClick={() => play('test', s.speakerDevice)}>
            {t('settings.testSound')}
          </button>
        </div>
        <HeadsetSettings />
        <DeviceSelect
          id="set-ringing"
          label={t('settings.ringingDevice')}
          devices={devices.audiooutput}
          value={s.ringingDevice}
          disabled={isLocked('ringingDevice')}
          onChange={(ringingDevice) => {
            save({ ringingDevice }, 'devices');
          }}
        />
        <PartNote part="devices" note={note} />
      </fieldset>
      <fieldset>
        <legend>{t('settings.ringtone')}</legend>
        {/* The legend says "Ringtone" already: the select's label is for screen readers. */}
        <label htmlFor="set-ringtone" className="visually-hidden">
          {t('settings.ringtone')}
        </label>
        <div className="control-row">
          <select
            id="set-ringtone"
            value={asRingtone(s.ringtone)}
            disabled={isLocked('ringtone')}
            onChange={(e) => {
              save({ ringtone: e.target.value }, 'ringtone');
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
        </div>
        <PartNote part="ringtone" note={note} />
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
              save({ callWaiting: e.target.checked }, 'presence');
            }}
          />
          {t('settings.callWaiting')}
        </label>
        <PartNote part="presence" note={note} />
      </fieldset>
      {api.shell === 'electron' && (
        <fieldset className="hotkeys">
          <legend>{t('settings.hotkeys')}</legend>
          <HotkeyStatusLine status={hotkeyStatus} />
          {HOTKEYS.map((k) => (
            <HotkeyCapture
              key={k}
              name={k}
              label={t(`settings.hotkey.${k}`)}
              value={s.hotkeys[k]}
              disabled={isLocked('hotkeys')}
              onSave={(value) => {
                save({ hotkeys: { ...s.hotkeys, [k]: value } }, 'hotkeys');
              }}
            />
          ))}
          <PartNote part="hotkeys" note={note} />
        </fieldset>
      )}
      <fieldset>
        <legend>{t('settings.language')}</legend>
        <LanguagePicker id="settings-language" labelHidden />
      </fieldset>
      {api.shell === 'electron' && (
        <fieldset>
          <legend>{t('settings.desktop')}</legend>
          <DesktopToggles
            values={s}
            isLocked={isLocked}
            onSave={(patch) => {
              save(patch, 'desktop');
            }}
          />
          <ScreenPopFields
            value={s.crmScreenPop}
            locked={isLocked('crmScreenPop')}
            onSave={(crmScreenPop) => {
              save({ crmScreenPop }, 'desktop');
            }}
          />
          <UpdateStatusLine status={updateStatus} />
          <OpenLogsButton />
          <PartNote part="desktop" note={note} />
        </fieldset>
      )}
      <p role="status" className="visually-hidden">
        {note?.text}
      </p>
    </section>
  );
}
