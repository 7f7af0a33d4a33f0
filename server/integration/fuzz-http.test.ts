import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import WebSocket from 'ws';
import { Rng } from '../testing/fuzz-json.js';
import {
  type HttpCase,
  fixedHttpCases,
  randomHttpCase,
  traversalTargets,
} from '../testing/http-fuzz-cases.js';
import { rawExchange } from '../testing/raw-http.js';
import { inProcessTarget, placeRealCall } from '../testing/real-call.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';
import { CrashRecorder } from '../testing/crash-recorder.js';

/**
 * Malformed HTTP and upgrade requests over raw TCP, trickled requests, and paths that try to
 * leave the web root: never a 5xx, never a file from outside, slow clients cut off by the
 * timeouts, and the server still serves a real call afterwards.
 * Rerun a failure with `FUZZ_SEED=<seed> npx vitest run server/integration/fuzz-http.test.ts`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x4711) >>> 0;
const RANDOM_CASES = 300;
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const SECRET = `TRAYPHONE-SECRET-${process.pid}`;

/** Every status line in what came back (pipelined requests get several). */
const statuses = (text: string): number[] =>
  [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));

/** Runs `each` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, each: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(items.slice(i, i + width).map(each));
  }
}

/** Opens a TCP connection, writes `head`, then one `drip` every `everyMs`: resolves with how long until the server closed it. */
function trickle(port: number, head: string, drip: string, everyMs: number, maxMs: number) {
  return new Promise<{ closedAfterMs: number | undefined; text: string }>((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(drip);
    }, everyMs);
    const give = setTimeout(() => {
      finish(undefined);
    }, maxMs);
    const finish = (closedAfterMs: number | undefined): void => {
      clearInterval(timer);
      clearTimeout(give);
      socket.destroy();
      resolve({ closedAfterMs, text });
    };
    socket.on('connect', () => socket.write(head));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      finish(Date.now() - started);
    });
  });
}

describe('fuzzing the HTTP and upgrade entry points', () => {
  let t: TestServer;
  let port: number;
  let base: string;
  const recorder = new CrashRecorder();
  const { crashes } = recorder;

  beforeAll(async () => {
    recorder.listen();
    // A web root with a secret next to it, and links inside that point out of it.
    base = mkdtempSync(path.join(os.tmpdir(), 'trayphone-webroot-'));
    const web = path.join(base, 'web');
    mkdirSync(path.join(web, 'assets'), { recursive: true });
    writeFileSync(path.join(base, 'secret.txt'), SECRET);
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>index</title>');
    writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log(1);');
    symlinkSync(path.join(base, 'secret.txt'), path.join(web, 'link-out.txt'));
    symlinkSync(base, path.join(web, 'link-dir'));
    symlinkSync(base, path.join(web, 'assets', 'link-up'));
    t = await startTestServer({
      webRoot: web,
      media: { enabled: true },
      limits: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS },
    });
    port = Number(new URL(t.server.httpUrl).port);
    await t.addUser('fh-alice');
    await t.addUser('fh-bob');
  });
  afterAll(async () => {
    recorder.stop();
    await t.dispose();
    rmSync(base, { recursive: true, force: true });
  });

  it(`answers malformed requests below 500 or closes (seed ${SEED})`, async () => {
    onTestFailed(() => {
      console.error(`HTTP fuzz failed with seed ${SEED}: rerun with FUZZ_SEED=${SEED}`);
    });
    const rng = new Rng(SEED);
    const cases: HttpCase[] = [
      ...fixedHttpCases(),
      ...Array.from({ length: RANDOM_CASES }, () => randomHttpCase(rng)),
    ];
    const serverErrors: string[] = [];
    const byStatus = new Map<number | string, number>();
    await inBatches(cases, 48, async (c) => {
      const answer = await rawExchange(port, c.bytes, { waitMs: 1_200 });
      const got = statuses(answer.text);
      for (const s of got.length > 0 ? got : [answer.closed ? 'closed' : 'no answer']) {
        byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
      }
      if (got.some((s) => s >= 500)) serverErrors.push(`${c.name}: ${answer.text.slice(0, 120)}`);
    });
    expect(crashes).toEqual([]);
    expect(serverErrors, `seed ${SEED}`).toEqual([]);
    // The cases reached the parser's refusals, the router and the upgrade handler.
    expect([...byStatus.keys()]).toEqual(expect.arrayContaining([200, 400, 404, 431]));
    console.log(`HTTP fuzz seed ${SEED}: ${cases.length} requests`, Object.fromEntries(byStatus));
  }, 60_000);

  it('cuts off a client that trickles its headers, its upgrade, or its body', async () => {
    const slow = await Promise.all([
      trickle(port, 'GET / HTTP/1.1\r\nHost: x\r\n', 'X-A: b\r\n', 200, 8_000),
      trickle(
        port,
        'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n',
        'X-A: b\r\n',
        200,
        8_000,
      ),
      trickle(port, 'G', 'E', 200, 8_000),
      trickle(
        port,
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
        ' ',
        200,
        8_000,
      ),
    ]);
    const [headers, upgrade, line, body] = slow.map((s) => s.closedAfterMs);
    // Within the timeout and the once-a-second check (plus a loaded machine's slack).
    for (const ms of [headers, upgrade, line]) {
      expect(ms).toBeDefined();
      expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + 3_000);
    }
    expect(body).toBeDefined();
    expect(body).toBeLessThan(REQUEST_TIMEOUT_MS + 3_000);
    for (const s of slow) expect(statuses(s.text).every((code) => code < 500)).toBe(true);
  }, 20_000);

  it('never serves a file from outside the web root', async () => {
    const leaks: string[] = [];
    const byStatus = new Map<number, number>();
    for (const target of traversalTargets('secret.txt')) {
      for (const method of ['GET', 'HEAD']) {
        const answer = await rawExchange(
          port,
          `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          { waitMs: 1_500 },
        );
        const [status] = statuses(answer.text);
        if (status !== undefined) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        if (answer.text.includes(SECRET) || answer.text.includes('root:x:0:0')) {
          leaks.push(`${method} ${target}: ${answer.text.slice(0, 200)}`);
        }
        // A HEAD gives the file's length away: it must not be the secret's.
        if (
          method === 'HEAD' &&
          status === 200 &&
          answer.text.includes(`content-length: ${SECRET.length}\r`)
        ) {
          leaks.push(`${method} ${target}: the secret's length`);
        }
        if (status !== undefined && status >= 500) leaks.push(`${method} ${target}: ${status}`);
      }
    }
    expect(leaks).toEqual([]);
    // The files inside are still served.
    const app = await fetch(`${t.server.httpUrl}/assets/app.js`);
    expect(app.status).toBe(200);
    expect(await app.text()).toBe('console.log(1);');
  });

  it('still serves HTTP, WebSocket and a real call afterwards', async () => {
    expect((await fetch(`${t.server.httpUrl}/healthz`)).status).toBe(200);
    const ws = new WebSocket(t.server.signalingUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        resolve();
      });
      ws.once('error', reject);
    });
    ws.close();
    await placeRealCall(inProcessTarget(t), 'fh-alice', 'fh-bob', 'fuzz-http-after-1');
    expect(crashes).toEqual([]);
  });
});
