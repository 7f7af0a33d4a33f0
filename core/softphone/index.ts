export { Softphone } from './softphone.js';
export { createBrowserSoftphone, webStorageStore } from './browser.js';
export type { BrowserSoftphoneOptions } from './browser.js';
export type { Clock, FetchLike } from './auth.js';
export { normalizeServerUrl, signalingUrlOf } from './auth.js';
export { type KeyValueStore, MemoryStore, STORE_KEYS } from './persistence.js';
export {
  DEFAULT_CLIENT_SETTINGS,
  type PolicyProvider,
  type SettingsProvider,
  storeSettingsProvider,
} from './settings.js';
export { endedAsMissed, isMissed, MISSED_END_REASONS } from '../calls/missed.js';
export {
  type SoftphoneEventMap,
  type SoftphoneLogger,
  type SoftphoneOptions,
  silentSoftphoneLogger,
} from './types.js';
