import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_HEADERS, webhookBodySchema, type WebhookBody } from '../../protocol/webhooks.js';
import { verifyWebhookSignature } from './signature.js';

/**
 * A real business-server stand-in for the tests: it verifies every request's signature and parses
 * its body with the protocol schema, as a production receiver must, and answers as told.
 */

export interface ReceivedWebhook {
  body: WebhookBody;
  headers: IncomingHttpHeaders;
  /** When the request arrived (ms, performance clock). */
  at: number;
}

/** A status (with headers, after a delay) to answer with, or 'hang' to never answer. */
export type Reply = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Requests that failed verification or parsing; a test expects none. */
  rejected: string[];
  /** Answers every request still hanging with this status. */
  release(status?: number): void;
  /** Resolves once `count` valid requests have arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(options: {
  secret: string;
  /** Told the 1-based number of the valid request; answers 200 by default. */
  reply?: (n: number, webhook: ReceivedWebhook) => Reply;
  port?: number;
}): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const rejected: string[] = [];
  const hanging = new Set<ServerResponse>();
  const waiters: { count: number; resolve: () => void }[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const verdict = verifyWebhookSignature({
        secret: options.secret,
        timestampHeader: req.headers[WEBHOOK_HEADERS.timestamp.toLowerCase()],
        signatureHeader: req.headers[WEBHOOK_HEADERS.signature.toLowerCase()],
        rawBody,
      });
      if (!verdict.ok) {
        reject(res, `signature ${verdict.reason}`);
        return;
      }
      const parsed = webhookBodySchema.safeParse(parseJson(rawBody));
      if (!parsed.success) {
        reject(res, `body ${parsed.error.message}`);
        return;
      }
      const webhook: ReceivedWebhook = {
        body: parsed.data,
        headers: req.headers,
        at: performance.now(),
      };
      received.push(webhook);
      for (const w of waiters) if (received.length >= w.count) w.resolve();
      const reply = options.reply?.(received.length, webhook) ?? { status: 200 };
      if (reply === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const answer = () => res.writeHead(reply.status, reply.headers).end();
      if (reply.delayMs === undefined) answer();
      else setTimeout(answer, reply.delayMs);
    });
  });

  function reject(res: ServerResponse, why: string): void {
    rejected.push(why);
    res.writeHead(401).end();
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    rejected,
    release(status = 200) {
      for (const res of hanging) res.writeHead(status).end();
      hanging.clear();
    },
    waitFor(count) {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

export { freePort } from '../testing/free-port.js';
