import {
  type KeyValueStore,
  type PolicyProvider,
  STORE_KEYS,
  type SettingsProvider,
  normalizeServerUrl,
} from '../../core/softphone/index.js';
import { type ClientSettingKey, type ClientSettings } from '../../protocol/index.js';
import type { Log } from '../log/log.js';
import { type PolicyLoad, lockedValues } from './policy.js';
import { DEFAULT_SETTINGS, type SettingsDocument, migrateSettings } from './settings-document.js';
import type { TokenVault } from './token-vault.js';

/** electron-store, as far as the desktop needs it: the whole document in, the whole document out. */
export interface DocumentStorePort {
  read(): unknown;
  write(document: SettingsDocument): void;
}

/**
 * Everything the desktop softphone persists, in one migrated electron-store document, handed to
 * core's `Softphone` as its ports: `store` (session, device id, missed count), `secretStore` (the
 * refresh token, sealed by the OS keychain or kept in memory only), `settingsProvider` (the
 * user's own settings, remembering which keys the user set), `policyProvider` (the IT policy's
 * locked values) and `defaultSettings` (built-in defaults under the policy's `defaults`).
 */
export class DesktopStore {
  readonly store: KeyValueStore;
  readonly secretStore: KeyValueStore;
  readonly settingsProvider: SettingsProvider;
  readonly policyProvider: PolicyProvider;
  private document: SettingsDocument;
  /** Sealing can fail per value (keychain locked): those stay in memory for this run. */
  private readonly memorySecrets = new Map<string, string>();

  constructor(
    private readonly port: DocumentStorePort,
    private readonly policy: PolicyLoad,
    private readonly vault: TokenVault,
    private readonly log: Log,
  ) {
    const outcome = migrateSettings(port.read());
    this.document = outcome.document;
    for (const note of outcome.notes) log.info({}, `settings: ${note}`);
    if (outcome.legacyPlaintextToken !== undefined) {
      // The first release stored the token in plaintext: seal it now, or drop it from disk.
      this.setSecret(STORE_KEYS.refreshToken, JSON.stringify(outcome.legacyPlaintextToken));
    }
    if (outcome.notes.length > 0) this.persist();
    if (policy.error !== undefined) log.error({}, `IT policy: ${policy.error}`);

    this.store = {
      get: (key) => this.document.values[key],
      set: (key, value) => {
        this.document.values[key] = value;
        this.persist();
      },
      delete: (key) => {
        if (!(key in this.document.values)) return;
        this.document.values = Object.fromEntries(
          Object.entries(this.document.values).filter(([k]) => k !== key),
        );
        this.persist();
      },
    };
    this.secretStore = {
      get: (key) => this.getSecret(key),
      set: (key, value) => {
        this.setSecret(key, value);
      },
      delete: (key) => {
        this.setSecret(key, null);
      },
    };
    this.settingsProvider = {
      // Only what the user set: the rest comes from `defaultSettings` (incl. policy defaults).
      load: () => {
        const user = this.document.settings as Record<ClientSettingKey, unknown>;
        return Object.fromEntries(this.document.userSet.map((key) => [key, user[key]]));
      },
      save: (settings) => {
        this.saveSettings(settings);
      },
    };
    this.policyProvider = {
      load: () => {
        if (this.policy.error !== undefined) throw new Error(this.policy.error);
        if (!this.policy.policy) return undefined;
        return lockedValues(this.policy.policy, this.userSettings(), normalizeServerUrl);
      },
    };
  }

  /** Built-in defaults with the IT policy's recommended values on top. */
  defaultSettings(): ClientSettings {
    return { ...structuredClone(DEFAULT_SETTINGS), ...(this.policy.policy?.defaults ?? {}) };
  }

  private userSettings(): ClientSettings {
    const user = this.document.settings as Record<ClientSettingKey, unknown>;
    const out = this.defaultSettings() as Record<ClientSettingKey, unknown>;
    for (const key of this.document.userSet) out[key] = user[key];
    return out as ClientSettings;
  }

  private saveSettings(settings: ClientSettings): void {
    // The softphone saves the whole object: what differs from before is what the user set.
    const before = this.userSettings() as Record<ClientSettingKey, unknown>;
    const after = settings as Record<ClientSettingKey, unknown>;
    const changed = (Object.keys(after) as ClientSettingKey[]).filter(
      (key) => JSON.stringify(after[key]) !== JSON.stringify(before[key]),
    );
    this.document.settings = structuredClone(settings);
    this.document.userSet = [...new Set([...this.document.userSet, ...changed])];
    this.persist();
  }

  private getSecret(key: string): string | undefined {
    const inMemory = this.memorySecrets.get(key);
    if (inMemory !== undefined) return inMemory;
    const sealed = this.document.secrets[key];
    return sealed ? (this.vault.open(sealed) ?? undefined) : undefined;
  }

  private setSecret(key: string, value: string | null): void {
    const secrets = Object.fromEntries(
      Object.entries(this.document.secrets).filter(([k]) => k !== key),
    );
    this.memorySecrets.delete(key);
    if (value !== null) {
      const sealed = this.vault.seal(value);
      if (sealed) secrets[key] = sealed;
      else this.memorySecrets.set(key, value);
    }
    this.document.secrets = secrets;
    this.persist();
  }

  private persist(): void {
    try {
      this.port.write(this.document);
    } catch (error) {
      this.log.error({ err: error }, 'settings could not be written');
    }
  }
}
