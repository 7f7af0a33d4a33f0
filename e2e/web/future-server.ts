import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * A stand-in for a Trayphone server of another protocol generation: it signs anyone in, then
 * answers `hello` with `incompatible-version`, as a real server does for a version it dropped.
 * CORS is open because the client page comes from the real test server (another origin).
 */
export async function startFutureServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'content-type',
    'access-control-allow-methods': 'POST, OPTIONS',
  };
  const http: Server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    if (req.method === 'POST' && req.url === '/api/auth/login') {
      const now = Date.now();
      res.writeHead(200, { ...cors, 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          userId: 'alice',
          displayName: 'Alice',
          accessToken: 'future-access-token',
          accessTokenExpiresAt: now + 3_600_000,
          refreshToken: 'future-refresh-token',
          refreshTokenExpiresAt: now + 86_400_000,
        }),
      );
      return;
    }
    res.writeHead(404, cors).end();
  });
  const wss = new WebSocketServer({ server: http, path: '/ws' });
  wss.on('connection', (ws) => {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as { id?: unknown; type?: unknown };
      if (frame.type !== 'hello') return;
      ws.send(
        JSON.stringify({
          id: frame.id,
          ok: false,
          error: { code: 'incompatible-version', message: 'this server speaks protocol 2 only' },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((r) => {
        wss.close(r);
      });
      await new Promise((r) => {
        http.close(r);
      });
    },
  };
}
