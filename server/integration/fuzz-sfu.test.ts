import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { parseSfuServerFrame } from '../sfu/sfu-frames.js';
import { opusParameters } from '../sfu/testing/media-fixtures.js';
import { FuzzConnection } from '../testing/fuzz-connection.js';
import { type Planned, Rng } from '../testing/fuzz-json.js';
import { inProcessTarget, placeRealCall } from '../testing/real-call.js';
import { SfuFrameFactory, type SfuKnown } from '../testing/sfu-fuzz-frames.js';
import type { TestClient } from '../testing/test-client.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';
import { CrashRecorder } from '../testing/crash-recorder.js';

/**
 * Seeded fuzzing of the SFU socket past admission: peers of a real active call join with valid
 * media tickets, then send valid requests on the ids the server made, the same mutated (lone
 * surrogates, prototype keys, deep and huge values, wrong types), cut short, oversized, binary and
 * random frames. Every frame with a valid id is answered once, never with `internal`; the sockets
 * stay open; the call's media and a new call still work afterwards.
 * Rerun a failure with `FUZZ_SEED=<seed> npx vitest run server/integration/fuzz-sfu.test.ts`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5f0c) >>> 0;
const FRAMES_PER_PEER = 2_500;
const CALL_ID = 'fuzz-sfu-call-1';

const isSfuEvent = (text: string): boolean => parseSfuServerFrame(text).kind === 'event';

/** A peer of the call on the SFU socket, joined, with a send and a receive transport. */
async function joinedPeer(
  client: TestClient,
  name: string,
): Promise<{ peer: FuzzConnection; known: SfuKnown }> {
  const { ticket, sfuUrl } = await client.request('media.ticket', { callId: CALL_ID });
  const peer = await FuzzConnection.open(sfuUrl, name, isSfuEvent);
  const joined = (await peer.request(`${name}-join`, 'join', { ticket })) as {
    routerRtpCapabilities: unknown;
  };
  const known: SfuKnown = {
    transportIds: [],
    producerIds: [],
    rtpCapabilities: joined.routerRtpCapabilities,
  };
  for (const direction of ['send', 'recv']) {
    const made = (await peer.request(`${name}-${direction}`, 'transport.create', {
      direction,
    })) as { id: string };
    known.transportIds.push(made.id);
  }
  return { peer, known };
}

describe('fuzzing the SFU socket', () => {
  let t: TestServer;
  const recorder = new CrashRecorder();
  const { crashes } = recorder;

  beforeAll(async () => {
    recorder.listen();
    t = await startTestServer({
      media: { enabled: true },
      // Wide open, so that every frame reaches parsing and the handlers.
      sfu: { rateLimitPerSec: 100_000, rateLimitBurst: 100_000, requestTimeoutMs: 3_000 },
      signaling: { rateLimitPerSec: 100_000, rateLimitBurst: 100_000 },
    });
    for (const userId of ['fs-alice', 'fs-bob', 'fs-carol', 'fs-dave']) await t.addUser(userId);
  });
  afterAll(async () => {
    recorder.stop();
    await t.dispose();
  });

  it(`survives ${2 * FRAMES_PER_PEER} fuzzed frames from joined peers (seed ${SEED})`, async () => {
    onTestFailed(() => {
      console.error(`SFU fuzz failed with seed ${SEED}: rerun with FUZZ_SEED=${SEED}`);
    });
    const alice = await t.connect('fs-alice');
    const bob = await t.connect('fs-bob');
    await alice.request('call.invite', { callId: CALL_ID, callees: ['fs-bob'], media: 'video' });
    await bob.waitFor('call.incoming', (d) => d.call.callId === CALL_ID);
    expect((await bob.request('call.accept', { callId: CALL_ID })).call.state).toBe('active');

    const peers = [await joinedPeer(alice, 'alice'), await joinedPeer(bob, 'bob')];
    const runs = peers.map(({ peer, known }, i) => {
      // One generator per peer: the two are pulled in whatever order their answers come.
      const factory = new SfuFrameFactory(new Rng(SEED + i), known);
      peer.onAnswer = (planned, response) => {
        if (!response.ok) return;
        const sent: unknown = JSON.parse(planned.payload.toString('utf8'));
        const data = (sent as { data?: { producerId?: unknown } } | null)?.data;
        factory.learn(SfuFrameFactory.typeOf(planned), response.data, data?.producerId);
      };
      // Pulled lazily, so that valid requests use the ids the server made just before.
      function* frames(): Generator<Planned> {
        for (let i = 0; i < FRAMES_PER_PEER; i++) yield factory.next();
      }
      return peer.run(frames());
    });
    await Promise.all(runs);
    await Promise.all(peers.map(({ peer }) => peer.settled(10_000)));

    const why = `seed ${SEED}`;
    const problems: Record<string, unknown[]> = {};
    for (const { peer } of peers) {
      const found: Record<string, unknown[]> = {
        closed: peer.closeCode === undefined ? [] : [peer.closeCode],
        unanswered: peer.missing(),
        answeredTwice: peer.duplicates,
        answeredWithUnknownId: peer.unexpected,
        wrongCodes: peer.wrongCodes,
        invalidServerFrames: peer.invalidFrames,
        internalErrors: peer.internalErrors,
      };
      for (const [check, list] of Object.entries(found)) {
        if (list.length > 0) problems[`${peer.name}.${check}`] = list.slice(0, 5);
      }
    }
    expect(crashes, why).toEqual([]);
    expect(problems, why).toEqual({});
    const outcomes = new Map<string, number>();
    for (const { peer } of peers) {
      for (const [o, n] of peer.outcomes) outcomes.set(o, (outcomes.get(o) ?? 0) + n);
    }
    // The frames got past framing and validation into the room and the worker.
    expect([...outcomes.keys()], why).toEqual(
      expect.arrayContaining(['ok', 'bad-frame', 'bad-request', 'not-found', 'payload-too-large']),
    );
    expect(outcomes.get('rate-limited') ?? 0, why).toBe(0);
    expect(({} as Record<string, unknown>).polluted, why).toBeUndefined();

    // The fuzzed peer can still produce on a fresh send transport, and the call ends cleanly.
    const [first] = peers;
    if (!first) throw new Error('no peer');
    const send = (await first.peer.request('after-send', 'transport.create', {
      direction: 'send',
    })) as { id: string };
    const produced = (await first.peer.request('after-produce', 'produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(987_654),
    })) as { producerId: string };
    expect(produced.producerId).toMatch(/./);
    await alice.request('call.hangup', { callId: CALL_ID });
    expect((await bob.waitFor('call.ended')).reason).toBe('completed');
    for (const { peer } of peers) peer.socket.close();

    await placeRealCall(inProcessTarget(t), 'fs-carol', 'fs-dave', 'fuzz-sfu-after-1');
    expect(crashes, why).toEqual([]);
    console.log(
      `SFU fuzz seed ${SEED}: ${2 * FRAMES_PER_PEER} frames`,
      Object.fromEntries([...outcomes].sort(([, a], [, b]) => b - a)),
    );
  }, 60_000);
});
