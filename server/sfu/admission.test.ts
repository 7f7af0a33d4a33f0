import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SfuFixture, startSfuFixture } from './testing/sfu-fixture.js';
import { SfuTestClient, errorCodeOf } from './testing/sfu-test-client.js';

describe('SFU admission with media tickets', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('admits a participant with a valid ticket and describes the room', async () => {
    f.admit('call-admit-1', 'alice', 'bob');
    const { client: alice, joined } = await SfuTestClient.join(
      f.url,
      await f.ticket('call-admit-1', 'alice'),
    );
    expect(joined.callId).toBe('call-admit-1');
    expect(joined.userId).toBe('alice');
    expect(joined.peers).toEqual([]);
    const codecs = (joined.routerRtpCapabilities.codecs as { mimeType: string }[]).map(
      (c) => c.mimeType,
    );
    expect(codecs).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/VP9']));
    expect(codecs).toContain('video/H264');

    const { client: bob, joined: bobJoined } = await SfuTestClient.join(
      f.url,
      await f.ticket('call-admit-1', 'bob'),
    );
    expect(bobJoined.peers).toEqual([{ userId: 'alice', producers: [] }]);
    await expect(alice.waitFor('peer.joined')).resolves.toEqual({ userId: 'bob' });
    expect(f.sfu.counts()).toMatchObject({ routers: 1 });

    await bob.close();
    await expect(alice.waitFor('peer.left')).resolves.toEqual({ userId: 'bob' });
    await alice.close();
    expect(alice.invalidFrames).toEqual([]);
  });

  it('answers an expired ticket with token-expired', async () => {
    f.admit('call-admit-2', 'alice');
    const client = await SfuTestClient.connect(f.url);
    const expired = await f.ticket('call-admit-2', 'alice', -10);
    await expect(errorCodeOf(client.request('join', { ticket: expired }))).resolves.toBe(
      'token-expired',
    );
    // The socket lives on and may join with a fresh ticket.
    const fresh = await f.ticket('call-admit-2', 'alice');
    await expect(client.request('join', { ticket: fresh })).resolves.toMatchObject({
      userId: 'alice',
    });
    await client.close();
  });

  it('refuses a ticket for a call the user is not in with forbidden', async () => {
    f.admit('call-admit-3', 'alice');
    const client = await SfuTestClient.connect(f.url);
    const otherCall = await f.ticket('call-admit-other', 'alice');
    await expect(errorCodeOf(client.request('join', { ticket: otherCall }))).resolves.toBe(
      'forbidden',
    );
    const notInvited = await f.ticket('call-admit-3', 'mallory');
    await expect(errorCodeOf(client.request('join', { ticket: notInvited }))).resolves.toBe(
      'forbidden',
    );
    await client.close();
  });

  it('refuses what is not a media ticket with unauthorized', async () => {
    f.admit('call-admit-4', 'alice');
    const client = await SfuTestClient.connect(f.url);
    const { token: access } = await f.tokens.issue('alice', 'access');
    await expect(errorCodeOf(client.request('join', { ticket: access }))).resolves.toBe(
      'unauthorized',
    );
    await expect(errorCodeOf(client.request('join', { ticket: 'not.a.jwt' }))).resolves.toBe(
      'unauthorized',
    );
    await client.close();
  });

  it('takes a removed participant out and refuses its new tickets', async () => {
    f.admit('call-admit-5', 'alice', 'bob');
    const alice = await f.join('call-admit-5', 'alice');
    const bob = await f.join('call-admit-5', 'bob');
    await alice.waitFor('peer.joined');
    // As the call engine does it: the leg is left, then the media plane is told.
    f.dismiss('call-admit-5', 'bob');
    f.sfu.participantLeft('call-admit-5', 'bob', 'removed');
    await expect(bob.waitFor('room.closed')).resolves.toEqual({ reason: 'removed' });
    await expect(bob.closed).resolves.toMatchObject({ code: 4000 });
    await expect(alice.waitFor('peer.left')).resolves.toEqual({ userId: 'bob' });

    const again = await SfuTestClient.connect(f.url);
    const ticket = await f.ticket('call-admit-5', 'bob');
    await expect(errorCodeOf(again.request('join', { ticket }))).resolves.toBe('forbidden');
    await again.close();
  });

  it('replaces the peer of a user who joins again on another socket', async () => {
    f.admit('call-admit-6', 'alice', 'bob');
    const first = await f.join('call-admit-6', 'alice');
    const bob = await f.join('call-admit-6', 'bob');
    await first.waitFor('peer.joined');
    const second = await f.join('call-admit-6', 'alice');
    await expect(first.waitFor('room.closed')).resolves.toEqual({ reason: 'replaced' });
    await expect(first.closed).resolves.toMatchObject({ code: 4000 });
    await expect(bob.waitFor('peer.left')).resolves.toEqual({ userId: 'alice' });
    await expect(bob.waitFor('peer.joined')).resolves.toEqual({ userId: 'alice' });
    await expect(second.request('transport.create', { direction: 'send' })).resolves.toMatchObject({
      id: expect.any(String) as string,
    });
  });

  it('wants join first, and only once', async () => {
    f.admit('call-admit-7', 'alice');
    const client = await SfuTestClient.connect(f.url);
    await expect(
      errorCodeOf(client.request('transport.create', { direction: 'send' })),
    ).resolves.toBe('not-authenticated');
    const ticket = await f.ticket('call-admit-7', 'alice');
    await client.request('join', { ticket });
    await expect(errorCodeOf(client.request('join', { ticket }))).resolves.toBe(
      'already-authenticated',
    );
    await client.close();
  });

  it('admits each ticket once: a replay is refused and the first peer stays', async () => {
    f.admit('call-admit-8', 'alice', 'bob');
    const ticket = await f.ticket('call-admit-8', 'alice');
    const { client: owner } = await SfuTestClient.join(f.url, ticket);
    const replay = await SfuTestClient.connect(f.url);
    await expect(errorCodeOf(replay.request('join', { ticket }))).resolves.toBe('unauthorized');
    expect(f.sfu.roomOf('call-admit-8')?.userIds()).toEqual(['alice']);
    expect(owner.received('room.closed')).toEqual([]);
    expect(owner.socket.readyState).toBe(WebSocket.OPEN);
    await replay.close();
    await owner.close();
  });

  it('refuses upgrades on other paths', async () => {
    const socket = new WebSocket(`${f.baseUrl}/elsewhere`);
    const outcome = await new Promise<string>((resolve) => {
      socket.once('open', () => {
        resolve('open');
      });
      socket.once('error', (error) => {
        resolve(error.message);
      });
    });
    expect(outcome).toMatch(/404/);
  });
});

