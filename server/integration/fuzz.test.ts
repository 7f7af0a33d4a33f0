import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { FuzzConnection } from '../testing/fuzz-connection.js';
import { type Planned, Rng, idKey } from '../testing/fuzz-json.js';
import { inProcessTarget, placeRealCall } from '../testing/real-call.js';
import { FrameFactory, OFFLINE_USER, ONLINE_USERS } from '../testing/signaling-fuzz-frames.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';
import { CrashRecorder } from '../testing/crash-recorder.js';

/**
 * Seeded fuzzing of the signaling endpoint: thousands of random and malformed frames over several
 * real connections, then checks that the server survived, answered every frame exactly once (with
 * the frame's id whenever it carried a valid one), and still serves a normal call.
 * Rerun a failure with `FUZZ_SEED=<seed> npx vitest run server/integration/fuzz.test.ts`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x7a1f0e) >>> 0;
const FRAME_COUNT = 12_000;

// ---------------------------------------------------------------------------------------------

describe('fuzzing the signaling endpoint', () => {
  let t: TestServer;
  const recorder = new CrashRecorder();
  const { crashes } = recorder;

  beforeAll(async () => {
    recorder.listen();
    t = await startTestServer({
      signaling: { rateLimitPerSec: 100_000, rateLimitBurst: 100_000, authTimeoutMs: 120_000 },
      calls: { defaultRingTimeoutMs: 1_500 },
    });
    for (const userId of [...ONLINE_USERS, OFFLINE_USER]) await t.addUser(userId);
  });
  afterAll(async () => {
    recorder.stop();
    await t.dispose();
  });

  it(`survives ${FRAME_COUNT} random and malformed frames (seed ${SEED})`, async () => {
    onTestFailed(() => {
      console.error(`fuzz failed with seed ${SEED}: rerun with FUZZ_SEED=${SEED}`);
    });
    const started = Date.now();
    const url = t.server.signalingUrl;
    const { tokens } = t.server.services;

    // Six signed-in connections (one user on two devices) and three that never sign in.
    const signedIn: FuzzConnection[] = [];
    for (const [i, userId] of [...ONLINE_USERS, 'fz-u0'].entries()) {
      const connection = await FuzzConnection.open(url, `${userId}#${i}`);
      // Straight from the token service: the login endpoint allows ten sign-ins a minute.
      await connection.hello((await tokens.issue(userId, 'access')).token, `fz-device-${i}`);
      signedIn.push(connection);
    }
    const anonymous = await Promise.all(
      [0, 1, 2].map((i) => FuzzConnection.open(url, `anonymous#${i}`)),
    );
    const connections = [...signedIn, ...anonymous];

    const rng = new Rng(SEED);
    const factory = new FrameFactory(rng);
    const plans = connections.map((): Planned[] => []);
    for (let i = 0; i < FRAME_COUNT; i++) {
      const frame = factory.anyFrame();
      // Call traffic goes mostly to signed-in connections, where it does something.
      const target =
        frame.kind === 'call-step' && rng.chance(0.9)
          ? rng.int(signedIn.length)
          : rng.int(connections.length);
      plans[target]!.push(frame);
    }
    const total = plans.reduce((sum, p) => sum + p.length, 0);
    expect(total).toBeGreaterThanOrEqual(10_000);

    await Promise.all(connections.map((c, i) => c.run(plans[i]!)));
    await Promise.all(connections.map((c) => c.settled(10_000)));
    const sentAt = Date.now();

    // Every kind of problem, per connection (first few of each): all of them empty.
    const checks: Record<string, (c: FuzzConnection) => unknown[]> = {
      closed: (c) => (c.closeCode === undefined ? [] : [c.closeCode]),
      unanswered: (c) => c.missing(),
      answeredTwice: (c) => c.duplicates,
      answeredWithUnknownId: (c) => c.unexpected,
      nullIdAnswers: (c) =>
        c.nullReceived === c.nullExpected ? [] : [`${c.nullReceived} for ${c.nullExpected}`],
      wrongCodes: (c) => c.wrongCodes,
      invalidServerFrames: (c) => c.invalidFrames,
      internalErrors: (c) => c.internalErrors,
    };
    const problems: Record<string, Record<string, unknown[]>> = {};
    for (const [check, pick] of Object.entries(checks)) {
      for (const c of connections) {
        const found = pick(c);
        if (found.length > 0) (problems[check] ??= {})[c.name] = found.slice(0, 5);
      }
    }
    const why = `seed ${SEED}`;
    expect(crashes, why).toEqual([]);
    expect(problems, why).toEqual({});
    for (const c of connections) expect(c.received, why).toBe(c.sent);
    // The frames reached every stage: framing, parsing, validation, sessions and handlers.
    const outcomes = new Map<string, number>();
    for (const c of connections) {
      for (const [outcome, n] of c.outcomes)
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + n);
    }
    const reached: string[] = ['ok', 'bad-frame', 'bad-request', 'unknown-type'];
    reached.push('payload-too-large', 'not-authenticated', 'already-authenticated', 'not-found');
    expect([...outcomes.keys()], why).toEqual(expect.arrayContaining(reached));
    expect(outcomes.get('rate-limited') ?? 0, why).toBe(0);
    // `__proto__` and `constructor` keys were data, never assignments.
    expect(({} as Record<string, unknown>).polluted, why).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), why).toBe(false);

    // Every connection is still there and answering.
    for (const c of connections) {
      const id = `after-${c.name}`;
      c.socket.send(JSON.stringify({ id, type: 'ping', data: {} }));
      c.expected.set(idKey(id), {
        kind: 'after',
        payload: Buffer.alloc(0),
        binary: false,
        expect: idKey(id),
      });
      c.sent++;
    }
    await Promise.all(connections.map((c) => c.settled(5_000)));
    for (const c of signedIn) expect(c.answered.get(idKey(`after-${c.name}`))?.ok, why).toBe(true);
    for (const c of anonymous) {
      expect(c.answered.get(idKey(`after-${c.name}`)), why).toMatchObject({
        ok: false,
        error: { code: 'not-authenticated' },
      });
    }

    // A normal call between two fresh clients still works from start to end, with its record.
    await t.addUser('alice', 'Alice');
    await t.addUser('bob', 'Bob');
    await placeRealCall(inProcessTarget(t), 'alice', 'bob', 'after-fuzz-call');

    const health = await fetch(`${t.server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(crashes, why).toEqual([]);

    for (const c of connections) c.socket.close();
    console.log(
      `fuzz seed ${SEED}: ${total} frames over ${connections.length} connections in ${sentAt - started} ms`,
      Object.fromEntries([...outcomes].sort(([, a], [, b]) => b - a)),
    );
  }, 60_000);
});
