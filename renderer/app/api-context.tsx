import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { SoftphoneApi, SoftphoneSnapshot } from '../../protocol/softphone.js';

/**
 * The snapshot as a React external store: one subscription for the whole app, so every screen
 * renders the same state and nothing is re-fetched per component.
 */
export class SnapshotStore {
  private snapshot: SoftphoneSnapshot | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly api: SoftphoneApi) {
    api.on('snapshot', (next) => {
      this.set(next);
    });
    api.getSnapshot({}).then(
      (first) => {
        // A pushed snapshot may have arrived first; it is at least as new.
        if (!this.snapshot) this.set(first);
      },
      () => undefined,
    );
  }

  get = (): SoftphoneSnapshot | undefined => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(next: SoftphoneSnapshot): void {
    this.snapshot = next;
    for (const l of this.listeners) l();
  }
}

const ApiContext = createContext<SnapshotStore | undefined>(undefined);

export function ApiProvider({ store, children }: { store: SnapshotStore; children: ReactNode }) {
  return <ApiContext value={store}>{children}</ApiContext>;
}

function useStore(): SnapshotStore {
  const store = useContext(ApiContext);
  if (!store) throw new Error('useApi outside ApiProvider');
  return store;
}

export const useApi = (): SoftphoneApi => useStore().api;

export function useSnapshot(): SoftphoneSnapshot | undefined {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

/** A failed command as the UI shows it: the SoftphoneError code when there is one. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    if (typeof error.code === 'string') return error.code;
  }
  return 'unknown';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
