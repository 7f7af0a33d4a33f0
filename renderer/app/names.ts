import { useEffect, useSyncExternalStore } from 'react';
import type { SoftphoneApi } from '../../protocol/softphone.js';

/**
 * Display names of user ids, looked up once through the directory and cached for the page's
 * life. Until (or unless) a name is known, the id itself is shown.
 */
const names = new Map<string, string>();
const asked = new Set<string>();
const listeners = new Set<() => void>();
let version = 0;

export function rememberName(userId: string, displayName: string): void {
  if (names.get(userId) === displayName) return;
  names.set(userId, displayName);
  version++;
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useDisplayName(api: SoftphoneApi, userId: string): string {
  useSyncExternalStore(
    subscribe,
    () => version,
    () => version,
  );
  useEffect(() => {
    if (!userId || names.has(userId) || asked.has(userId)) return;
    asked.add(userId);
    api.searchDirectory({ query: userId, limit: 5 }).then(
      (entries) => {
        const hit = entries.find((e) => e.userId === userId);
        if (hit) rememberName(hit.userId, hit.displayName);
      },
      () => {
        asked.delete(userId); // Offline or no directory: try again next time.
      },
    );
  }, [api, userId]);
  return names.get(userId) ?? userId;
}
