import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Log } from '../log/log.js';
import { type ProxyRoute, chooseProxyRoute } from './proxy-rules.js';

/**
 * Node sockets through the system proxy: an http(s).Agent whose connections first ask
 * Electron where the URL goes (`session.resolveProxy`, the OS settings, PAC and WPAD) and, for
 * an HTTP proxy, open a CONNECT tunnel; TLS then runs end to end inside it, with our CA list,
 * so the proxy sees only the host and port. Proxy authentication is not implemented (a 407
 * fails the connection with a clear error): Chromium's own requests (net.fetch, the renderer)
 * handle NTLM/Kerberos proxies, this socket cannot.
 */

/** `session.resolveProxy`: Chromium's PAC-format answer for this URL. */
export type ProxyResolver = (url: string) => Promise<string>;

/** How long the proxy may take to connect and answer CONNECT. */
export const TUNNEL_TIMEOUT_MS = 10_000;
/** The proxy's answer head is refused past this size (its body, if any, is never read). */
const MAX_RESPONSE_HEAD = 16 * 1024;

export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';
}

/**
 * Opens a TCP connection to the proxy and asks it for a tunnel to `target` (CONNECT). Resolves
 * with the socket once the proxy answered 2xx; any bytes after its answer are put back.
 */
export function connectTunnel(
  proxy: { host: string; port: number },
  target: { host: string; port: number },
  timeoutMs = TUNNEL_TIMEOUT_MS,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port });
    const authority = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    let head = Buffer.alloc(0);
    const fail = (message: string): void => {
      cleanup();
      socket.destroy();
      reject(new ProxyTunnelError(`proxy ${proxy.host}:${proxy.port}: ${message}`));
    };
    const timer = setTimeout(() => {
      fail(`no answer to CONNECT ${authority} within ${timeoutMs} ms`);
    }, timeoutMs);
    const onError = (error: Error): void => {
      fail(error.message);
    };
    const onEnd = (): void => {
      fail('closed the connection before answering CONNECT');
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_RESPONSE_HEAD) fail('answer head too large');
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      if (status === undefined) {
        fail(`not an HTTP answer: ${JSON.stringify(statusLine.slice(0, 80))}`);
        return;
      }
      if (status === '407') {
        fail('requires authentication (407), which this connection does not support');
        return;
      }
      if (!status.startsWith('2')) {
        fail(`refused CONNECT ${authority}: ${statusLine.slice(0, 120)}`);
        return;
      }
      cleanup();
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    socket.once('connect', () => {
      socket.write(
        `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\nProxy-Connection: keep-alive\r\n\r\n`,
      );
    });
  });
}

type ConnectOptions = https.RequestOptions;
type ConnectCallback = (error: Error | null, socket: Duplex) => void;

/** The agent's connections: where the URL goes, then a direct socket or a tunnel. */
async function openRoute(
  secure: boolean,
  options: ConnectOptions,
  resolveProxy: ProxyResolver,
  log: Log,
): Promise<net.Socket> {
  const host = options.host ?? options.hostname ?? 'localhost';
  const port = Number(options.port ?? (secure ? 443 : 80));
  const url = `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  let route: ProxyRoute = { kind: 'direct' };
  try {
    const choice = chooseProxyRoute(await resolveProxy(url));
    route = choice.route;
    if (choice.skipped.length > 0) {
      log.warn({ skipped: choice.skipped }, 'proxy entries not supported for signaling: skipped');
    }
  } catch (error) {
    log.warn({ err: error }, 'proxy resolution failed: connecting directly');
  }
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
  const tlsOptions: tls.ConnectionOptions = {
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.rejectUnauthorized !== undefined
      ? { rejectUnauthorized: options.rejectUnauthorized }
      : {}),
    ...(servername !== undefined ? { servername } : {}),
    ALPNProtocols: ['http/1.1'],
  };
  if (route.kind === 'direct') {
    if (!secure) return net.connect({ host, port });
    return tls.connect({ ...tlsOptions, host, port });
  }
  log.debug({ proxy: `${route.host}:${route.port}`, host, port }, 'signaling through proxy');
  const tunnel = await connectTunnel(route, { host, port });
  if (!secure) return tunnel;
  return tls.connect({ ...tlsOptions, socket: tunnel });
}

function connectVia(
  secure: boolean,
  options: ConnectOptions,
  callback: ConnectCallback | undefined,
  resolveProxy: ProxyResolver,
  log: Log,
): void {
  openRoute(secure, options, resolveProxy, log).then(
    (socket) => {
      callback?.(null, socket);
    },
    (error: unknown) => {
      // Node's Agent takes (err, undefined) on failure; the types want a stream either way.
      callback?.(error instanceof Error ? error : new Error(String(error)), undefined as never);
    },
  );
}

/** wss:// through the system proxy (one connection per socket: no keep-alive pool). */
export class ProxiedHttpsAgent extends https.Agent {
  constructor(
    private readonly resolveProxy: ProxyResolver,
    private readonly log: Log,
  ) {
    super({ keepAlive: false });
  }
  override createConnection(options: ConnectOptions, callback?: ConnectCallback): undefined {
    connectVia(true, options, callback, this.resolveProxy, this.log);
    return undefined; // the socket comes through the callback (Node's Agent supports both)
  }
}

/** ws:// (loopback and labs only, security/server-url.ts) through the system proxy. */
export class ProxiedHttpAgent extends http.Agent {
  constructor(
    private readonly resolveProxy: ProxyResolver,
    private readonly log: Log,
  ) {
    super({ keepAlive: false });
  }
  override createConnection(
    options: http.ClientRequestArgs,
    callback?: ConnectCallback,
  ): undefined {
    connectVia(false, options, callback, this.resolveProxy, this.log);
    return undefined;
  }
}
