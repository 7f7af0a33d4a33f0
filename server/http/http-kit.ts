import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';

/** Request bodies of the HTTP API are small JSON documents. */
const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A 429's `Retry-After` (whole seconds): when the limit lets this client in again. */
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

/**
 * The request target as a URL, or undefined when it is not one (`//a:b:c`, a bad host): a
 * client mistake to answer with 400, never an exception on the server's path.
 */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

/** One %-encoded path segment, decoded; bad %-encoding is the client's `bad-request`. */
export function decodePathSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad-request', `${what} is not valid %-encoding`);
  }
}

/**
 * Errors thrown by what a client sent rather than by a bug: `URIError` comes only from
 * decoding a path or query the client wrote. Answered with 400, not logged as failures.
 */
export function asClientError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof URIError) return new HttpError(400, 'bad-request', 'bad %-encoding');
  return undefined;
}

/** Answers an upgrade request with a plain HTTP status and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }
  // Half-open peers that never read would keep the socket: it goes once the answer is out.
  socket.once('finish', () => socket.destroy());
  setTimeout(() => socket.destroy(), 1_000).unref();
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  const { retryAfterSec } = error;
  const headers: Record<string, string> =
    retryAfterSec === undefined ? {} : { 'retry-after': String(retryAfterSec) };
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, headers);
}

/** Reads and validates a JSON body: parse, don't cast. */
export async function readJson<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
): Promise<z.infer<S>> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) throw new HttpError(413, 'payload-too-large', 'body too large');
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away mid-body (`aborted`, ECONNRESET): its mistake, not the server's.
    throw new HttpError(400, 'bad-request', 'the request body was cut off');
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

  /**
   * Counts an attempt; throws 429 `rate-limited` with `Retry-After` (the rest of the key's
   * window, whole seconds rounded up) when the key is over its budget for this window.
   */
  enforce(key: string, message: string, now = Date.now()): void {
    if (this.attempt(key, now)) return;
    const start = this.windows.get(key)?.start ?? now;
    const retryAfterSec = Math.max(1, Math.ceil((start + this.windowMs - now) / 1000));
    throw new HttpError(429, 'rate-limited', message, retryAfterSec);
  }

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
