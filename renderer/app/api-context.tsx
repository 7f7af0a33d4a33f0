import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { SoftphoneApi, SoftphoneSnapshot } from '../../protocol/softphone.js';

/**
 * The snapshot as a React external store: one subscription for the whole app, so every screen
 * renders the same state and nothing is re-fetched per component.
 */
export class SnapshotStore {
  private snapshot: SoftphoneSnapshot | undefined;
  private readonly listeners = new Set<() => void>();

  /** The latest failure the API reported, so a failed session can say why. */
  private lastError: { code: string; message: string } | undefined;

  constructor(readonly api: SoftphoneApi) {
    api.on('snapshot', (next) => {
      this.set(next);
    });
    api.on('error', ({ code, message }) => {
      this.lastError = { code, message };
      for (const l of this.listeners) l();
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
  getLastError = (): { code: string; message: string } | undefined => this.lastError;

  /**
   * A sign-in in flight keeps the sign-in screen up (the snapshot may already name the account
   * while the connection is tried), so its outcome, good or bad, is shown where it was asked.
   */
  private signingIn = false;
  getSigningIn = (): boolean => this.signingIn;
  setSigningIn(value: boolean): void {
    this.signingIn = value;
    for (const l of this.listeners) l();
  }

  private lastJson = '';

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(next: SoftphoneSnapshot): void {
    // Identical snapshots (the first read racing the first push) cause no re-render.
    const json = JSON.stringify(next);
    if (json === this.lastJson) return;
    this.lastJson = json;
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

export function useSigningIn(): [boolean, (value: boolean) => void] {
  const store = useStore();
  const value = useSyncExternalStore(store.subscribe, store.getSigningIn, store.getSigningIn);
  return [
    value,
    (v: boolean) => {
      store.setSigningIn(v);
    },
  ];
}

export function useLastError(): { code: string; message: string } | undefined {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getLastError, store.getLastError);
}

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
