import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rawExchange, rawJsonBody } from '../testing/raw-http.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';
import { ADMIN_KEY, Scenario, rejection } from './support.js';

const portOf = (t: TestServer): number => Number(new URL(t.server.httpUrl).port);
const upgrade = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** The server still answers HTTP and WebSocket after whatever came before. */
async function expectServing(t: TestServer): Promise<void> {
  expect((await fetch(`${t.server.httpUrl}/healthz`)).status).toBe(200);
  const ws = new WebSocket(t.server.signalingUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      resolve();
    });
    ws.once('error', reject);
  });
  ws.close();
}

describe('HTTP and upgrade requests the server cannot make sense of', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ media: { enabled: true } });
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('answers an upgrade whose target is not a URL (GET //a:b:c) with 400, and keeps serving', async () => {
    for (const target of ['//a:b:c', '//[::1', 'http://a b/', '//:99999/ws']) {
      const answer = await rawExchange(portOf(t), upgrade(target));
      expect(answer.status, target).toBe(400);
      expect(answer.closed, target).toBe(true);
    }
    await expectServing(t);
  });

  it('answers a plain request whose target is not a URL with 400 bad-request', async () => {
    const answer = await rawExchange(
      portOf(t),
      'GET //a:b:c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(400);
    expect(rawJsonBody(answer.text)).toMatchObject({ error: { code: 'bad-request' } });
    await expectServing(t);
  });

  it('answers bad %-encoding in admin paths with 400 bad-request, not 500', async () => {
    const auth = { authorization: `Bearer ${ADMIN_KEY}` };
    for (const path of [
      '/admin/users/%E0%A4%A/disable',
      '/admin/users/%ZZ/tokens',
      '/admin/queues/%E0%A4%A',
      '/admin/queues/support/agents/%C0',
    ]) {
      const res = await fetch(`${t.server.httpUrl}${path}`, { method: 'POST', headers: auth });
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toMatchObject({ error: { code: 'bad-request' } });
      const put = await fetch(`${t.server.httpUrl}${path}`, { method: 'PUT', headers: auth });
      expect(put.status, path).toBeLessThan(500);
    }
  });

  it('survives an upgrade socket reset right after the request, and a refused one', async () => {
    const { connect } = await import('node:net');
    for (const target of ['/ws', '/sfu', '/nowhere', '//a:b:c']) {
      const socket = connect(portOf(t), '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(upgrade(target));
      socket.resetAndDestroy();
    }
    await sleep(100);
    await expectServing(t);
  });
});

describe('connections per client address', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ limits: { connectionsPerAddress: 3 } });
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('refuses connections over the cap (429, 503 on upgrade) and leaves the open ones alone', async () => {
    await t.addUser('alice');
    const alice = await t.connect('alice');
    const { connect } = await import('node:net');
    const idle = [connect(portOf(t), '127.0.0.1'), connect(portOf(t), '127.0.0.1')];
    for (const s of idle) s.on('error', () => undefined);
    await Promise.all(idle.map((s) => new Promise((resolve) => s.once('connect', resolve))));
    await sleep(50);
    const http = await rawExchange(
      portOf(t),
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(http.status).toBe(429);
    expect(rawJsonBody(http.text)).toMatchObject({ error: { code: 'rate-limited' } });
    expect((await rawExchange(portOf(t), upgrade('/ws'))).status).toBe(503);
    // The signed-in device did not notice.
    await expect(alice.request('ping', {})).resolves.toBeDefined();
    for (const s of idle) s.destroy();
    await sleep(50);
    const after = await rawExchange(
      portOf(t),
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(after.status).toBe(200);
  });
});

describe('devices per user', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await Scenario.start({ limits: { devicesPerUser: 2 } }, ['alice']);
  });
  afterAll(async () => {
    await s.t.dispose();
  });

  it('refuses one device more with too-many-sessions; the others and a reconnecting one stay', async () => {
    const phone = await s.signIn('alice', 'phone');
    const laptop = await s.signIn('alice', 'laptop');
    await rejection(s.signIn('alice', 'tablet'), 'too-many-sessions');
    await expect(phone.request('ping', {})).resolves.toBeDefined();
    await expect(laptop.request('ping', {})).resolves.toBeDefined();
    // The same device signing in again replaces its old session: not one more device.
    const phoneAgain = await s.signIn('alice', 'phone');
    await expect(phoneAgain.request('ping', {})).resolves.toBeDefined();
    expect(s.t.server.services.sessions.sessionsOf('alice')).toHaveLength(2);
  });
});
