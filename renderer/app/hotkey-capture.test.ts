import { describe, expect, it } from 'vitest';
import { captureHotkey, keyName, type KeyPress } from './hotkey-capture.js';

const press = (code: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  code,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...mods,
});

describe('press-a-key hotkey capture', () => {
  it('records the combination as an Electron accelerator, by key position', () => {
    expect(captureHotkey(press('KeyA', { ctrlKey: true, shiftKey: true }), false)).toEqual({
      kind: 'accelerator',
      value: 'CommandOrControl+Shift+A',
    });
    expect(captureHotkey(press('Digit5', { altKey: true }), false)).toEqual({
      kind: 'accelerator',
      value: 'Alt+5',
    });
    expect(captureHotkey(press('ArrowUp', { metaKey: true }), false)).toEqual({
      kind: 'accelerator',
      value: 'Super+Up',
    });
  });

  it('on macOS Ctrl stays Control and Cmd is Command', () => {
    expect(captureHotkey(press('KeyM', { ctrlKey: true }), true)).toEqual({
      kind: 'accelerator',
      value: 'Control+M',
    });
    expect(captureHotkey(press('KeyM', { metaKey: true, shiftKey: true }), true)).toEqual({
      kind: 'accelerator',
      value: 'Command+Shift+M',
    });
  });

  it('asks for a modifier with a plain or shifted key, but takes F-keys and media keys alone', () => {
    expect(captureHotkey(press('KeyA'), false)).toEqual({ kind: 'needsModifier' });
    expect(captureHotkey(press('KeyA', { shiftKey: true }), false)).toEqual({
      kind: 'needsModifier',
    });
    expect(captureHotkey(press('F9'), false)).toEqual({ kind: 'accelerator', value: 'F9' });
    expect(captureHotkey(press('MediaPlayPause'), false)).toEqual({
      kind: 'accelerator',
      value: 'MediaPlayPause',
    });
  });

  it('keeps listening while only modifiers are down; Escape cancels, Backspace clears', () => {
    expect(captureHotkey(press('ControlLeft', { ctrlKey: true }), false)).toEqual({
      kind: 'pending',
      modifiers: 'CommandOrControl',
    });
    expect(captureHotkey(press('Escape'), false)).toEqual({ kind: 'cancel' });
    expect(captureHotkey(press('Backspace'), false)).toEqual({ kind: 'clear' });
    expect(captureHotkey(press('Delete'), false)).toEqual({ kind: 'clear' });
    // With a modifier they are keys like any other.
    expect(captureHotkey(press('Delete', { ctrlKey: true, altKey: true }), false)).toEqual({
      kind: 'accelerator',
      value: 'CommandOrControl+Alt+Delete',
    });
  });

  it('names keys as Electron does, and nothing for modifiers or unknown codes', () => {
    expect(keyName('Numpad3')).toBe('num3');
    expect(keyName('F24')).toBe('F24');
    expect(keyName('F25')).toBeUndefined();
    expect(keyName('Slash')).toBe('/');
    expect(keyName('ShiftLeft')).toBeUndefined();
    expect(keyName('IntlRo')).toBeUndefined();
  });
});
