import { z } from 'zod';
import {
  type ClientSettingKey,
  type ClientSettings,
  type SettingsView,
  SoftphoneError,
  clientSettingsSchema,
} from '../../protocol/index.js';
import { type KeyValueStore, STORE_KEYS, readJson, writeJson } from './persistence.js';

/**
 * Where the user's own settings live. The default keeps them as JSON in the softphone's
 * KeyValueStore; Electron's main process may pass its electron-store wrapper instead.
 * `load` may return anything: what does not fit the schema is dropped key by key.
 */
export interface SettingsProvider {
  load(): unknown;
  save(settings: ClientSettings): void | Promise<void>;
}

/**
 * IT policy: settings an administrator fixed (Electron: a policy file; browser: none). `load`
 * returns the raw policy (`undefined`: no policy) or throws when it cannot be read. A policy that
 * does not fit the schema is ignored as a whole and reported in `SettingsView.policyError`.
 */
export interface PolicyProvider {
  load(): unknown;
}

export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
  serverUrl: '',
  language: 'en',
  ringtone: 'classic',
  ringingDevice: '',
  speakerDevice: '',
  microphoneDevice: '',
  cameraDevice: '',
  callWaiting: false,
  startHidden: false,
  launchAtLogin: false,
  clickToCall: false,
  hotkeys: {
    answer: 'CommandOrControl+Shift+A',
    decline: 'CommandOrControl+Shift+D',
    hangup: 'CommandOrControl+Shift+H',
    mute: 'CommandOrControl+Shift+M',
  },
  favourites: [],
  crmScreenPop: { template: '', when: 'ringing' },
  followOsDoNotDisturb: false,
};

const policySchema = clientSettingsSchema.partial().strict();

export const storeSettingsProvider = (store: KeyValueStore): SettingsProvider => ({
  load: () => readJson(store, STORE_KEYS.settings, z.unknown()),
  save: (settings) => writeJson(store, STORE_KEYS.settings, settings),
});

/** Keeps each stored key that is still valid on its own (one bad key does not lose the rest). */
function salvage(raw: unknown, defaults: ClientSettings): ClientSettings {
  const out: Record<string, unknown> = { ...defaults };
  if (raw !== null && typeof raw === 'object') {
    const shape = clientSettingsSchema.shape;
    for (const key of Object.keys(shape) as ClientSettingKey[]) {
      const parsed = shape[key].safeParse((raw as Record<string, unknown>)[key]);
      if (parsed.success) out[key] = parsed.data;
    }
  }
  return clientSettingsSchema.parse(out);
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The client settings: defaults, overridden by the user's, overridden by policy (locked). */
export class SettingsService {
  private user: ClientSettings;
  private policy: Partial<ClientSettings> = {};
  private policyError: string | undefined;

  constructor(
    private readonly provider: SettingsProvider,
    private readonly policyProvider: PolicyProvider | undefined,
    private readonly defaults: ClientSettings,
  ) {
    this.user = defaults;
  }

  async load(): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.provider.load();
    } catch {
      raw = undefined; // Unreadable settings: start from the defaults rather than not at all.
    }
    this.user = salvage(raw, this.defaults);
    await this.reloadPolicy();
  }

  /** Reads the policy again (Electron may call this when the policy file changes). */
  async reloadPolicy(): Promise<void> {
    this.policy = {};
    this.policyError = undefined;
    if (!this.policyProvider) return;
    let raw: unknown;
    try {
      raw = await this.policyProvider.load();
    } catch (error) {
      this.policyError = `policy unreadable: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    if (raw === undefined) return;
    const parsed = policySchema.safeParse(raw);
    if (parsed.success) this.policy = parsed.data;
    else this.policyError = `policy ignored: ${parsed.error.issues[0]?.message ?? 'malformed'}`;
  }

  get settings(): ClientSettings {
    return { ...this.user, ...this.policy };
  }

  isLocked(key: ClientSettingKey): boolean {
    return key in this.policy;
  }

  view(): SettingsView {
    const view: SettingsView = {
      settings: structuredClone(this.settings),
      locked: Object.keys(this.policy) as ClientSettingKey[],
    };
    if (this.policyError !== undefined) view.policyError = this.policyError;
    return view;
  }

  /**
   * Throws `policy-locked` if the patch changes a locked key (sending a locked key's current
   * value back, as a settings form does, is fine). Returns the keys whose value changes.
   */
  check(patch: Partial<ClientSettings>): ClientSettingKey[] {
    const current = this.settings;
    const changed: ClientSettingKey[] = [];
    for (const key of Object.keys(patch) as ClientSettingKey[]) {
      if (patch[key] === undefined || sameValue(patch[key], current[key])) continue;
      if (this.isLocked(key)) {
        throw new SoftphoneError('policy-locked', `${key} is set by your administrator`);
      }
      changed.push(key);
    }
    return changed;
  }

  /** Applies a checked patch and saves it. */
  async update(patch: Partial<ClientSettings>): Promise<ClientSettingKey[]> {
    const changed = this.check(patch);
    if (changed.length === 0) return changed;
    const next: Record<string, unknown> = { ...this.user };
    for (const key of changed) next[key] = patch[key];
    const user = clientSettingsSchema.parse(next);
    await this.provider.save(user);
    this.user = user;
    return changed;
  }
}
