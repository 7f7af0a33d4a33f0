import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { SoftphoneApi, SoftphoneSnapshot } from '../../protocol/softphone.js';

const SNAPSHOT_POLL_MS = 500;

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

  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private lastJson = '';

  /**
   * While a call is live, re-read the snapshot now and then. A safety net, not the mechanism:
   * core pushes a snapshot on every call *state* change, but (as of this writing) not when only
   * the server's call info changes within a state (a callee going pushed -> ringing, a participant
   * joining an active call), and a stale participant list is worse than a cheap re-read.
   */
  private pollWhileInCall(): void {
    const live = this.snapshot?.calls.some((c) => c.state !== 'ended') ?? false;
    if (live && !this.pollTimer) {
      this.pollTimer = setInterval(() => {
        this.api.getSnapshot({}).then(
          (s) => {
            this.set(s);
          },
          () => undefined,
        );
      }, SNAPSHOT_POLL_MS);
    } else if (!live && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(next: SoftphoneSnapshot): void {
    // Identical snapshots (a poll that found nothing new) cause no re-render.
    const json = JSON.stringify(next);
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.snapshot = next;
    this.pollWhileInCall();
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
