import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import { HaproxyInstance } from '../testing/haproxy-instance.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';

/**
 * The shipped HAProxy configuration (deploy/haproxy/haproxy.cfg) in front of real servers:
 * HTTP and signaling WebSockets pass through, the nodes count clients by the address the proxy
 * forwards (a header the client wrote itself counts for nothing), and a node that goes away is
 * taken out so new connections land on the one left. Clients use other loopback addresses
 * (127.0.0.2, .3) than the proxy's (127.0.0.1), as they would other hosts.
 */
const servers: TestServer[] = [];
let proxy: HaproxyInstance | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await proxy?.stop();
  proxy = undefined;
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function nodes(count: number, limits: Record<string, unknown> = {}): Promise<TestServer[]> {
  for (let i = 0; i < count; i++) {
    const server = await startTestServer({
      limits: { trustedProxies: ['127.0.0.1'], ...limits },
      auth: {
        jwtSecret: 'test-secret-test-secret-test-secret-0123',
        adminApiKey: 'admin-key-admin-key-admin-key-01',
        signInPerAddressPerMinute: 3,
      },
    });
    await server.addUser('alice');
    servers.push(server);
  }
  proxy = await HaproxyInstance.start(
    servers.map((s, i) => ({
      name: `node${String(i + 1)}`,
      port: Number(new URL(s.server.httpUrl).port),
    })),
  );
  return servers;
}

/** POST through the proxy from a given local address; resolves with the status. */
function post(path: string, body: unknown, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${proxy?.httpUrl ?? ''}${path}`,
      { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.once('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Opens a signaling socket through the proxy: 'open' or the HTTP status it was refused with. */
function openSocket(
  from: string,
  headers: Record<string, string> = {},
  url = proxy?.wsUrl ?? '',
): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { localAddress: from, headers, perMessageDeflate: false });
    sockets.push(socket);
    socket.once('open', () => {
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
    });
    socket.once('error', reject);
  });
}

async function hello(socket: WebSocket, token: string, device = 'lb-1'): Promise<unknown> {
  const answer = new Promise<unknown>((resolve) => {
    socket.once('message', (data: Buffer) => {
      resolve(JSON.parse(data.toString()));
    });
  });
  socket.send(
    JSON.stringify({
      id: 1,
      type: 'hello',
      data: {
        protocol: PROTOCOL_VERSION,
        token,
        device: { id: device, name: 'lb', platform: 'linux' },
      },
    }),
  );
  return answer;
}

describe('behind the shipped HAProxy configuration', () => {
  it('passes sign-in and signaling through, and limits sign-ins by the forwarded address', async () => {
    await nodes(1);
    const login = { userId: 'alice', password: 'password-alice' };
    for (let i = 0; i < 3; i++) expect(await post('/api/auth/login', login, '127.0.0.2')).toBe(200);
    // The fourth from the same client is over the limit; another client is not.
    expect(await post('/api/auth/login', login, '127.0.0.2')).toBe(429);
    expect(await post('/api/auth/login', login, '127.0.0.3')).toBe(200);

    const { accessToken } = await servers[0]!.login('alice');
    expect(await openSocket('127.0.0.3')).toBe('open');
    const answer = await hello(sockets[0]!, accessToken);
    expect(answer).toMatchObject({ id: 1, ok: true });
  });

  it('counts WebSockets by the client the proxy forwards, not by a header the client wrote', async () => {
    await nodes(1, { connectionsPerAddress: 2 });
    expect(await openSocket('127.0.0.2', { 'x-forwarded-for': '198.51.100.1' })).toBe('open');
    expect(await openSocket('127.0.0.2', { 'x-forwarded-for': '198.51.100.2' })).toBe('open');
    // Still 127.0.0.2 (the proxy's rightmost entry): the third is over its cap of 2.
    expect(await openSocket('127.0.0.2', { 'x-forwarded-for': '198.51.100.3' })).toBe(503);
    expect(await openSocket('127.0.0.3')).toBe('open');
    // Straight to the node (not through a trusted proxy) the header is ignored.
    const direct = servers[0]!.server.signalingUrl;
    for (const forwarded of ['198.51.100.4', '198.51.100.5']) {
      expect(await openSocket('127.0.0.4', { 'x-forwarded-for': forwarded }, direct)).toBe('open');
    }
    expect(await openSocket('127.0.0.4', { 'x-forwarded-for': '198.51.100.6' }, direct)).toBe(503);
  });

  it('takes a node that went away out: its sockets close and new ones reach the other', async () => {
    const [first, second] = await nodes(2);
    const opened = await Promise.all([openSocket('127.0.0.2'), openSocket('127.0.0.2')]);
    expect(opened).toEqual(['open', 'open']);
    const { accessToken: token } = await first!.login('alice');
    const answers = [
      await hello(sockets[0]!, token, 'lb-1'),
      await hello(sockets[1]!, token, 'lb-2'),
    ];
    // leastconn spread the two over both nodes: one signed in on the first, and the second
    // node, which never saw that sign-in, refused the other.
    expect(first!.server.services.sessions.size()).toBe(1);
    expect(answers.filter((a) => (a as { ok?: unknown }).ok === true)).toHaveLength(1);
    const closed = sockets.map((s) => new Promise((resolve) => s.once('close', resolve)));
    await first!.stop();
    await Promise.any(closed);
    const since = Date.now();
    // Each new connection lands on the second node, also in the seconds before the health
    // check marks the first one down (a refused connect is redispatched).
    for (let i = 0; i < 5; i++) expect(await openSocket('127.0.0.3')).toBe('open');
    const { accessToken } = await second!.login('alice');
    expect(await hello(sockets.at(-1)!, accessToken)).toMatchObject({ ok: true });
    expect(Date.now() - since).toBeLessThan(5_000);
  });
});
