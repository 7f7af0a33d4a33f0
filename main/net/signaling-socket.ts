import WebSocket from 'ws';
import type { Log } from '../log/log.js';
import { ProxiedHttpAgent, ProxiedHttpsAgent, type ProxyResolver } from './proxy-tunnel.js';

/**
 * Main's signaling WebSocket (ws, in Node): through the system proxy (proxy-tunnel.ts) and
 * trusting the system CAs (system-ca.ts). The HTTP side of core (sign-in, tickets) uses
 * Electron's `net.fetch` instead, which is Chromium's stack: proxy, PAC, proxy authentication
 * and the OS trust store come with it.
 */
export function signalingSocketFactory(options: {
  resolveProxy: ProxyResolver;
  /** `undefined`: Node's bundled CAs only. */
  ca: string[] | undefined;
  log: Log;
}): (url: string) => WebSocket {
  const secure = new ProxiedHttpsAgent(options.resolveProxy, options.log);
  const plain = new ProxiedHttpAgent(options.resolveProxy, options.log);
  return (url) =>
    new WebSocket(url, {
      agent: url.startsWith('wss:') ? secure : plain,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    });
}
