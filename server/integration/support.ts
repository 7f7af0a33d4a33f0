import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type {
  CallInfo,
  DeviceInfo,
  ErrorBody,
  ErrorCode,
  RequestResult,
} from '../../protocol/index.js';
import { PROTOCOL_VERSION, encodeRequest } from '../../protocol/index.js';
import type { ServerConfigInput } from '../config.js';
import { RequestFailed, TestClient } from '../testing/test-client.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';

/**
 * What the integration tests share: a real server with users, sign-in without the HTTP login
 * (no password hashing, no login rate limit), and helpers that wait on events instead of sleeping.
 */

/** The admin bearer key `startTestServer` configures. */
export const ADMIN_KEY = 'admin-key-admin-key-admin-key-01';

export class Scenario {
  private readonly clients: TestClient[] = [];
  private readonly sockets: WebSocket[] = [];

  private constructor(readonly t: TestServer) {}

  /** Starts a server and creates the accounts (display name: the id, capitalised). */
  static async start(config: ServerConfigInput, userIds: readonly string[]): Promise<Scenario> {
    const t = await startTestServer(config);
    for (const userId of userIds) {
      await t.server.services.stores.users.create({ userId, displayName: capitalise(userId) });
    }
    return new Scenario(t);
  }

  /** An access token signed by the server, as the business server or a login would get. */
  async token(userId: string, ttlSec?: number): Promise<string> {
    return (await this.t.server.services.tokens.issue(userId, 'access', ttlSec)).token;
  }

  /** Signs a user in on a device (a string is the device id). */
  async signIn(userId: string, device: string | Partial<DeviceInfo> = {}): Promise<TestClient> {
    return (await this.signInWithHello(userId, device)).client;
  }

  async signInWithHello(
    userId: string,
    device: string | Partial<DeviceInfo> = {},
  ): Promise<{ client: TestClient; hello: RequestResult<'hello'> }> {
    return this.signInWithToken(await this.token(userId), device);
  }

  /** Signs in with a token from elsewhere (a login, a refresh, the admin API). */
  async signInWithToken(
    token: string,
    device: string | Partial<DeviceInfo> = {},
  ): Promise<{ client: TestClient; hello: RequestResult<'hello'> }> {
    const info = typeof device === 'string' ? { id: device } : device;
    const signedIn = await TestClient.signIn(this.t.server.signalingUrl, token, info);
    this.clients.push(signedIn.client);
    return signedIn;
  }

  /** A connection that has not said hello. */
  async connectAnonymous(): Promise<TestClient> {
    const client = await TestClient.connect(this.t.server.signalingUrl);
    this.clients.push(client);
    return client;
  }

  /**
   * A raw socket that signs in and then never answers the server's pings (nor sends anything):
   * a device whose network silently went away. `lastSentAt` is taken before its last frame.
   */
  async signInSilent(
    userId: string,
    deviceId: string,
  ): Promise<{ socket: WebSocket; lastSentAt: number }> {
    const socket = new WebSocket(this.t.server.signalingUrl, {
      perMessageDeflate: false,
      autoPong: false,
    });
    this.sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const answer = new Promise<string>((resolve) => {
      socket.once('message', (data: Buffer) => {
        resolve(data.toString('utf8'));
      });
    });
    const hello = encodeRequest(1, 'hello', {
      protocol: PROTOCOL_VERSION,
      token: await this.token(userId),
      device: { id: deviceId, name: 'silent device', platform: 'linux' },
    });
    // The server cannot have heard from this socket later than this.
    const lastSentAt = Date.now();
    socket.send(hello);
    expect(JSON.parse(await answer)).toMatchObject({ id: 1, ok: true });
    return { socket, lastSentAt };
  }

  /** An HTTP request to the server; sends the admin key unless `key` is another one or null. */
  async http(
    method: string,
    path: string,
    options: { body?: unknown; key?: string | null } = {},
  ): Promise<{ status: number; json: unknown }> {
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const res = await fetch(`${this.t.server.httpUrl}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  /** Open WebSocket connections as the server counts them (signed in or not). */
  async openConnections(): Promise<number> {
    const gauge = await this.t.server.services.metrics.connections.get();
    return gauge.values[0]?.value ?? 0;
  }

  /** Every frame a client received must have matched the protocol. */
  expectOnlyValidFrames(): void {
    for (const client of this.clients) expect(client.invalidFrames).toEqual([]);
  }

  /** Stops everything; then fails if any client received a frame outside the protocol. */
  async dispose(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await Promise.all(this.clients.map((c) => c.close()));
    await this.t.dispose();
    this.expectOnlyValidFrames();
  }
}

const capitalise = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);

/** `caller` calls `callee` (audio) and `callee` answers: an active one-to-one call. */
export async function answeredCall(
  caller: TestClient,
  callee: TestClient,
  calleeId: string,
  callId: string,
): Promise<void> {
  await caller.request('call.invite', { callId, callees: [calleeId], media: 'audio' });
  await callee.waitFor('call.incoming', (d) => d.call.callId === callId);
  await callee.request('call.accept', { callId });
}

/**
 * Resolves once every client has an answer to a ping sent now. The server writes frames to one
 * socket in order, so any event it sent a client before handling the ping has then arrived: a
 * way to assert that something did not happen without sleeping.
 */
export async function settled(...clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.request('ping', {})));
}

/** The error a request failed with; fails the test if it succeeded or failed otherwise. */
export async function rejection(request: Promise<unknown>, code: ErrorCode): Promise<ErrorBody> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RequestFailed);
  const { body } = error as RequestFailed;
  expect(body.code).toBe(code);
  return body;
}

/** What a client learned from a call request: its result, or the error and the call attached. */
export type CallOutcome =
  { ok: true; call: CallInfo } | { ok: false; code: string; call?: CallInfo };

/** Settles a call request into its outcome, so racing requests can be compared side by side. */
export async function callOutcome(request: Promise<{ call: CallInfo }>): Promise<CallOutcome> {
  try {
    return { ok: true, call: (await request).call };
  } catch (error) {
    if (!(error instanceof RequestFailed)) throw error;
    const { code, call } = error.body;
    return call ? { ok: false, code, call } : { ok: false, code };
  }
}

/** Polls a condition the tests cannot observe as an event (server-side bookkeeping). */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 3_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the wall clock has moved on by a millisecond (records page by creation time). */
export async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setTimeout(resolve, 1));
}

export interface CapturedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/** A business server stand-in: records every POST as received and answers 200. */
export interface WebhookCapture {
  url: string;
  received: CapturedWebhook[];
  /** The next request (in arrival order) whose event header matches. */
  next(event: string, timeoutMs?: number): Promise<CapturedWebhook>;
  close(): Promise<void>;
}

export async function captureWebhooks(): Promise<WebhookCapture> {
  const received: CapturedWebhook[] = [];
  const consumed = new Set<CapturedWebhook>();
  let notify: () => void = () => undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(200).end();
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const find = (event: string) =>
    received.find((w) => !consumed.has(w) && w.headers['x-trayphone-event'] === event);
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    async next(event, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find(event);
        if (found) {
          consumed.add(found);
          return found;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${event} webhook arrived`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          notify = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
