import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { opusParameters } from './testing/media-fixtures.js';
import { type SfuFixture, eventually, startSfuFixture } from './testing/sfu-fixture.js';
import { SfuTestClient, errorCodeOf } from './testing/sfu-test-client.js';

/** Short, so a request the worker never answers fails within the test. */
const REQUEST_TIMEOUT_MS = 1_500;

/** An object with `key` as its own property (a literal `__proto__:` would set the prototype). */
const withKey = (key: string, value: unknown): Record<string, unknown> =>
  Object.defineProperty({}, key, { value, enumerable: true });

const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

/** Requests whose data the media worker must never see, and why. */
function hostileRequests(transportId: string): [string, string, unknown][] {
  const opus = opusParameters(1111);
  const produce = (rtpParameters: unknown, extra: Record<string, unknown> = {}) => ({
    transportId,
    kind: 'audio',
    source: 'mic',
    rtpParameters,
    ...extra,
  });
  return [
    ['lone high surrogate in cname', 'produce', produce({ ...opus, rtcp: { cname: 'x\ud800' } })],
    ['lone low surrogate in mid', 'produce', produce({ ...opus, mid: '\udfff' })],
    ['lone surrogate as a key', 'produce', produce({ ...opus, ...withKey('\ud83d', 1) })],
    ['`then` in rtpParameters', 'produce', produce({ ...opus, then: 1 })],
    ['`__proto__` in rtpParameters', 'produce', produce({ ...opus, ...withKey('__proto__', {}) })],
    [
      '`constructor` in a codec',
      'produce',
      produce({
        ...opus,
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, constructor: {} }],
      }),
    ],
    ['`prototype` in appData', 'produce', produce(opus, { appData: { prototype: { x: 1 } } })],
    ['`then` in appData', 'produce', produce(opus, { appData: { then: 'x' } })],
    ['nested too deep', 'produce', produce({ ...opus, x: nested(12) })],
    ['too many values', 'produce', produce({ ...opus, x: Array.from({ length: 5_000 }, () => 0) })],
    [
      'lone surrogate in dtlsParameters',
      'transport.connect',
      {
        transportId,
        dtlsParameters: {
          role: 'client',
          fingerprints: [{ algorithm: 'sha-256', value: '\ud800' }],
        },
      },
    ],
    ['`then` in rtpCapabilities', 'consumer.ready', { rtpCapabilities: { codecs: [], then: 1 } }],
    ['lone surrogate in a producer id', 'producer.pause', { producerId: 'p\udc00' }],
    ['lone surrogate in a consumer id', 'consumer.resume', { consumerId: '\ud800' }],
    [
      'lone surrogate in restartIce',
      'transport.restartIce',
      { transportId: `${transportId}\udc01` },
    ],
    ['`then` in producer.resume', 'producer.resume', { producerId: 'p', then: 1 }],
    ['`constructor` in producer.close', 'producer.close', { producerId: 'p', constructor: 1 }],
    ['`prototype` in leave', 'leave', { prototype: {} }],
    [
      '`__proto__` in transport.create',
      'transport.create',
      { direction: 'send', ...withKey('__proto__', { forceTcp: true }) },
    ],
  ];
}

/** Every request of `client` after this one waits behind it: the worker is paused. */
function pauseWorker(f: SfuFixture): () => void {
  const [worker] = f.sfu.workers();
  if (!worker) throw new Error('no worker');
  process.kill(worker.pid, 'SIGSTOP');
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    process.kill(worker.pid, 'SIGCONT');
  };
}

