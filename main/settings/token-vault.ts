import type { Log } from '../log/log.js';
import type { SealedSecret } from './settings-document.js';

/** Electron's `safeStorage`, as far as the vault needs it. */
export interface SafeStoragePort {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only: `basic_text` means "no keyring": a fixed key, obfuscation rather than secrecy. */
  getSelectedStorageBackend?(): string;
}

export type VaultStatus =
  /** Sealed by the OS keychain (DPAPI, Keychain, libsecret/kwallet). */
  | 'sealed'
  /** No usable keychain: the token is kept in memory only, sign-in is needed after a restart. */
  | 'memory-only';

/**
 * Keeps the refresh token. It is written to disk only sealed by the OS keychain. Without a real
 * keychain (Linux without a secret service reports the `basic_text` backend; any platform may
 * report encryption unavailable) it is NOT stored in plaintext as a silent fallback: it stays in
 * memory for this run, the vault reports `memory-only`, and the next start asks to sign in again.
 */
export class TokenVault {
  private memoryToken: string | null = null;

  constructor(
    private readonly safeStorage: SafeStoragePort,
    private readonly log: Log,
  ) {}

  status(): VaultStatus {
    try {
      if (!this.safeStorage.isEncryptionAvailable()) return 'memory-only';
      return this.safeStorage.getSelectedStorageBackend?.() === 'basic_text'
        ? 'memory-only'
        : 'sealed';
    } catch {
      return 'memory-only';
    }
  }

  /** Returns what to persist for `token` (null: nothing goes to disk). */
  seal(token: string | null): SealedSecret | null {
    this.memoryToken = token;
    if (token === null) return null;
    if (this.status() !== 'sealed') {
      this.log.warn({}, 'no OS keychain: the token is kept in memory only for this run');
      return null;
    }
    return {
      scheme: 'safeStorage',
      data: this.safeStorage.encryptString(token).toString('base64'),
    };
  }

  /** The token from memory, or unsealed from disk; null when unavailable or tampered with. */
  open(sealed: SealedSecret | null): string | null {
    if (this.memoryToken !== null) return this.memoryToken;
    if (sealed === null || this.status() !== 'sealed') return null;
    try {
      this.memoryToken = this.safeStorage.decryptString(Buffer.from(sealed.data, 'base64'));
      return this.memoryToken;
    } catch (error) {
      this.log.warn({ err: error }, 'stored token could not be unsealed: sign-in needed');
      return null;
    }
  }
}
