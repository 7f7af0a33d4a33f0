import { type Server, createServer } from 'node:http';

/** The secret the benches configure for the server's webhooks. */
export const BENCH_WEBHOOK_SECRET = 'bench-webhook-secret-0123456789abcdef';

/**
 * A business server's webhook endpoint for the benches: takes every POST (204) and counts them,
 * so that with webhooks configured the server's sender has a real peer on loopback.
 */
export async function startWebhookReceiver(): Promise<{
  server: Server;
  url: string;
  count: () => number;
}> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/webhooks`, count: () => received };
}
