import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { Rng } from '../testing/fuzz-json.js';
import { RawWebSocket, WS_OPCODE, encodeClientFrame } from '../testing/raw-ws.js';
import { inProcessTarget, placeRealCall } from '../testing/real-call.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';
import { CrashRecorder } from '../testing/crash-recorder.js';

/**
 * WebSocket framing no library would send, on /ws and on /sfu: bad masks, reserved bits and
 * opcodes, oversized and fragmented control frames, invalid UTF-8, bad close frames, absurd
 * lengths, random bytes. Each such socket is closed (with a close frame or at the TCP level),
 * valid fragmented frames are answered, and the server goes on serving a real call.
 * Rerun a failure with `FUZZ_SEED=<seed> npx vitest run server/integration/fuzz-ws-framing.test.ts`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x3e5) >>> 0;
const RANDOM_SOCKETS = 60;

const ping = (id: string): string => JSON.stringify({ id, type: 'ping', data: {} });
const len64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(14);
  b[0] = 0x81;
  b[1] = 0xff;
  b.writeBigUInt64BE(n, 2);
  return b;
};

/** Frames that break the protocol: the server must close the socket. */
const BROKEN: [string, Buffer][] = [
  ['unmasked frame', encodeClientFrame(ping('u'), { mask: false })],
  ['RSV1 without an extension', encodeClientFrame(ping('r'), { rsv: 4 })],
  ['RSV3', encodeClientFrame(ping('r3'), { rsv: 1 })],
  ['reserved opcode 3', encodeClientFrame('x', { opcode: 3 })],
  ['reserved opcode 0xB', encodeClientFrame('x', { opcode: 0xb })],
  ['continuation first', encodeClientFrame('x', { opcode: 0 })],
  ['ping of 200 bytes', encodeClientFrame(Buffer.alloc(200), { opcode: WS_OPCODE.ping })],
  ['fragmented ping', encodeClientFrame('x', { opcode: WS_OPCODE.ping, fin: false })],
  ['invalid UTF-8 text', encodeClientFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
  ['lone surrogate as CESU-8', encodeClientFrame(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))],
  ['close code 999', encodeClientFrame(Buffer.from([0x03, 0xe7]), { opcode: WS_OPCODE.close })],
  ['close of one byte', encodeClientFrame(Buffer.from([0x03]), { opcode: WS_OPCODE.close })],
  ['length 2^63 - 1', len64(2n ** 63n - 1n)],
  ['length 2^53', len64(2n ** 53n)],
  [
    'text inside a text fragment',
    Buffer.concat([
      encodeClientFrame('{"id":', { fin: false }),
      encodeClientFrame('"x"}', { opcode: WS_OPCODE.text }),
    ]),
  ],
];

describe('fuzzing the WebSocket framing of /ws and /sfu', () => {
  let t: TestServer;
  let port: number;
  const recorder = new CrashRecorder();
  const { crashes } = recorder;
  beforeAll(async () => {
    recorder.listen();
    t = await startTestServer({ media: { enabled: true } });
    port = Number(new URL(t.server.httpUrl).port);
    await t.addUser('fw-alice');
    await t.addUser('fw-bob');
  });
  afterAll(async () => {
    recorder.stop();
    await t.dispose();
  });

  for (const path of ['/ws', '/sfu']) {
    it(`closes ${path} sockets that break the framing, and only those`, async () => {
      const bystander = await RawWebSocket.open(port, path);
      const open: string[] = [];
      await Promise.all(
        BROKEN.map(async ([name, bytes]) => {
          const ws = await RawWebSocket.open(port, path);
          ws.write(bytes);
          await ws.until(() => ws.closed, 3_000).catch(() => open.push(name));
          ws.destroy();
        }),
      );
      expect(open).toEqual([]);
      // A request in fragments, with a ping between them, is one valid request.
      bystander.write(
        Buffer.concat([
          encodeClientFrame('{"id":"frag-1",', { fin: false }),
          encodeClientFrame('p', { opcode: WS_OPCODE.ping }),
          encodeClientFrame('"type":"ping","data":{}}', { opcode: 0 }),
        ]),
      );
      await bystander.until(() => bystander.texts.some((text) => text.includes('"frag-1"')));
      expect(bystander.frames.some((f) => f.opcode === WS_OPCODE.pong)).toBe(true);
      expect(bystander.closed).toBe(false);
      bystander.destroy();
    });
  }

  it(`survives ${RANDOM_SOCKETS} sockets of random frames (seed ${SEED})`, async () => {
    onTestFailed(() => {
      console.error(`framing fuzz failed with seed ${SEED}: rerun with FUZZ_SEED=${SEED}`);
    });
    const rng = new Rng(SEED);
    const plans = Array.from({ length: RANDOM_SOCKETS }, () => {
      const frames: Buffer[] = [];
      for (let n = rng.range(1, 6); n > 0; n--) {
        frames.push(
          rng.chance(0.2)
            ? rng.bytes(rng.range(1, 300))
            : encodeClientFrame(
                rng.chance(0.5) ? rng.text(rng.range(0, 40)) : rng.bytes(rng.range(0, 200)),
                {
                  opcode: rng.pick([0, 1, 2, 3, 8, 9, 10, 15]),
                  fin: rng.chance(0.8),
                  rsv: rng.chance(0.8) ? 0 : rng.int(8),
                  mask: rng.chance(0.9),
                },
              ),
        );
      }
      return { path: rng.pick(['/ws', '/sfu']), bytes: Buffer.concat(frames) };
    });
    await Promise.all(
      plans.map(async ({ path, bytes }) => {
        const ws = await RawWebSocket.open(port, path);
        ws.write(bytes);
        await new Promise((resolve) => setTimeout(resolve, 300));
        ws.destroy();
      }),
    );
    expect(crashes, `seed ${SEED}`).toEqual([]);
    await placeRealCall(inProcessTarget(t), 'fw-alice', 'fw-bob', 'fuzz-ws-after-1');
    expect(crashes, `seed ${SEED}`).toEqual([]);
  });
});
