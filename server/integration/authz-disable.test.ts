import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import { opusParameters } from '../sfu/testing/media-fixtures.js';
import { SfuTestClient } from '../sfu/testing/sfu-test-client.js';
import type { TestClient } from '../testing/test-client.js';
import { ADMIN_KEY, Scenario, eventually, rejection } from './support.js';

/**
 * Disabling an account ends everything it still has: its part in every live call (a one-to-one
 * call ends, invitations to it stop ringing), its media at the SFU, and every session, with
 * `session.closing account-disabled`; sign-in, refresh and hello refuse it. The same when the
 * `user disable` CLI writes the SQLite file from another process: the server notices within
 * `auth.accountCheckIntervalMs`.
 */

const CHECK_MS = 200;

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

async function start(): Promise<Scenario> {
  s = await Scenario.start(
    {
      media: { enabled: true },
      sfu: { workers: 1 },
      // Replaces the test server's auth settings: the admin key must be given again.
      auth: { adminApiKey: ADMIN_KEY, accountCheckIntervalMs: CHECK_MS },
    },
    ['alice', 'dave'],
  );
  await s.t.addUser('bob', 'Bob');
  return s;
}

/** Alice and Bob in an answered call, both in its media room, Bob's microphone on. */
async function callWithMedia(alice: TestClient, bob: TestClient, callId: string) {
  await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
  await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
  await bob.request('call.accept', { callId });
  const join = async (client: TestClient) => {
    const { ticket, sfuUrl } = await client.request('media.ticket', { callId });
    return (await SfuTestClient.join(sfuUrl, ticket)).client;
  };
  const aliceMedia = await join(alice);
  const bobMedia = await join(bob);
  const send = await bobMedia.request('transport.create', { direction: 'send' });
  await bobMedia.request('produce', {
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opusParameters(7373),
  });
  return { aliceMedia, bobMedia };
}

async function expectAllOfBobEnded(
  alice: TestClient,
  bob: TestClient,
  dave: TestClient,
  bobMedia: SfuTestClient,
  timeoutMs: number,
): Promise<void> {
  const ended = await alice.waitFor('call.ended', (e) => e.call.callId === 'disable-1', timeoutMs);
  expect(ended.call.legs.find((l) => l.userId === 'bob')).toMatchObject({
    state: 'accepted',
    reason: 'account-disabled',
  });
  // The invitation Bob was still ringing for ends for its caller too.
  const withdrawn = await dave.waitFor('call.ended', (e) => e.call.callId === 'disable-2');
  expect(withdrawn.call.legs[0]).toMatchObject({ state: 'canceled', reason: 'account-disabled' });
  expect(await bob.waitFor('session.closing')).toEqual({ reason: 'account-disabled' });
  expect(await bob.closed).toBe(4000);
  await expect(bobMedia.closed).resolves.toMatchObject({ code: 4000 });
  await eventually(() => s.t.sfu().roomOf('disable-1') === undefined);
  expect(s.t.sfu().counts()).toMatchObject({ transports: 0, producers: 0, consumers: 0 });
  expect(s.t.server.services.calls.callsOf('bob')).toEqual([]);
}

async function expectSignInsRefused(accessToken: string, refreshToken: string): Promise<void> {
  const retry = await s.connectAnonymous();
  await rejection(
    retry.request('hello', {
      protocol: PROTOCOL_VERSION,
      token: accessToken,
      device: { id: 'bob-laptop', name: 'laptop', platform: 'linux' },
    }),
    'unauthorized',
  );
  const login = await s.http('POST', '/api/auth/login', {
    body: { userId: 'bob', password: 'password-bob' },
    key: null,
  });
  expect(login.status).toBe(401);
  const refresh = await s.http('POST', '/api/auth/refresh', { body: { refreshToken }, key: null });
  expect(refresh.status).toBe(401);
}

/** Bob in a call with Alice, and rung (call waiting) by Dave. */
async function bobBusy() {
  const tokens = await s.t.login('bob');
  const alice = await s.signIn('alice');
  const dave = await s.signIn('dave');
  const { client: bob } = await s.signInWithToken(tokens.accessToken, 'bob-laptop');
  await bob.request('settings.update', { callWaiting: true });
  const { bobMedia } = await callWithMedia(alice, bob, 'disable-1');
  await dave.request('call.invite', { callId: 'disable-2', callees: ['bob'], media: 'audio' });
  await bob.waitFor('call.incoming', (d) => d.call.callId === 'disable-2');
  return { tokens, alice, dave, bob, bobMedia };
}

describe('a disabled account', () => {
  it('loses its calls, media and sessions at once when the admin API disables it', async () => {
    await start();
    const { tokens, alice, dave, bob, bobMedia } = await bobBusy();
    expect((await s.http('POST', '/admin/users/bob/disable')).status).toBe(200);
    await expectAllOfBobEnded(alice, bob, dave, bobMedia, 2_000);
    await expectSignInsRefused(tokens.accessToken, tokens.refreshToken);
  });

  it('loses them within the check interval when the CLI disables it from another process', async () => {
    await start();
    const { tokens, alice, dave, bob, bobMedia } = await bobBusy();
    // The real CLI, as an operator runs it: its own process and SQLite connection.
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', 'user', 'disable', 'bob'],
      { env: { ...process.env, TRAYPHONE_DATA_DIR: s.t.dataDir, TRAYPHONE_LOG_LEVEL: 'warn' } },
    );
    const disabledAt = Date.now();
    await expectAllOfBobEnded(alice, bob, dave, bobMedia, CHECK_MS * 10);
    expect(Date.now() - disabledAt).toBeLessThan(CHECK_MS * 10);
    await expectSignInsRefused(tokens.accessToken, tokens.refreshToken);
  });
});
