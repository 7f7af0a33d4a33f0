import { X } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { captureHotkey } from '../app/hotkey-capture.js';

/** macOS names its keys differently (Cmd, Control); its user agent says "Macintosh". */
const isMac = (): boolean => typeof navigator !== 'undefined' && /Mac/i.test(navigator.userAgent);

/**
 * A press-a-key hotkey field (desktop app): focus it and press the combination; it is saved at
 * once as an Electron accelerator. Escape leaves it as it was, Backspace or the ✕ clears it.
 * Nobody types accelerator syntax by hand.
 */
export function HotkeyCapture(props: {
  name: string;
  label: string;
  value: string;
  disabled: boolean;
  onSave: (value: string) => void;
}) {
  const { t } = useTranslation();
  const [listening, setListening] = useState(false);
  const [held, setHeld] = useState('');
  const [problem, setProblem] = useState<string>();
  const id = `hotkey-${props.name}`;
  const shown = listening ? held || t('shell.hotkeyPress') : props.value || t('shell.hotkeyNone');
  return (
    <span className="hotkey">
      <label htmlFor={id}>{props.label}</label>
      <span className="hotkey-row">
        <input
          id={id}
          className="hotkey-capture"
          readOnly
          value={shown}
          disabled={props.disabled}
          aria-describedby={`${id}-hint`}
          data-accelerator={props.value}
          onFocus={() => {
            setListening(true);
            setHeld('');
            setProblem(undefined);
          }}
          onBlur={() => {
            setListening(false);
          }}
          onKeyDown={(e) => {
            // Tab still moves on; every other key is the combination being recorded.
            if (e.key === 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey) return;
            e.preventDefault();
            const result = captureHotkey(e, isMac());
            if (result.kind === 'pending') {
              setHeld(result.modifiers);
              return;
            }
            if (result.kind === 'needsModifier') {
              setProblem(t('shell.hotkeyNeedsModifier'));
              return;
            }
            setProblem(undefined);
            if (result.kind === 'accelerator' && result.value !== props.value)
              props.onSave(result.value);
            if (result.kind === 'clear' && props.value !== '') props.onSave('');
            e.currentTarget.blur();
          }}
        />
        <button
          type="button"
          className="icon-button"
          aria-label={t('shell.hotkeyClear', { name: props.label })}
          disabled={props.disabled || props.value === ''}
          onClick={() => {
            props.onSave('');
          }}
        >
          <X aria-hidden="true" size={14} />
        </button>
      </span>
      <small id={`${id}-hint`} className={problem ? 'error' : 'hint'}>
        {problem ?? t('shell.hotkeyCapture')}
      </small>
    </span>
  );
}
