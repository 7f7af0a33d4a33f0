/**
 * A key press turned into an Electron accelerator ("CommandOrControl+Shift+A"), for the
 * press-a-key hotkey field: people press the combination instead of typing its syntax. Keys are
 * read by position (`code`), so a French or Russian layout records the same accelerator. Pure,
 * so it is tested in Node.
 */

/** The parts of a KeyboardEvent this reads. */
export interface KeyPress {
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

export type Capture =
  /** A complete accelerator to save. */
  | { kind: 'accelerator'; value: string }
  /** Only modifiers so far (or a key with no accelerator name): keep listening. */
  | { kind: 'pending'; modifiers: string }
  /** A plain key would fire while typing anywhere: a modifier is required. */
  | { kind: 'needsModifier' }
  /** Backspace or Delete alone: no hotkey for this action. */
  | { kind: 'clear' }
  /** Escape alone: leave the field as it was. */
  | { kind: 'cancel' };

const NAMED: Readonly<Record<string, string>> = {
  Space: 'Space',
  Enter: 'Enter',
  Tab: 'Tab',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Comma: ',',
  Period: '.',
  Slash: '/',
  Backquote: '`',
  NumpadAdd: 'numadd',
  NumpadSubtract: 'numsub',
  NumpadMultiply: 'nummult',
  NumpadDivide: 'numdiv',
  NumpadDecimal: 'numdec',
  MediaPlayPause: 'MediaPlayPause',
  MediaTrackNext: 'MediaNextTrack',
  MediaTrackPrevious: 'MediaPreviousTrack',
  MediaStop: 'MediaStop',
  AudioVolumeMute: 'VolumeMute',
};

/** Keys that are shortcuts on their own (nobody types them into text). */
const alone = (key: string): boolean => /^F\d{1,2}$/.test(key) || key.startsWith('Media');

/** The accelerator name of the key at `code`, or undefined for modifiers and unknown keys. */
export function keyName(code: string): string | undefined {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return letter[1];
  const digit = /^Digit(\d)$/.exec(code);
  if (digit) return digit[1];
  const numpad = /^Numpad(\d)$/.exec(code);
  if (numpad) return `num${numpad[1]}`;
  const fn = /^F(\d{1,2})$/.exec(code);
  if (fn && Number(fn[1]) >= 1 && Number(fn[1]) <= 24) return code;
  return NAMED[code];
}

/**
 * The modifiers held, as accelerator parts. Ctrl is `CommandOrControl` except on macOS, where
 * that would mean Cmd; the Windows/Super key is `Super`, Cmd on macOS is `Command`.
 */
function modifiersOf(press: KeyPress, mac: boolean): string[] {
  const parts: string[] = [];
  if (press.ctrlKey) parts.push(mac ? 'Control' : 'CommandOrControl');
  if (press.metaKey) parts.push(mac ? 'Command' : 'Super');
  if (press.altKey) parts.push('Alt');
  if (press.shiftKey) parts.push('Shift');
  return parts;
}

export function captureHotkey(press: KeyPress, mac: boolean): Capture {
  const modifiers = modifiersOf(press, mac);
  if (modifiers.length === 0 && press.code === 'Escape') return { kind: 'cancel' };
  if (modifiers.length === 0 && (press.code === 'Backspace' || press.code === 'Delete'))
    return { kind: 'clear' };
  const key = keyName(press.code);
  if (!key) return { kind: 'pending', modifiers: modifiers.join('+') };
  // Shift alone is typing (capitals, symbols), not a shortcut.
  const real = modifiers.filter((m) => m !== 'Shift');
  if (real.length === 0 && !alone(key)) return { kind: 'needsModifier' };
  return { kind: 'accelerator', value: [...modifiers, key].join('+') };
}
