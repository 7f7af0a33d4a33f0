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
  /** No usable keychain: secrets are kept in memory only, sign-in is needed after a restart. */
  | 'memory-only';

/**
 * Seals secrets (the refresh token) with the OS keychain. Without a real keychain (Linux without a
 * secret service reports the `basic_text` backend; any platform may report encryption
 * unavailable) `seal` returns null: the caller keeps the secret in memory for this run, and it is
 * NOT written in plaintext as a silent fallback; the next start asks to sign in again.
 */
export class TokenVault {
  private warned = false;

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

  /** The sealed form of `secret`, or null when it must not go to disk. */
  seal(secret: string): SealedSecret | null {
    if (this.status() !== 'sealed') {
      if (!this.warned) {
        this.warned = true;
        this.log.warn({}, 'no OS keychain: secrets are kept in memory only for this run');
      }
      return null;
    }
    try {
      return {
        scheme: 'safeStorage',
        data: this.safeStorage.encryptString(secret).toString('base64'),
      };
    } catch (error) {
      this.log.warn({ err: error }, 'keychain refused to seal: kept in memory only');
      return null;
    }
  }

  /** The secret, or null when no keychain can open it or it was tampered with. */
  open(sealed: SealedSecret): string | null {
    if (this.status() !== 'sealed') return null;
    try {
      return this.safeStorage.decryptString(Buffer.from(sealed.data, 'base64'));
    } catch (error) {
      this.log.warn({ err: error }, 'stored secret could not be unsealed: sign-in needed');
      return null;
    }
  }
}
