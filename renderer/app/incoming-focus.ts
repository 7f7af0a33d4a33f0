import { useEffect } from 'react';

/**
 * The keyboard shortcut that moves focus to the (first) incoming call's answer buttons. The
 * incoming view never takes focus from anything else, so this is how a keyboard user gets there.
 */
export const INCOMING_SHORTCUT = { aria: 'Alt+Shift+A', code: 'KeyA' } as const;

/** Nothing the user is working in has focus: the page itself, or the content region. */
export function focusIsFree(doc: Document): boolean {
  const active = doc.activeElement;
  return !active || active === doc.body || active === doc.documentElement || active.id === 'main';
}

const isShortcut = (e: KeyboardEvent) =>
  e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === INCOMING_SHORTCUT.code;

/** Alt+Shift+A (by key position, so any layout) focuses the first incoming call's first button. */
export function useIncomingShortcut(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcut(e)) return;
      const button = document.querySelector<HTMLButtonElement>('[role=alertdialog] button');
      if (!button) return;
      e.preventDefault();
      button.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, []);
}

/** Someone is typing: a text field, a text area or a select has focus. */
const typing = (doc: Document): boolean =>
  doc.activeElement?.matches('input, textarea, select, [contenteditable=true]') ?? false;

/** The call bar's first control: in the pinned slot, or the in-call toolbar until it moves there. */
const CALL_BAR_BUTTON = '.call-bar-slot button, section.in-call [role=toolbar] button';

/**
 * When a call connects, focus goes to the call bar (mute and hang up are one Tab away), unless
 * the user is typing somewhere. The in-call view loads lazily, so its controls are waited for.
 */
export function useFocusCallBarOnConnect(activeCallId: string | undefined): void {
  useEffect(() => {
    if (!activeCallId) return;
    let tries = 0;
    const timer = setInterval(() => {
      const button = document.querySelector<HTMLElement>(CALL_BAR_BUTTON);
      if (button && !typing(document)) button.focus();
      if (button || ++tries > 50) clearInterval(timer);
    }, 100);
    return () => {
      clearInterval(timer);
    };
  }, [activeCallId]);
}
