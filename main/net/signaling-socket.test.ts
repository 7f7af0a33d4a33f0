import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { memoryLog } from '../log/log.js';
import { ConnectProxy, privateCa } from '../testing/connect-proxy.js';
import { ProxyTunnelError, connectTunnel } from './proxy-tunnel.js';
import { signalingSocketFactory } from './signaling-socket.js';

const text = (data: WebSocket.RawData): string =>
  Buffer.isBuffer(data) ? data.toString('utf8') : '(not a buffer)';

/**
 * Main's signaling socket against real parts on loopback: a wss server whose certificate a
 * private CA signed (a TLS-inspection CA that only the OS store trusts), and a real HTTP
 * CONNECT proxy that the resolver (Electron's resolveProxy in the app) names.
 */
let pki: ReturnType<typeof privateCa>;
let server: https.Server;
let wss: WebSocketServer;
let url: string;
let proxy: ConnectProxy;
let proxyPort: number;

beforeAll(async () => {
  pki = privateCa();
  server = https.createServer({ key: pki.key, cert: pki.cert });
  wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      socket.send(`echo:${text(data)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
}, 30_000);

afterAll(async () => {
  wss.close();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

beforeEach(async () => {
  proxy = new ConnectProxy();
  proxyPort = await proxy.listen();
});
afterEach(async () => {
  await proxy.close();
});

/** Opens a socket, sends one message, resolves with the echo or rejects with the error. */
function roundTrip(socket: WebSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.send('hello');
    });
    socket.once('message', (data) => {
      resolve(text(data));
      socket.close();
    });
    socket.once('error', reject);
  });
}

describe('the signaling socket: system proxy and system CAs', () => {
  it('goes through the HTTP proxy the resolver names, TLS end to end with the system CA', async () => {
    const asked: string[] = [];
    const open = signalingSocketFactory({
      resolveProxy: (target) => {
        asked.push(target);
        return Promise.resolve(`PROXY 127.0.0.1:${proxyPort}; DIRECT`);
      },
      ca: [pki.ca],
      log: memoryLog(),
    });
    expect(await roundTrip(open(url))).toBe('echo:hello');
    const authority = new URL(url).host;
    expect(proxy.connects).toEqual([authority]);
    expect(asked).toEqual([`https://${authority}/`]);
  });

  it('DIRECT connects straight, the proxy sees nothing', async () => {
    const open = signalingSocketFactory({
      resolveProxy: () => Promise.resolve('DIRECT'),
      ca: [pki.ca],
      log: memoryLog(),
    });
    expect(await roundTrip(open(url))).toBe('echo:hello');
    expect(proxy.connects).toEqual([]);
  });

  it("without the system CA the private CA's server is refused, through the proxy too", async () => {
    const open = signalingSocketFactory({
      resolveProxy: () => Promise.resolve(`PROXY 127.0.0.1:${proxyPort}`),
      ca: undefined,
      log: memoryLog(),
    });
    await expect(roundTrip(open(url))).rejects.toThrow(/self[- ]signed|unable to verify|issuer/i);
    expect(proxy.connects).toHaveLength(1);
  });

  it('a proxy that wants authentication fails the socket with a clear error', async () => {
    proxy.answer = 407;
    const log = memoryLog();
    const open = signalingSocketFactory({
      resolveProxy: () => Promise.resolve(`PROXY 127.0.0.1:${proxyPort}`),
      ca: [pki.ca],
      log,
    });
    await expect(roundTrip(open(url))).rejects.toThrow(/requires authentication \(407\)/);
  });

  it('a resolver failure or an unsupported proxy kind connects directly and says so', async () => {
    const log = memoryLog();
    const failing = signalingSocketFactory({
      resolveProxy: () => Promise.reject(new Error('session destroyed')),
      ca: [pki.ca],
      log,
    });
    expect(await roundTrip(failing(url))).toBe('echo:hello');
    const socks = signalingSocketFactory({
      resolveProxy: () => Promise.resolve('SOCKS5 127.0.0.1:1080'),
      ca: [pki.ca],
      log,
    });
    expect(await roundTrip(socks(url))).toBe('echo:hello');
    expect(log.lines.map((l) => l.message)).toEqual([
      'proxy resolution failed: connecting directly',
      'proxy entries not supported for signaling: skipped',
    ]);
  });
});

describe('connectTunnel', () => {
  const target = { host: '127.0.0.1', port: 9 };

  it('refused (403) and silent proxies fail with what happened', async () => {
    proxy.answer = 403;
    await expect(connectTunnel({ host: '127.0.0.1', port: proxyPort }, target)).rejects.toThrow(
      /refused CONNECT 127\.0\.0\.1:9: HTTP\/1\.1 403/,
    );
    proxy.answer = 'silent';
    const silent = connectTunnel({ host: '127.0.0.1', port: proxyPort }, target, 200);
    await expect(silent).rejects.toBeInstanceOf(ProxyTunnelError);
    await expect(silent).rejects.toThrow(/no answer to CONNECT .* within 200 ms/);
  });

  it('a proxy that is not there fails at once', async () => {
    await proxy.close();
    await expect(connectTunnel({ host: '127.0.0.1', port: proxyPort }, target)).rejects.toThrow(
      /ECONNREFUSED/,
    );
    proxy = new ConnectProxy();
    proxyPort = await proxy.listen();
  });
});
