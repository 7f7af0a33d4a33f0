import {
  type ClientSettingKey,
  type ClientSettings,
  type SettingsView,
  SoftphoneError,
  type SoftphoneAccount,
  clientSettingsSchema,
} from '../../protocol/index.js';
import type { Log } from '../log/log.js';
import { TypedEmitter } from '../../core/util/typed-emitter.js';
import { type PolicyLoad, effectiveSettings, lockedChanges } from './policy.js';
import { type SettingsDocument, migrateSettings } from './settings-document.js';
import type { TokenVault } from './token-vault.js';

/** electron-store, as far as settings need it: the whole document in, the whole document out. */
export interface SettingsStorePort {
  read(): unknown;
  write(document: SettingsDocument): void;
}

export type SettingsServiceEvents = { changed: [view: SettingsView, previous: SettingsView] };

/**
 * The desktop app's settings: the stored document (migrated on load), IT policy on top, the token
 * through the vault. Every change is validated, refused where policy locks it, persisted, and
 * announced with the effective view.
 */
export class SettingsService extends TypedEmitter<SettingsServiceEvents> {
  private document: SettingsDocument;

  constructor(
    private readonly store: SettingsStorePort,
    private readonly policy: PolicyLoad,
    private readonly vault: TokenVault,
    private readonly log: Log,
  ) {
    super();
    const outcome = migrateSettings(store.read());
    this.document = outcome.document;
    for (const note of outcome.notes) log.info({}, note);
    if (outcome.legacyPlaintextToken !== undefined) {
      // The old release stored the token in plaintext: seal it now, or drop it.
      this.document.token = vault.seal(outcome.legacyPlaintextToken);
    }
    if (outcome.notes.length > 0 || outcome.legacyPlaintextToken !== undefined) this.persist();
    if (policy.error !== undefined) log.error({}, `IT policy: ${policy.error}`);
  }

  view(): SettingsView {
    return effectiveSettings(
      this.document.settings,
      new Set<ClientSettingKey>(this.document.userSet),
      this.policy,
    );
  }

  settings(): ClientSettings {
    return this.view().settings;
  }

  /** Applies a validated patch; a change to a locked key rejects the whole patch. */
  update(patch: Partial<ClientSettings>): SettingsView {
    const parsed = clientSettingsSchema.partial().safeParse(patch);
    if (!parsed.success) {
      throw new SoftphoneError('invalid-argument', parsed.error.issues[0]?.message ?? 'invalid');
    }
    const previous = this.view();
    const locked = lockedChanges(previous, parsed.data);
    if (locked.length > 0) {
      throw new SoftphoneError('policy-locked', `locked by IT policy: ${locked.join(', ')}`);
    }
    const keys = Object.keys(parsed.data) as ClientSettingKey[];
    this.document.settings = clientSettingsSchema.parse({
      ...this.document.settings,
      ...parsed.data,
    });
    this.document.userSet = [...new Set([...this.document.userSet, ...keys])];
    this.persist();
    const view = this.view();
    this.emit('changed', view, previous);
    return view;
  }

  account(): SoftphoneAccount | null {
    return this.document.account;
  }

  token(): string | null {
    return this.vault.open(this.document.token);
  }

  /** After sign-in (both set) or sign-out (both null). */
  setCredentials(account: SoftphoneAccount | null, token: string | null): void {
    this.document.account = account;
    this.document.token = this.vault.seal(token);
    this.persist();
  }

  private persist(): void {
    try {
      this.store.write(this.document);
    } catch (error) {
      this.log.error({ err: error }, 'settings could not be written');
    }
  }
}