describe('SFU socket hygiene', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture({ authTimeoutMs: 300, rateLimitBurst: 5, rateLimitPerSec: 1 });
  });
  afterAll(async () => {
    await f.close();
  });

  it('closes sockets that do not join in time', async () => {
    const client = await SfuTestClient.connect(f.url);
    await expect(client.closed).resolves.toMatchObject({ code: 4001 });
  });

  it('answers every malformed frame with a structured error and stays open', async () => {
    f.admit('call-hygiene', 'alice');
    const client = await SfuTestClient.connect(f.url);
    client.sendRaw('{ not json');
    await expect(errorCodeOf(client.requestRaw('no.such.thing', {}))).resolves.toBe('unknown-type');
    await expect(errorCodeOf(client.requestRaw('join', { ticket: 42 }))).resolves.toBe(
      'bad-request',
    );
    client.sendRaw(Buffer.from([1, 2, 3]));
    const big = JSON.stringify({ id: 'big-1', type: 'join', data: { ticket: 'x'.repeat(70_000) } });
    client.sendRaw(big);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.orphanErrors.map((e) => e.code)).toEqual(['bad-frame', 'bad-frame']);
    // The oversized frame's id was recovered from its head; its error was a response.
    expect(client.invalidFrames).toEqual([expect.stringContaining('big-1')]);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    await client.close();
  });

  it('rate-limits each socket with a token bucket', async () => {
    f.admit('call-hygiene-2', 'alice');
    const client = await SfuTestClient.connect(f.url);
    const outcomes = await Promise.all(
      Array.from({ length: 7 }, () =>
        errorCodeOf(client.request('leave', {})).catch(() => 'answered'),
      ),
    );
    expect(outcomes.filter((c) => c === 'rate-limited').length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((c) => c === 'not-authenticated').length).toBeGreaterThanOrEqual(4);
    await client.close();
  });
});

describe('SFU heartbeat', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture({ heartbeatIntervalMs: 100 });
  });
  afterAll(async () => {
    await f.close();
  });

  it('drops a joined peer whose socket stops answering pings, and its media with it', async () => {
    f.admit('call-heartbeat', 'alice', 'bob');
    const alice = await f.join('call-heartbeat', 'alice');
    const socket = new WebSocket(f.url, { autoPong: false });
    await new Promise((resolve) => socket.once('open', resolve));
    const ticket = await f.ticket('call-heartbeat', 'bob');
    socket.send(JSON.stringify({ id: 1, type: 'join', data: { ticket } }));
    await alice.waitFor('peer.joined', (p) => p.userId === 'bob');
    await expect(alice.waitFor('peer.left', (p) => p.userId === 'bob', 2_000)).resolves.toEqual({
      userId: 'bob',
    });
    // Alice answers pings (ws does by default) and stays.
    expect(alice.socket.readyState).toBe(WebSocket.OPEN);
    f.sfu.callEnded('call-heartbeat');
  });
});
