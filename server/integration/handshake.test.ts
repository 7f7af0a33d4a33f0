import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, rejection } from './support.js';

const AUTH_TIMEOUT_MS = 300;

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({ signaling: { authTimeoutMs: AUTH_TIMEOUT_MS } }, ['alice']);
});
afterEach(async () => {
  await s.dispose();
});

const device = { id: 'alice-laptop', name: 'laptop', platform: 'linux' } as const;
const hello = (client: TestClient, token: string, protocol = PROTOCOL_VERSION) =>
  client.request('hello', { protocol, token, device });

describe('the hello handshake', () => {
  it('closes a socket that does not sign in within the auth timeout', async () => {
    const opened = Date.now();
    const client = await s.connectAnonymous();
    expect(await client.closed).toBe(4001);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 20);
  });

  it('keeps a signed-in socket open past the auth timeout', async () => {
    const { client, hello: result } = await s.signInWithHello('alice', 'alice-laptop');
    expect(result).toMatchObject({ userId: 'alice', displayName: 'Alice', calls: [] });
    // A socket opened later is closed by its auth timer: by then this one's has expired too.
    const later = await s.connectAnonymous();
    expect(await later.closed).toBe(4001);
    await client.request('ping', {});
  });

  it('refuses a bad token as unauthorized and lets the client try again', async () => {
    const client = await s.connectAnonymous();
    await rejection(hello(client, 'not-a-token'), 'unauthorized');
    const signed = await hello(client, await s.token('alice'));
    expect(signed.userId).toBe('alice');
  });

  it('refuses an expired token as token-expired', async () => {
    const client = await s.connectAnonymous();
    await rejection(hello(client, await s.token('alice', -60)), 'token-expired');
  });

  it('refuses a refresh token where an access token belongs', async () => {
    const client = await s.connectAnonymous();
    const refresh = await s.t.server.services.tokens.issue('alice', 'refresh');
    await rejection(hello(client, refresh.token), 'unauthorized');
  });

  it('refuses a protocol version it does not speak as incompatible-version', async () => {
    const client = await s.connectAnonymous();
    const error = await rejection(
      hello(client, await s.token('alice'), PROTOCOL_VERSION + 1),
      'incompatible-version',
    );
    expect(error.message).toContain(String(PROTOCOL_VERSION));
  });

  it('answers requests before hello with not-authenticated, and a second hello with already-authenticated', async () => {
    const client = await s.connectAnonymous();
    await rejection(client.request('call.list', {}), 'not-authenticated');
    await hello(client, await s.token('alice'));
    await rejection(hello(client, await s.token('alice')), 'already-authenticated');
  });
});
