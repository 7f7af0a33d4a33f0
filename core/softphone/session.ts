import { z } from 'zod';
import {
  type SoftphoneAccount,
  SoftphoneError,
  type TokenResponse,
  softphoneAccountSchema,
} from '../../protocol/index.js';
import { CallManager } from '../calls/call-manager.js';
import { SignalingClient } from '../signaling/signaling-client.js';
import { type AuthClient, TokenKeeper } from './auth.js';
import { toSoftphoneError } from './errors.js';
import { type KeyValueStore, STORE_KEYS, readJson, writeJson } from './persistence.js';
import type { SoftphoneOptions } from './types.js';

const storedSessionSchema = z.object({ version: z.literal(1), account: softphoneAccountSchema });

/** Unread missed calls: their ids, and up to when (server time) History was last seen. */
const missedStateSchema = z.object({
  seenAt: z.number().optional(),
  ids: z.array(z.string().max(64)).max(1000),
});
export type MissedState = z.infer<typeof missedStateSchema>;
const storedMissedSchema = z.union([
  z.number().int().min(0).max(1000),
  missedStateSchema
    .extend({ version: z.literal(1) })
    .transform(({ version: _v, ...state }) => state),
]);

/** The signed-in account as kept across restarts: the account in `store`, the token apart. */
export class SessionStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly secrets: KeyValueStore,
  ) {}

  async load(): Promise<{ account: SoftphoneAccount; refreshToken: string } | undefined> {
    const session = await readJson(this.store, STORE_KEYS.session, storedSessionSchema);
    const refreshToken = await readJson(this.secrets, STORE_KEYS.refreshToken, z.string().min(1));
    if (!session || refreshToken === undefined) return undefined;
    return { account: session.account, refreshToken };
  }

  async save(account: SoftphoneAccount, refreshToken: string): Promise<void> {
    await writeJson(this.secrets, STORE_KEYS.refreshToken, refreshToken);
    await writeJson(this.store, STORE_KEYS.session, { version: 1, account });
  }

  async saveAccount(account: SoftphoneAccount): Promise<void> {
    await writeJson(this.store, STORE_KEYS.session, { version: 1, account });
  }

  async saveRefreshToken(refreshToken: string): Promise<void> {
    await writeJson(this.secrets, STORE_KEYS.refreshToken, refreshToken);
  }

  async clear(): Promise<void> {
    await this.secrets.delete(STORE_KEYS.refreshToken);
    await this.store.delete(STORE_KEYS.session);
  }

  async loadMissed(userId: string): Promise<MissedState | undefined> {
    const raw = await readJson(this.store, STORE_KEYS.missedUnread(userId), storedMissedSchema);
    // An early build stored a bare count: keep it as that many unread entries.
    if (typeof raw === 'number') {
      return { ids: Array.from({ length: raw }, (_, i) => `earlier-${i}`) };
    }
    return raw;
  }

  async saveMissed(userId: string, state: MissedState): Promise<void> {
    await writeJson(this.store, STORE_KEYS.missedUnread(userId), { version: 1, ...state });
  }
}

/** One signed-in account on one server: its connection, calls and tokens. */
export class Session {
  readonly signaling: SignalingClient;
  readonly calls: CallManager;
  readonly tokens: TokenKeeper;
  /** Stopped for good (token refused, incompatible server, replaced): shown as `failed`. */
  failed = false;
  /** `signIn` is waiting for the first hello: it reports a failure itself. */
  signingIn = false;
  private readonly offs: (() => void)[] = [];

  constructor(
    readonly account: SoftphoneAccount,
    refreshToken: string,
    deps: {
      options: SoftphoneOptions;
      auth: AuthClient;
      deviceId: string;
      signalingUrl: string;
      onTokensRotated: (session: Session, tokens: TokenResponse) => Promise<void>;
      /** The refresh token of this account stored now (another tab may have rotated it). */
      storedRefreshToken: () => Promise<string | undefined>;
    },
    initial?: TokenResponse,
  ) {
    const { options } = deps;
    this.tokens = new TokenKeeper(
      deps.auth,
      options.clock ?? { now: () => Date.now() },
      account.serverUrl,
      refreshToken,
      {
        rotated: (tokens) => deps.onTokensRotated(this, tokens),
        latest: deps.storedRefreshToken,
      },
      initial,
    );
    this.signaling = new SignalingClient({
      url: deps.signalingUrl,
      device: { ...options.device, id: deps.deviceId },
      getToken: () => this.tokens.getToken(),
      renewToken: () => this.tokens.renewalToken(),
      createSocket: options.createSocket,
      ...(options.requestTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });
    this.calls = new CallManager(this.signaling);
  }

  /**
   * Resolves at the first hello, rejects on a fatal refusal (`incompatible-version`,
   * `unauthorized`) or, after `timeoutMs`, with `unreachable`.
   */
  whenSignedIn(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.connected) {
        resolve();
        return;
      }
      const cleanup = () => {
        clearTimeout(timer);
        offReady();
        offFatal();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new SoftphoneError('unreachable', `no signaling answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const offReady = this.signaling.once('ready', () => {
        cleanup();
        resolve();
      });
      const offFatal = this.signaling.once('fatal', (error) => {
        cleanup();
        reject(toSoftphoneError(error));
      });
    });
  }

  /** Listeners to remove when the session closes. */
  own(...offs: (() => void)[]): void {
    this.offs.push(...offs);
  }

  get connected(): boolean {
    return !this.failed && this.signaling.state === 'connected';
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.tokens.stopRenewal();
    this.signaling.close();
  }
}
