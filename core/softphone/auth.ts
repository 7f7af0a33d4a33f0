import type { z } from 'zod';
import {
  SoftphoneError,
  type SignOutResponse,
  type TokenResponse,
  restErrorSchema,
  signOutResponseSchema,
  tokenResponseSchema,
} from '../../protocol/index.js';
import { SignalingError } from '../signaling/signaling-client.js';

/** The part of `fetch` the softphone uses: the browser's, Node's and Electron's all fit. */
export type FetchLike = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: string;
    signal?: AbortSignal;
  },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** A server base URL as typed by a user, made canonical: `http(s)://host[:port][/path]`. */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new SoftphoneError('invalid-argument', `not a URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SoftphoneError('invalid-argument', `the server URL must be http(s): ${input}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The signaling endpoint of a server: same host, `ws(s)`, path `/ws` (server/app.ts). */
export const signalingUrlOf = (serverUrl: string): string =>
  `${serverUrl.replace(/^http/, 'ws')}/ws`;

/** Refresh the access token when it has less than this left: covers clock skew and a slow hello. */
const REFRESH_MARGIN_MS = 120_000;
/** How often, at most, a connected client checks whether its refresh token needs renewing. */
const RENEWAL_CHECK_MS = 3_600_000;

/**
 * The account's tokens: signs in with a password, and hands SignalingClient a valid access token
 * before every hello, refreshing it (and rotating the refresh token) when it is about to expire.
 */
export class AuthClient {
  constructor(private readonly deps: { fetch: FetchLike; clock: Clock; httpTimeoutMs: number }) {}

  login(serverUrl: string, userId: string, password: string): Promise<TokenResponse> {
    const body = { userId, password };
    return this.post(serverUrl, '/api/auth/login', body, 'login', tokenResponseSchema);
  }

  /** Rotates: the answer's refresh token replaces the one sent, which is dead from now on. */
  refresh(serverUrl: string, refreshToken: string): Promise<TokenResponse> {
    const body = { refreshToken };
    return this.post(serverUrl, '/api/auth/refresh', body, 'refresh', tokenResponseSchema);
  }

  /** Signs this sign-in out on the server: its refresh and access tokens stop working. */
  logout(serverUrl: string, refreshToken: string): Promise<SignOutResponse> {
    const body = { refreshToken };
    return this.post(serverUrl, '/api/auth/logout', body, 'refresh', signOutResponseSchema);
  }

  private async post<S extends z.ZodType>(
    serverUrl: string,
    path: string,
    body: unknown,
    kind: 'login' | 'refresh',
    schema: S,
  ): Promise<z.infer<S>> {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      abort.abort();
    }, this.deps.httpTimeoutMs);
    let status: number;
    let json: unknown;
    try {
      const res = await this.deps.fetch(`${serverUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      status = res.status;
      json = await res.json().catch(() => undefined);
    } catch (error) {
      const timedOut = abort.signal.aborted;
      throw new SoftphoneError(
        timedOut ? 'timeout' : 'unreachable',
        timedOut
          ? `${serverUrl} did not answer within ${this.deps.httpTimeoutMs} ms`
          : `cannot reach ${serverUrl}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
    if (status === 200) {
      const answer = schema.safeParse(json);
      if (answer.success) return answer.data;
      throw new SoftphoneError('unreachable', `${serverUrl} is not a Trayphone server`);
    }
    const failure = restErrorSchema.safeParse(json);
    const message = failure.success ? failure.data.error.message : `HTTP ${status}`;
    if (status === 401) {
      // A refused refresh token (expired, revoked, account disabled) means signing in again.
      throw new SoftphoneError(kind === 'login' ? 'wrong-credentials' : 'unauthorized', message);
    }
    if (status === 429) throw new SoftphoneError('rate-limited', message);
    if (status === 400) throw new SoftphoneError('bad-request', message);
    if (!failure.success) {
      throw new SoftphoneError('unreachable', `${serverUrl} is not a Trayphone server (${status})`);
    }
    throw new SoftphoneError('internal', message);
  }
}

/**
 * Where the refresh token is kept across restarts. `latest` reads what is stored now: browser
 * tabs share one store (localStorage) and one sign-in, so a tab that rotated the token leaves
 * the new one there, and another tab refreshing with the one it still holds in memory would be
 * presenting a used token (a reuse: the server revokes the sign-in, signing every tab out).
 */
export interface SavedRefreshToken {
  /** Persists the rotated refresh token. */
  rotated(tokens: TokenResponse): Promise<void>;
  /** The refresh token of this sign-in stored now, if any (another tab may have rotated it). */
  latest(): Promise<string | undefined>;
}

/**
 * The tokens of the signed-in account, refreshed on demand, one refresh at a time, each with the
 * newest refresh token stored (see SavedRefreshToken). Two tabs that read the same token at the
 * same moment both present it; the server's reuse grace answers both with the same new token.
 */
export class TokenKeeper {
  private accessToken: string | undefined;
  private accessExpiresAt = 0;
  /** When the current refresh token was obtained and runs out (unknown for a restored one). */
  private refreshObtainedAt = 0;
  private refreshExpiresAt: number | undefined;
  private renewalTimer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<string> | undefined;
  /** A token was handed out and no hello succeeded with it since: the next call refreshes. */
  private unconfirmed = false;

  constructor(
    private readonly auth: Pick<AuthClient, 'refresh' | 'logout'>,
    private readonly clock: Clock,
    private readonly serverUrl: string,
    private refreshToken: string,
    private readonly saved: SavedRefreshToken,
    initial?: TokenResponse,
  ) {
    if (initial) this.take(initial);
  }

  /** The hello this token was for succeeded. */
  confirm(): void {
    this.unconfirmed = false;
  }

  /** The server said the token expired (or revoked it): do not hand it out again. */
  invalidate(): void {
    this.accessToken = undefined;
  }

  /**
   * Signs this sign-in out on the server, with the newest refresh token (after a refresh in
   * flight, never one it rotated away: that would count as reuse). Best effort: an unreachable
   * server leaves the sign-in to expire, and the caller forgets the tokens either way.
   */
  async revoke(): Promise<void> {
    this.stopRenewal();
    await this.inFlight?.catch(() => undefined);
    this.accessToken = undefined;
    const latest = await this.saved.latest().catch(() => undefined);
    await this.auth.logout(this.serverUrl, latest ?? this.refreshToken);
  }

  /** For SignalingClient's `getToken`: its errors decide between retrying and giving up. */
  getToken(): Promise<string> {
    const fresh = this.clock.now() < this.accessExpiresAt - REFRESH_MARGIN_MS;
    if (this.accessToken !== undefined && fresh && !this.unconfirmed) {
      this.unconfirmed = true;
      return Promise.resolve(this.accessToken);
    }
    this.inFlight ??= this.refreshNow().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * For SignalingClient's `renewToken`: a newly refreshed access token for `session.renew`,
   * never the one in hand (that one's expiry is the deadline to move). When the server cannot
   * be reached, the token in hand comes back: the renewal changes nothing and is tried again.
   */
  renewalToken(): Promise<string> {
    this.inFlight ??= this.refreshNow(false).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * While connected, renews the refresh token at half its life: a tray app may stay connected
   * for longer than a refresh token lives, and its next reconnect must still find one valid.
   */
  startRenewal(): void {
    this.stopRenewal();
    const life = (this.refreshExpiresAt ?? Infinity) - this.refreshObtainedAt;
    const delay = Math.max(1_000, Math.min(RENEWAL_CHECK_MS, life / 4));
    this.renewalTimer = setTimeout(() => {
      const due =
        this.refreshExpiresAt !== undefined &&
        this.clock.now() >= this.refreshObtainedAt + life / 2;
      if (due) {
        this.inFlight ??= this.refreshNow(false).finally(() => {
          this.inFlight = undefined;
        });
        // A failure is retried at the next check; a refused token surfaces at the next hello.
        this.inFlight.catch(() => undefined);
      }
      this.startRenewal();
    }, delay);
    // Node: renewal must not keep a process alive.
    (this.renewalTimer as { unref?: () => void }).unref?.();
  }

  stopRenewal(): void {
    clearTimeout(this.renewalTimer);
    this.renewalTimer = undefined;
  }

  private async refreshNow(forHello = true): Promise<string> {
    try {
      this.refreshToken = (await this.saved.latest().catch(() => undefined)) ?? this.refreshToken;
      const tokens = await this.auth.refresh(this.serverUrl, this.refreshToken);
      this.take(tokens);
      await this.saved.rotated(tokens);
      if (forHello) this.unconfirmed = true;
      return tokens.accessToken;
    } catch (error) {
      const code = error instanceof SoftphoneError ? error.code : 'unreachable';
      if (code === 'unauthorized') throw new SignalingError('unauthorized', String(error));
      // The server is away or busy: a still-valid token is worth a try, else retry later.
      if (this.accessToken !== undefined && this.clock.now() < this.accessExpiresAt) {
        return this.accessToken;
      }
      throw new SignalingError('timeout', `token refresh failed: ${String(error)}`);
    }
  }

  private take(tokens: TokenResponse): void {
    this.accessToken = tokens.accessToken;
    this.accessExpiresAt = tokens.accessTokenExpiresAt;
    this.refreshToken = tokens.refreshToken;
    this.refreshObtainedAt = this.clock.now();
    this.refreshExpiresAt = tokens.refreshTokenExpiresAt;
  }
}
