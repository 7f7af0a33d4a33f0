import type {
  ClientSettings,
  DeviceInfo,
  SoftphoneEventData,
  SoftphoneEventName,
} from '../../protocol/index.js';
import type { BackoffOptions } from '../signaling/backoff.js';
import type { SocketFactory } from '../signaling/socket.js';
import type { Clock, FetchLike } from './auth.js';
import type { KeyValueStore } from './persistence.js';
import type { PolicyProvider, SettingsProvider } from './settings.js';

/** Structured logging in pino's call shape (`logger.info({ callId }, 'text')`); pino fits. */
export interface SoftphoneLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentSoftphoneLogger: SoftphoneLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface SoftphoneOptions {
  shell: 'electron' | 'browser';
  /** `globalThis.fetch` in browsers, Node and Electron's main process. */
  fetch: FetchLike;
  /** Browser: `(url) => new WebSocket(url)`; Node/Electron main: the `ws` package's WebSocket. */
  createSocket: SocketFactory;
  /** Session, device id, missed-call count, settings (unless `settingsProvider` is given). */
  store: KeyValueStore;
  /** The refresh token only; defaults to `store`. Electron: a safeStorage-encrypting store. */
  secretStore?: KeyValueStore;
  /** This device as the server sees it; without an id one is generated and kept in `store`. */
  device: Omit<DeviceInfo, 'id'> & { id?: string };
  settingsProvider?: SettingsProvider;
  policyProvider?: PolicyProvider;
  /** Overrides of the built-in defaults (e.g. the browser's `serverUrl: location.origin`). */
  defaultSettings?: Partial<ClientSettings>;
  clock?: Clock;
  logger?: SoftphoneLogger;
  /** Signaling requests fail with `timeout` after this (default 10 s). */
  requestTimeoutMs?: number;
  /** Sign-in and token refresh over HTTP (default 10 s). */
  httpTimeoutMs?: number;
  /** `signIn` gives up (`unreachable`) when the first hello takes longer (default 15 s). */
  signInTimeoutMs?: number;
  /** Seat calling: an auto-answered queue offer rings this long first (default 1.2 s). */
  autoAnswerDelayMs?: number;
  /** Ended calls stay in the snapshot this long (default 60 s). */
  endedCallRetentionMs?: number;
  backoff?: BackoffOptions;
  /** The signaling URL of a server URL (default: ws(s)://same-host/ws). */
  signalingUrl?: (serverUrl: string) => string;
}

/** The events of the renderer contract, as an emitter map. */
export type SoftphoneEventMap = { [E in SoftphoneEventName]: [SoftphoneEventData<E>] };
