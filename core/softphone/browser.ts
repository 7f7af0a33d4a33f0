import type { ClientSettings } from '../../protocol/index.js';
import type { SocketFactory } from '../signaling/socket.js';
import type { FetchLike } from './auth.js';
import { type KeyValueStore, MemoryStore, STORE_KEYS } from './persistence.js';
import type { PolicyProvider } from './settings.js';
import { Softphone } from './softphone.js';
import type { SoftphoneLogger } from './types.js';

/** The part of the Web Storage API used here (localStorage, sessionStorage). */
interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A KeyValueStore over Web Storage. Storage can be missing or refuse writes (private browsing,
 * quota): the softphone then keeps working for this page's lifetime, in memory.
 */
export function webStorageStore(storage: WebStorageLike | undefined): KeyValueStore {
  const fallback = new MemoryStore();
  return {
    get: (key) => {
      try {
        return storage?.getItem(key) ?? fallback.get(key);
      } catch {
        return fallback.get(key);
      }
    },
    set: (key, value) => {
      fallback.set(key, value);
      try {
        storage?.setItem(key, value);
      } catch {
        // Kept in memory only.
      }
    },
    delete: (key) => {
      fallback.delete(key);
      try {
        storage?.removeItem(key);
      } catch {
        // Nothing stored there anyway.
      }
    },
  };
}

const DEVICE_KEY = STORE_KEYS.deviceId;

export interface BrowserSoftphoneOptions {
  /** The Trayphone server, e.g. `location.origin` when the page is served by it. */
  serverUrl: string;
  /** Shown on the server as the device name (default `Web browser`). */
  deviceName?: string;
  policyProvider?: PolicyProvider;
  defaultSettings?: Partial<ClientSettings>;
  logger?: SoftphoneLogger;
}

/** What the browser offers, looked up without naming DOM types (core also runs in Node). */
interface BrowserGlobals {
  fetch?: FetchLike;
  WebSocket?: new (url: string) => ReturnType<SocketFactory>;
  localStorage?: WebStorageLike;
  sessionStorage?: WebStorageLike;
}

/**
 * The web client's softphone: `globalThis.fetch`, `WebSocket` and `localStorage`. The device id
 * lives in sessionStorage: each tab is its own device, so two tabs do not evict each other's
 * session (the server allows one session per device id).
 */
export function createBrowserSoftphone(options: BrowserSoftphoneOptions): Softphone {
  const g = globalThis as unknown as BrowserGlobals;
  const WebSocketImpl = g.WebSocket;
  if (!g.fetch || !WebSocketImpl) {
    throw new Error('createBrowserSoftphone needs fetch and WebSocket');
  }
  const store = webStorageStore(storageOf(g, 'localStorage'));
  const tabStore = webStorageStore(storageOf(g, 'sessionStorage'));
  return new Softphone({
    shell: 'browser',
    // Called on globalThis: a detached `fetch` throws "Illegal invocation" in some browsers.
    fetch: (url, init) => (g.fetch as FetchLike).call(globalThis, url, init),
    createSocket: (url) => new WebSocketImpl(url),
    store: {
      // Everything in localStorage except the per-tab device id.
      get: (key) => (key === DEVICE_KEY ? tabStore.get(key) : store.get(key)),
      set: (key, value) => (key === DEVICE_KEY ? tabStore.set(key, value) : store.set(key, value)),
      delete: (key) => (key === DEVICE_KEY ? tabStore.delete(key) : store.delete(key)),
    },
    device: { name: options.deviceName ?? 'Web browser', platform: 'web' },
    defaultSettings: { serverUrl: options.serverUrl, ...options.defaultSettings },
    ...(options.policyProvider ? { policyProvider: options.policyProvider } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/** Merely reading `localStorage` throws where storage is blocked (cookies off, sandboxed frames). */
function storageOf(
  g: BrowserGlobals,
  name: 'localStorage' | 'sessionStorage',
): WebStorageLike | undefined {
  try {
    return g[name];
  } catch {
    return undefined;
  }
}
