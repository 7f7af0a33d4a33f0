import { afterEach, describe, expect, it, vi } from 'vitest';
import { SoftphoneError, type TokenResponse } from '../../protocol/index.js';
import { TokenKeeper, normalizeServerUrl, signalingUrlOf } from './auth.js';

const HOUR = 3_600_000;
let serial = 0;

/** Token pairs as the server issues them, relative to the (fake) clock. */
const issue = (now: number, refreshLifeMs = 30 * 24 * HOUR): TokenResponse => {
  serial += 1;
  return {
    userId: 'alice',
    displayName: 'Alice',
    accessToken: `access-${serial}`,
    accessTokenExpiresAt: now + HOUR,
    refreshToken: `refresh-${serial}`,
    refreshTokenExpiresAt: now + refreshLifeMs,
  };
};

function keeper(
  options: { initial?: boolean; refresh?: (token: string) => Promise<TokenResponse> } = {},
) {
  const clock = { now: () => Date.now() };
  const rotated: string[] = [];
  const refresh = vi.fn(
    options.refresh ?? ((_token: string) => Promise.resolve(issue(clock.now()))),
  );
  const tokens = new TokenKeeper(
    { refresh: (_url, token) => refresh(token), logout: () => Promise.resolve({ revoked: 1 }) },
    clock,
    'http://server',
    'refresh-0',
    {
      rotated: (t) => {
        rotated.push(t.refreshToken);
        return Promise.resolve();
      },
      latest: () => Promise.resolve(rotated.at(-1)),
    },
    options.initial === false ? undefined : issue(clock.now()),
  );
  return { tokens, refresh, rotated };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenKeeper', () => {
  it('hands out the token from sign-in, then refreshes when a hello did not work out', async () => {
    const { tokens, refresh, rotated } = keeper();
    const first = await tokens.getToken();
    tokens.confirm();
    expect(await tokens.getToken()).toBe(first);
    expect(refresh).not.toHaveBeenCalled();
    // No confirm since: the token may be what the server refused (token-expired).
    const next = await tokens.getToken();
    expect(next).not.toBe(first);
    expect(refresh).toHaveBeenCalledWith('refresh-' + String(serial - 1));
    expect(rotated).toEqual([`refresh-${serial}`]);
  });

  it('refreshes a token about to expire, and a restored session at once', async () => {
    vi.useFakeTimers();
    const restored = keeper({ initial: false });
    await restored.tokens.getToken();
    expect(restored.refresh).toHaveBeenCalledTimes(1);

    const { tokens, refresh } = keeper();
    await tokens.getToken();
    tokens.confirm();
    vi.setSystemTime(Date.now() + HOUR - 60_000);
    await tokens.getToken();
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('makes one refresh for many callers at once', async () => {
    const { tokens, refresh } = keeper({ initial: false });
    const all = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    expect(new Set(all).size).toBe(1);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('gives up (unauthorized) on a refused refresh token, retries (timeout) when unreachable', async () => {
    const refused = keeper({
      initial: false,
      refresh: () => Promise.reject(new SoftphoneError('unauthorized', 'revoked')),
    });
    await expect(refused.tokens.getToken()).rejects.toMatchObject({ code: 'unauthorized' });

    const away = keeper({
      initial: false,
      refresh: () => Promise.reject(new SoftphoneError('unreachable', 'down')),
    });
    await expect(away.tokens.getToken()).rejects.toMatchObject({ code: 'timeout' });
  });

  it('uses a still-valid token when the refresh fails for lack of a server', async () => {
    let fail = false;
    const { tokens } = keeper({
      refresh: () =>
        fail
          ? Promise.reject(new SoftphoneError('unreachable', 'down'))
          : Promise.resolve(issue(Date.now())),
    });
    const first = await tokens.getToken();
    fail = true;
    expect(await tokens.getToken()).toBe(first);
  });

  it('renews the refresh token at half its life while connected', async () => {
    vi.useFakeTimers();
    const day = 24 * HOUR;
    const { tokens, refresh, rotated } = keeper({
      refresh: () => Promise.resolve(issue(Date.now(), 4 * day)),
    });
    // The sign-in pair lives 30 days; swap it for a 4-day one first.
    await tokens.getToken();
    await tokens.getToken();
    expect(refresh).toHaveBeenCalledTimes(1);
    tokens.confirm();
    tokens.startRenewal();
    await vi.advanceTimersByTimeAsync(day);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(day + 2 * HOUR);
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(rotated).toHaveLength(2);
    tokens.stopRenewal();
    await vi.advanceTimersByTimeAsync(10 * day);
    expect(refresh).toHaveBeenCalledTimes(2);
  });
});

describe('server URLs', () => {
  it('normalizes what a user types, and derives the signaling URL', () => {
    expect(normalizeServerUrl(' https://Phone.Example.com/ ')).toBe('https://phone.example.com');
    expect(normalizeServerUrl('http://10.0.0.2:8480/tp/')).toBe('http://10.0.0.2:8480/tp');
    expect(signalingUrlOf('https://phone.example.com')).toBe('wss://phone.example.com/ws');
    expect(signalingUrlOf('http://10.0.0.2:8480/tp')).toBe('ws://10.0.0.2:8480/tp/ws');
    expect(() => normalizeServerUrl('phone.example.com')).toThrow(SoftphoneError);
    expect(() => normalizeServerUrl('ftp://phone.example.com')).toThrow(/http/);
  });
});
