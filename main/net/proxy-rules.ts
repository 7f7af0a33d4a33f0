/**
 * What Electron's `session.resolveProxy(url)` answers (Chromium's PAC result format, after the
 * OS settings, PAC files and WPAD): `DIRECT`, or `PROXY host:port; DIRECT`, entries tried in
 * order. Main's signaling socket (ws, in Node) gets no proxy from Chromium, so it asks and
 * tunnels itself (proxy-tunnel.ts).
 */

export type ProxyRoute = { kind: 'direct' } | { kind: 'http-connect'; host: string; port: number };

export interface ProxyChoice {
  route: ProxyRoute;
  /** Entries passed over: schemes we cannot tunnel through (SOCKS, HTTPS proxies, QUIC). */
  skipped: string[];
}

/** At most this many entries are looked at: a PAC script's answer is not ours to trust. */
const MAX_ENTRIES = 16;

const hostPort = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i;

/**
 * The first route we can take. `PROXY` is an HTTP proxy (we send CONNECT); `DIRECT` connects
 * straight. `HTTPS`, `SOCKS`, `SOCKS4`, `SOCKS5` and `QUIC` proxies are skipped (not
 * implemented: Node has no client for them without a package), so the next entry is tried; when
 * none is left we connect directly, as Chromium would only after its list is exhausted, and the
 * caller logs what it skipped.
 */
export function chooseProxyRoute(pacResult: string): ProxyChoice {
  const skipped: string[] = [];
  const entries = pacResult
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .slice(0, MAX_ENTRIES);
  for (const entry of entries) {
    const [scheme = '', target = '', ...rest] = entry.split(/\s+/);
    const kind = scheme.toUpperCase();
    if (kind === 'DIRECT' && target === '') return { route: { kind: 'direct' }, skipped };
    const address = rest.length === 0 ? hostPort.exec(target) : null;
    const port = Number(address?.[2]);
    if (kind === 'PROXY' && address?.[1] !== undefined && port > 0 && port < 65_536) {
      const host = address[1].replace(/^\[|\]$/g, '');
      return { route: { kind: 'http-connect', host, port }, skipped };
    }
    skipped.push(entry.slice(0, 100));
  }
  return { route: { kind: 'direct' }, skipped };
}