describe('what the SFU socket passes to the media worker', () => {
  let f: SfuFixture;
  let resume: (() => void) | undefined;
  beforeAll(async () => {
    f = await startSfuFixture({
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      // The token bucket would refuse a burst first: opened wide so the queue cap is what counts.
      rateLimitPerSec: 100_000,
      rateLimitBurst: 100_000,
    });
  });
  afterEach(() => {
    resume?.();
    resume = undefined;
  });
  afterAll(async () => {
    await f.close();
  });

  async function joinWithSendTransport(callId: string): Promise<[SfuTestClient, string]> {
    f.admit(callId, 'alice');
    const alice = await f.join(callId, 'alice');
    const { id } = await alice.request('transport.create', { direction: 'send' });
    return [alice, id];
  }

  it('refuses malformed text, prototype keys, deep and huge values at once; the socket goes on', async () => {
    const [alice, transportId] = await joinWithSendTransport('guard-call-1');
    for (const [why, type, data] of hostileRequests(transportId)) {
      const started = Date.now();
      await expect(errorCodeOf(alice.requestRaw(type, data)), why).resolves.toBe('bad-request');
      // At once: not the request timeout's `internal` after the worker failed to answer.
      expect(Date.now() - started, why).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
      // And the next valid request on the same socket is answered.
      const { producerId } = await alice.request('produce', {
        transportId,
        kind: 'audio',
        source: 'mic',
        rtpParameters: opusParameters(2000 + Math.floor(Math.random() * 1e6)),
      });
      expect(producerId, why).toMatch(/./);
      await alice.request('producer.close', { producerId });
    }
    // A lone surrogate in the ticket never reaches the token check's logs or the worker either.
    const stranger = await SfuTestClient.connect(f.url);
    await expect(errorCodeOf(stranger.requestRaw('join', { ticket: 'a\ud800' }))).resolves.toBe(
      'bad-request',
    );
    await stranger.close();
    expect(alice.invalidFrames).toEqual([]);
    expect(({} as Record<string, unknown>).forceTcp).toBeUndefined();
  });

  it('bounds a request the worker never answers by sfu.requestTimeoutMs; the queue moves on', async () => {
    const [alice] = await joinWithSendTransport('guard-call-2');
    resume = pauseWorker(f);
    const started = Date.now();
    const hung = errorCodeOf(alice.request('transport.create', { direction: 'recv' }));
    // Waits behind the hung one; needs no worker itself.
    const behind = errorCodeOf(alice.request('producer.pause', { producerId: 'no-such-producer' }));
    await expect(hung).resolves.toBe('internal');
    const hungFor = Date.now() - started;
    expect(hungFor).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 20);
    expect(hungFor).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
    await expect(behind).resolves.toBe('not-found');
    resume();
    // The worker back, the same socket works.
    const { id } = await alice.request('transport.create', { direction: 'recv' });
    expect(id).toMatch(/./);
    expect(alice.invalidFrames).toEqual([]);
  });

  it('refuses more than 64 waiting requests and keeps nothing of them after close', async () => {
    const heap = heapMeter();
    const before = heap();
    const [alice] = await joinWithSendTransport('guard-call-3');
    resume = pauseWorker(f);
    void errorCodeOf(alice.request('transport.create', { direction: 'recv' })).catch(
      () => 'closed',
    );
    // Each ~60 KB, kept in full by the loose rtpParameters schema while it waits.
    const pad = 'x'.repeat(60_000);
    const burst = 600;
    const outcomes = Array.from({ length: burst }, (_, i) =>
      errorCodeOf(
        alice.requestRaw('produce', {
          transportId: `t-${i}`,
          kind: 'audio',
          source: 'mic',
          rtpParameters: { ...opusParameters(i + 1), pad },
        }),
      ).catch(() => 'closed'),
    );
    // The refusals come at once, while the first request still hangs in the paused worker.
    // (64 wait; one more may be counted while the first is still starting.)
    const refused = await Promise.all(outcomes.slice(65));
    expect(new Set(refused)).toEqual(new Set(['rate-limited']));
    const whilePaused = heap();
    // 600 × 60 KB would be 36 MB; 64 of them are under 4.
    expect(whilePaused - before).toBeLessThan(20e6);

    await alice.close();
    await eventually(() => f.sfu.roomOf('guard-call-3')?.peer('alice') === undefined, 5_000);
    // The hung request times out; what waited behind it ends with the socket.
    await new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS + 300));
    // What the 64 held (~4 MB) is let go of, although the worker is still paused.
    expect(heap() - before).toBeLessThan((whilePaused - before) / 2);
    resume();
  });
});

/** The heap in use after a full collection (`--expose-gc` turned on at run time). */
function heapMeter(): () => number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
}
