import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import type { ErrorCode, RequestId } from '../../protocol/index.js';
import {
  MAX_CUSTOM_PAYLOAD_BYTES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  errorBodySchema,
  parseServerFrame,
  requestIdSchema,
  restErrorSchema,
} from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';

/** Any response of the server: errors may carry `id: null` when the frame had no usable id. */
const responseSchema = z.union([
  z.object({ id: requestIdSchema, ok: z.literal(true), data: z.unknown() }).strict(),
  z
    .object({ id: requestIdSchema.nullable(), ok: z.literal(false), error: errorBodySchema })
    .strict(),
]);
type Response = z.infer<typeof responseSchema>;

type Take = { accept: (r: Response) => boolean; resolve: (r: Response) => void };

/**
 * A bare `ws` socket that sends whatever it is given and validates everything the server sends
 * back: responses against the envelope (with `id: null` allowed), events against the protocol.
 */
class RawClient {
  readonly invalidFrames: string[] = [];
  readonly closed: Promise<number>;
  private readonly queue: Response[] = [];
  private takers: Take[] = [];
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    // A socket the server closes mid-send reports an error before its close: the close is what counts.
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer) => {
      this.onFrame(data.toString('utf8'));
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code) => {
        resolve(code);
      });
    });
  }

  static async open(url: string): Promise<RawClient> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(frame: string | Buffer, binary = false): void {
    this.socket.send(frame, { binary });
  }

  /** The next response in arrival order, whatever its id. */
  nextResponse(timeoutMs = 3_000): Promise<Response> {
    return this.take(() => true, timeoutMs, 'any response');
  }

  /** The response carrying this id. */
  responseTo(id: RequestId, timeoutMs = 3_000): Promise<Response> {
    return this.take((r) => r.id === id, timeoutMs, `response to ${JSON.stringify(id)}`);
  }

  /** Sends a well-formed request and waits for its response. */
  request(type: string, data: unknown = {}): Promise<Response> {
    const id = `req-${this.nextId++}`;
    this.send(JSON.stringify({ id, type, data }));
    return this.responseTo(id);
  }

  hello(token: string, deviceId: string): Promise<Response> {
    return this.request('hello', {
      protocol: PROTOCOL_VERSION,
      token,
      device: { id: deviceId, name: 'raw test socket', platform: 'linux' },
    });
  }

  close(): Promise<number> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close();
    return this.closed;
  }

  private take(accept: Take['accept'], timeoutMs: number, what: string): Promise<Response> {
    const index = this.queue.findIndex(accept);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const taker: Take = {
        accept,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.takers = this.takers.filter((t) => t !== taker);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.takers.push(taker);
    });
  }

  private onFrame(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.invalidFrames.push(`not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (json === null || typeof json !== 'object' || !('ok' in json)) {
      if (parseServerFrame(text).kind !== 'event') this.invalidFrames.push(text.slice(0, 200));
      return;
    }
    const response = responseSchema.safeParse(json);
    if (!response.success) {
      this.invalidFrames.push(text.slice(0, 200));
      return;
    }
    const taker = this.takers.find((t) => t.accept(response.data));
    if (taker) {
      this.takers = this.takers.filter((t) => t !== taker);
      taker.resolve(response.data);
    } else this.queue.push(response.data);
  }
}

const frame = (value: unknown): string => JSON.stringify(value);
/** A request frame padded (through an unknown data key) to exactly `bytes` bytes. */
function paddedFrame(id: RequestId, bytes: number): string {
  const bare = frame({ id, type: 'ping', data: { pad: '' } });
  return frame({ id, type: 'ping', data: { pad: 'x'.repeat(bytes - bare.length) } });
}

let deviceCounter = 0;

describe('bad signaling input', () => {
  let t: TestServer;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    await t.addUser('alice', 'Alice');
    await t.addUser('bob', 'Bob');
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) {
      expect(client.invalidFrames).toEqual([]);
      await client.close();
    }
  });
  afterAll(async () => {
    await t.dispose();
  });

  const open = async (): Promise<RawClient> => {
    const client = await RawClient.open(t.server.signalingUrl);
    clients.push(client);
    return client;
  };
  // Tokens straight from the token service: the login endpoint allows ten sign-ins a minute.
  const tokenFor = async (userId: string): Promise<string> =>
    (await t.server.services.tokens.issue(userId, 'access')).token;
  const signedIn = async (userId = 'alice'): Promise<RawClient> => {
    const client = await open();
    const hello = await client.hello(await tokenFor(userId), `raw-${++deviceCounter}`);
    expect(hello.ok).toBe(true);
    return client;
  };
  const expectAlive = async (client: RawClient): Promise<void> => {
    const pong = await client.request('ping');
    expect(pong).toMatchObject({ ok: true, data: { serverTime: expect.any(Number) as number } });
  };

  type Case = {
    name: string;
    frame: () => string | Buffer | Promise<string | Buffer>;
    binary?: boolean;
    code: ErrorCode;
    id: RequestId | null;
    message?: RegExp;
  };
  const cases: Case[] = [
    { name: 'non-JSON text', frame: () => 'hello, server?', code: 'bad-frame', id: null },
    { name: 'an empty text frame', frame: () => '', code: 'bad-frame', id: null },
    {
      name: 'a truncated request',
      frame: () => '{"id":"cut-1","type":"ping","da',
      code: 'bad-frame',
      id: 'cut-1',
    },
    { name: 'a JSON number', frame: () => '42', code: 'bad-frame', id: null },
    { name: 'a JSON string', frame: () => '"ping"', code: 'bad-frame', id: null },
    { name: 'JSON null', frame: () => 'null', code: 'bad-frame', id: null },
    {
      name: 'an array of requests',
      frame: () => frame([{ id: 3, type: 'ping', data: {} }]),
      code: 'bad-frame',
      id: null,
    },
    {
      name: 'a request without type',
      frame: () => frame({ id: 'no-type', data: {} }),
      code: 'bad-frame',
      id: 'no-type',
      message: /type/,
    },
    {
      name: 'a request without id',
      frame: () => frame({ type: 'ping', data: {} }),
      code: 'bad-frame',
      id: null,
      message: /id/,
    },
    {
      name: 'a request with a fractional id',
      frame: () => '{"id":1.5,"type":"ping","data":{}}',
      code: 'bad-frame',
      id: null,
    },
    {
      name: 'an unknown type',
      frame: () => frame({ id: 5, type: 'call.teleport', data: {} }),
      code: 'unknown-type',
      id: 5,
      message: /call\.teleport/,
    },
    {
      name: 'a prototype key as type',
      frame: () => frame({ id: 6, type: '__proto__', data: {} }),
      code: 'unknown-type',
      id: 6,
    },
    {
      name: 'a known type with a field of the wrong type',
      frame: () =>
        frame({
          id: 'bad-callees',
          type: 'call.invite',
          data: { callId: 'call-bad-0001', callees: 'bob', media: 'audio' },
        }),
      code: 'bad-request',
      id: 'bad-callees',
      message: /callees/,
    },
    {
      name: 'a known type with a missing field',
      frame: () => frame({ id: 'no-call-id', type: 'call.accept', data: {} }),
      code: 'bad-request',
      id: 'no-call-id',
      message: /callId/,
    },
    {
      name: 'a known type with an extra field where none is allowed',
      frame: () => frame({ id: -7, type: 'ping', data: { extra: true } }),
      code: 'bad-request',
      id: -7,
    },
    {
      name: 'a frame one byte over the cap',
      frame: () => paddedFrame('big-1', MAX_FRAME_BYTES + 1),
      code: 'payload-too-large',
      id: 'big-1',
    },
    {
      name: 'a frame of 1 MB',
      frame: () => paddedFrame(9_001, 1024 * 1024),
      code: 'payload-too-large',
      id: 9_001,
    },
    {
      name: 'a binary frame',
      frame: () => Buffer.from(frame({ id: 'bin-1', type: 'ping', data: {} })),
      binary: true,
      code: 'bad-frame',
      id: 'bin-1',
      message: /binary/,
    },
    {
      name: 'a binary frame whose id holds escapes',
      frame: () => Buffer.from(frame({ id: 'say "hi"\\', type: 'ping', data: {} })),
      binary: true,
      code: 'bad-frame',
      id: 'say "hi"\\',
    },
    {
      name: 'a binary frame with an id only inside data',
      frame: () => Buffer.from(frame({ type: 'ping', data: { id: 'inner' } })),
      binary: true,
      code: 'bad-frame',
      id: null,
    },
    {
      name: 'a binary frame with a fractional id',
      frame: () => Buffer.from('{"id":1.5,"type":"ping","data":{}}'),
      binary: true,
      code: 'bad-frame',
      id: null,
    },
    {
      name: 'a binary frame with an id beyond the safe integers',
      frame: () => Buffer.from('{"id":12345678901234567,"type":"ping","data":{}}'),
      binary: true,
      code: 'bad-frame',
      id: null,
    },
    {
      name: 'a binary frame of random bytes',
      frame: () => Buffer.from([0xff, 0x00, 0x7b, 0x22, 0xc3, 0x28, 0x9f]),
      binary: true,
      code: 'bad-frame',
      id: null,
    },
    {
      name: 'a second hello',
      frame: async () =>
        frame({
          id: 'hello-2',
          type: 'hello',
          data: {
            protocol: PROTOCOL_VERSION,
            token: await tokenFor('alice'),
            device: { id: 'raw-again', name: 'again', platform: 'linux' },
          },
        }),
      code: 'already-authenticated',
      id: 'hello-2',
    },
    {
      name: `a call payload of ${MAX_CUSTOM_PAYLOAD_BYTES + 1} bytes`,
      frame: () =>
        frame({
          id: 'big-payload',
          type: 'call.invite',
          data: {
            callId: 'call-big-0001',
            callees: ['bob'],
            media: 'audio',
            payload: 'p'.repeat(MAX_CUSTOM_PAYLOAD_BYTES + 1),
          },
        }),
      code: 'bad-request',
      id: 'big-payload',
      message: /payload/,
    },
    {
      name: `a message body of ${MAX_CUSTOM_PAYLOAD_BYTES + 1} bytes in fewer characters`,
      frame: () =>
        frame({
          id: 'big-body',
          type: 'message.send',
          // 2048 two-byte characters and one more byte: under the cap in characters, over it in bytes.
          data: { messageId: 'm-1', to: 'bob', body: `${'é'.repeat(2048)}!` },
        }),
      code: 'bad-request',
      id: 'big-body',
      message: /body/,
    },
  ];

  it.each(cases)('answers $name with $code and keeps the connection', async (c) => {
    const client = await signedIn();
    client.send(await c.frame(), c.binary ?? false);
    const response = await client.nextResponse();
    expect(response).toEqual({
      id: c.id,
      ok: false,
      error: { code: c.code, message: expect.any(String) as string },
    });
    if (c.message && !response.ok) expect(response.error.message).toMatch(c.message);
    await expectAlive(client);
    expect(client.isOpen).toBe(true);
  });

  it('answers every bad frame sent before hello, then accepts hello', async () => {
    const client = await open();
    const before = cases.filter((c) => c.code !== 'already-authenticated');
    for (const c of before) client.send(await c.frame(), c.binary ?? false);
    const answers = await Promise.all(before.map(() => client.nextResponse()));
    // Frames that would be requests are refused for want of a session; the rest as above.
    expect(answers.map((a) => a.id).sort()).toEqual(before.map((c) => c.id).sort());
    for (const answer of answers) expect(answer.ok).toBe(false);
    expect((await client.hello(await tokenFor('alice'), `raw-${++deviceCounter}`)).ok).toBe(true);
    await expectAlive(client);
  });

  it('refuses requests before hello with not-authenticated, echoing the id', async () => {
    const client = await open();
    client.send(frame({ id: 'early', type: 'ping', data: {} }));
    expect(await client.nextResponse()).toEqual({
      id: 'early',
      ok: false,
      error: { code: 'not-authenticated', message: expect.any(String) as string },
    });
    const invite = await client.request('call.invite', {
      callId: 'call-early-01',
      callees: ['bob'],
      media: 'audio',
    });
    expect(invite).toMatchObject({ ok: false, error: { code: 'not-authenticated' } });
    expect((await client.hello(await tokenFor('alice'), `raw-${++deviceCounter}`)).ok).toBe(true);
    await expectAlive(client);
  });

  it('refuses a bad token and still accepts a good hello on the same connection', async () => {
    const client = await open();
    const refused = await client.hello('not-a-token', `raw-${++deviceCounter}`);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const early = await client.request('ping');
    expect(early).toMatchObject({ ok: false, error: { code: 'not-authenticated' } });
    expect((await client.hello(await tokenFor('alice'), `raw-${++deviceCounter}`)).ok).toBe(true);
    await expectAlive(client);
  });

  it('parses a frame of exactly the cap and refuses one byte more', async () => {
    const client = await signedIn();
    client.send(paddedFrame('at-cap', MAX_FRAME_BYTES));
    // Parsed: refused for its content (an unknown key in ping data), not for its size.
    expect(await client.responseTo('at-cap')).toMatchObject({ error: { code: 'bad-request' } });
    client.send(paddedFrame('over-cap', MAX_FRAME_BYTES + 1));
    expect(await client.responseTo('over-cap')).toMatchObject({
      error: { code: 'payload-too-large' },
    });
    await expectAlive(client);
  });

  it(`accepts a custom payload of exactly ${MAX_CUSTOM_PAYLOAD_BYTES} bytes`, async () => {
    const client = await signedIn();
    const sent = await client.request('message.send', {
      messageId: 'm-max',
      to: 'bob',
      body: 'é'.repeat(MAX_CUSTOM_PAYLOAD_BYTES / 2),
    });
    expect(sent).toEqual({ id: expect.any(String) as string, ok: true, data: { deliveredTo: 0 } });
  });

  it('closes a socket that sends a frame over 16 times the cap, and serves everyone else', async () => {
    const bystander = await signedIn('bob');
    const client = await signedIn();
    client.send(paddedFrame('huge', 2 * 1024 * 1024));
    expect(await client.closed).toBe(1009);
    await expectAlive(bystander);
    const newcomer = await signedIn();
    await expectAlive(newcomer);
    const health = await fetch(`${t.server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('the per-connection rate limit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ signaling: { rateLimitPerSec: 5, rateLimitBurst: 10 } });
    await t.addUser('alice', 'Alice');
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('refuses a burst beyond the bucket with rate-limited, then recovers', async () => {
    const client = await RawClient.open(t.server.signalingUrl);
    const { token } = await t.server.services.tokens.issue('alice', 'access');
    expect((await client.hello(token, 'raw-rate')).ok).toBe(true);

    const ids = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
    for (const id of ids) client.send(frame({ id, type: 'ping', data: {} }));
    const answers = await Promise.all(ids.map((id) => client.responseTo(id)));
    const codes = answers.map((a) => (a.ok ? 'ok' : a.error.code));
    const limited = codes.filter((c) => c === 'rate-limited').length;
    const passed = codes.filter((c) => c === 'ok').length;
    expect(limited + passed).toBe(ids.length);
    expect(limited).toBeGreaterThanOrEqual(15);
    expect(passed).toBeGreaterThanOrEqual(5);
    // Each id was answered once: nothing is left over for a second look.
    await expect(client.nextResponse(200)).rejects.toThrow(/timed out/);

    await sleep(1_100);
    for (let i = 0; i < 3; i++) {
      expect(await client.request('ping')).toMatchObject({ ok: true });
    }
    expect(client.invalidFrames).toEqual([]);
    await client.close();
  });

  it('says in retryAfterMs when a request is let in again, and it is', async () => {
    const client = await RawClient.open(t.server.signalingUrl);
    const { token } = await t.server.services.tokens.issue('alice', 'access');
    expect((await client.hello(token, 'raw-retry-after')).ok).toBe(true);
    const ids = Array.from({ length: 20 }, (_, i) => `flood-${i}`);
    for (const id of ids) client.send(frame({ id, type: 'ping', data: {} }));
    const answers = await Promise.all(ids.map((id) => client.responseTo(id)));
    const refusals = answers.flatMap((a) => (a.ok ? [] : [a.error]));
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) {
      expect(refusal.code).toBe('rate-limited');
      // 5 a second: one request's worth comes back within 200 ms.
      expect(refusal.retryAfterMs).toBeGreaterThan(0);
      expect(refusal.retryAfterMs).toBeLessThanOrEqual(200);
    }
    await sleep((refusals.at(-1)?.retryAfterMs ?? 0) + 20);
    expect(await client.request('ping')).toMatchObject({ ok: true });
    expect(client.invalidFrames).toEqual([]);
    await client.close();
  });
});

describe('the REST API on bad input', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
    await t.addUser('alice', 'Alice');
  });
  afterEach(async () => {
    await t.dispose();
  });

  const login = (body: string): Promise<globalThis.Response> =>
    fetch(`${t.server.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  const errorOf = async (res: globalThis.Response): Promise<string> =>
    restErrorSchema.parse(await res.json()).error.code;

  it('answers malformed JSON with 400', async () => {
    const res = await login('{"userId":"alice","password":');
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe('bad-request');
  });

  it('answers a body of the wrong shape with 400 naming the field', async () => {
    const res = await login(frame({ userId: ['alice'], password: 'password-alice' }));
    expect(res.status).toBe(400);
    const body = restErrorSchema.parse(await res.json());
    expect(body.error.code).toBe('bad-request');
    expect(body.error.message).toMatch(/userId/);
  });

  it('answers a wrong password with 401', async () => {
    const res = await login(frame({ userId: 'alice', password: 'not-her-password' }));
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe('unauthorized');
  });

  it('answers a body over 64 KB with 413', async () => {
    const res = await login(
      frame({ userId: 'alice', password: 'x'.repeat(64 * 1024), padding: 'y'.repeat(16 * 1024) }),
    );
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toBe('payload-too-large');
    // The server still answers afterwards.
    const health = await fetch(`${t.server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
