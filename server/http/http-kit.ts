import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

/** Request bodies of the HTTP API are small JSON documents. */
const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { error: { code: error.code, message: error.message } });
}

/** Reads and validates a JSON body: parse, don't cast. */
export async function readJson<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
): Promise<z.infer<S>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'payload-too-large', 'body too large');
    chunks.push(buffer);
  }
  let json: unknown;
  try {
    json = size === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad-request', 'body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(body)';
    throw new HttpError(400, 'bad-request', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * A fixed-window counter per key (client address, user id): enough to make password guessing
 * slow without any shared state.
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowMs: number,
  ) {}

  /** Counts an attempt; false when the key is over its budget for this window. */
  attempt(key: string, now = Date.now()): boolean {
    if (this.windows.size > 100_000) this.prune(now);
    const entry = this.windows.get(key);
    if (!entry || now - entry.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return true;
    }
    entry.count++;
    return entry.count <= this.maxAttempts;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.windows) {
      if (now - entry.start >= this.windowMs) this.windows.delete(key);
    }
  }
}

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
