import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import { RawWebSocket } from '../testing/raw-ws.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';
import { MAX_QUEUED_REQUESTS } from './connection.js';

interface Answer {
  id: string | number | null;
  ok: boolean;
  data?: unknown;
  error?: { code: string };
}

/** The responses (not events) a raw socket got, by id. */
function answers(ws: RawWebSocket): Map<string | number | null, Answer> {
  const byId = new Map<string | number | null, Answer>();
  for (const text of ws.texts) {
    const frame = JSON.parse(text) as Partial<Answer>;
    if (typeof frame.ok === 'boolean') byId.set(frame.id ?? null, frame as Answer);
  }
  return byId;
}

const CALL_ID = 'qc-call-0001';

const request = (id: string, type: string, data: unknown): string =>
  JSON.stringify({ id, type, data });

describe('requests waiting on one signaling socket', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    // The token bucket would refuse a burst first: opened wide so the queue cap is what counts.
    t = await startTestServer({ signaling: { rateLimitPerSec: 100_000, rateLimitBurst: 100_000 } });
    port = Number(new URL(t.server.httpUrl).port);
    await t.addUser('qc-alice');
    await t.addUser('qc-bob');
  });
  afterAll(async () => {
    await t.dispose();
  });

  it(`are capped at ${MAX_QUEUED_REQUESTS}: the rest get rate-limited, the connection and its call go on`, async () => {
    const ws = await RawWebSocket.open(port, '/ws');
    try {
      await capAndCarryOn(ws);
    } finally {
      ws.destroy();
    }
  });

  async function capAndCarryOn(ws: RawWebSocket): Promise<void> {
    const { token } = await t.server.services.tokens.issue('qc-alice', 'access');
    const device = { id: 'qc-raw', name: 'raw', platform: 'linux' };
    ws.sendTexts([request('hello', 'hello', { protocol: PROTOCOL_VERSION, token, device })]);
    await ws.until(() => answers(ws).get('hello')?.ok === true);

    // A call of this very connection, active.
    const bob = await t.connect('qc-bob');
    ws.sendTexts([
      request('invite', 'call.invite', { callId: CALL_ID, callees: ['qc-bob'], media: 'audio' }),
    ]);
    await bob.waitFor('call.incoming', (d) => d.call.callId === CALL_ID);
    expect((await bob.request('call.accept', { callId: CALL_ID })).call.state).toBe('active');
    await ws.until(() => answers(ws).get('invite')?.ok === true);

    // One TCP write: the server parses all of it in one turn, before any request has run.
    const burst = MAX_QUEUED_REQUESTS + 150;
    const ids = Array.from({ length: burst }, (_, i) => `b${i}`);
    ws.sendTexts(ids.map((id) => request(id, 'history.list', { limit: 1 })));
    await ws.until(() => ids.every((id) => answers(ws).has(id)), 15_000);

    const got = answers(ws);
    const codes = ids.map((id) => (got.get(id)?.ok ? 'ok' : got.get(id)?.error?.code));
    const refused = codes.filter((c) => c === 'rate-limited').length;
    expect(codes.filter((c) => c !== 'ok' && c !== 'rate-limited')).toEqual([]);
    // The first request starts at once, so the cap holds MAX_QUEUED_REQUESTS behind it.
    expect(refused).toBeGreaterThan(0);
    expect(burst - refused).toBeGreaterThanOrEqual(MAX_QUEUED_REQUESTS);
    expect(burst - refused).toBeLessThanOrEqual(MAX_QUEUED_REQUESTS + 1);
    // Each request answered exactly once.
    const responses = ws.texts.filter(
      (text) => typeof (JSON.parse(text) as Partial<Answer>).ok === 'boolean',
    );
    expect(responses.length).toBe(2 + burst);

    // The connection still works, and so does its call.
    ws.sendTexts([request('after', 'ping', {})]);
    await ws.until(() => answers(ws).get('after')?.ok === true);
    expect(ws.closed).toBe(false);
    ws.sendTexts([request('list', 'call.list', {})]);
    await ws.until(() => answers(ws).has('list'));
    expect(JSON.stringify(answers(ws).get('list')?.data)).toContain(CALL_ID);
    ws.sendTexts([request('hangup', 'call.hangup', { callId: CALL_ID })]);
    await ws.until(() => answers(ws).get('hangup')?.ok === true);
    expect((await bob.waitFor('call.ended')).reason).toBe('completed');
    const history = await bob.request('history.list', {});
    expect(history.records.find((r) => r.callId === CALL_ID)?.endReason).toBe('completed');
  }
});
