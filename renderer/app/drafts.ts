import { useCallback, useSyncExternalStore } from 'react';

/**
 * Text the user is typing (dialer, search, sign-in user), kept outside any component tied to the
 * connection: a reconnect, a sign-in screen flash or a reload does not lose it.
 */
const KEY = 'trayphone.drafts';
const listeners = new Set<() => void>();
let drafts: Record<string, string> = load();

function load(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}

export function setDraft(name: string, value: string): void {
  drafts = { ...drafts, [name]: value };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(drafts));
  } catch {
    // Storage full or disabled: the in-memory copy still survives reconnects.
  }
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useDraft(name: string, initial = ''): [string, (value: string) => void] {
  const read = () => drafts[name] ?? initial;
  const value = useSyncExternalStore(subscribe, read, read);
  const set = useCallback(
    (v: string) => {
      setDraft(name, v);
    },
    [name],
  );
  return [value, set];
}
