import { useEffect, useSyncExternalStore } from 'react';
import type { SoftphoneApi } from '../../protocol/softphone.js';

/**
 * Display names of user ids, looked up once through the directory and cached for the page's
 * life. Until (or unless) a name is known, the id itself is shown.
 */
const names = new Map<string, string>();
const asked = new Set<string>();
/** Ids the directory was asked about and does not know. */
const unknown = new Set<string>();
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

/** Asks the directory once for a name not known yet (again later if the ask failed). */
function lookUp(api: SoftphoneApi, userId: string): void {
  if (!userId || names.has(userId) || asked.has(userId)) return;
  asked.add(userId);
  api.searchDirectory({ query: userId, limit: 5 }).then(
    (entries) => {
      for (const e of entries) rememberName(e.userId, e.displayName);
      if (!entries.some((e) => e.userId === userId)) {
        unknown.add(userId);
        version++;
        for (const l of listeners) l();
      }
    },
    () => {
      asked.delete(userId); // Offline or no directory: try again next time.
    },
  );
}

const useVersion = () =>
  useSyncExternalStore(
    subscribe,
    () => version,
    () => version,
  );

/** The directory was asked about this id and has nobody by it. */
export const isUnknown = (userId: string): boolean => unknown.has(userId);

/** The cached display name of one id (the id itself until known). */
export const displayName = (userId: string): string => names.get(userId) ?? userId;

export function useDisplayName(api: SoftphoneApi, userId: string): string {
  useVersion();
  useEffect(() => {
    lookUp(api, userId);
  }, [api, userId]);
  return displayName(userId);
}

/** Names of many ids at once (history rows, favourites, legs): a lookup function. */
export function useNames(api: SoftphoneApi, userIds: readonly string[]): (id: string) => string {
  useVersion();
  const key = userIds.join(',');
  useEffect(() => {
    for (const id of key.split(',')) lookUp(api, id);
  }, [api, key]);
  return displayName;
}
