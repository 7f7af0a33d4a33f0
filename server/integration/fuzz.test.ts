import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import type { ErrorCode, RequestType } from '../../protocol/index.js';
import {
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  REQUEST_TYPES,
  errorBodySchema,
  parseServerFrame,
  requestIdSchema,
} from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';

/**
 * Seeded fuzzing of the signaling endpoint: thousands of random and malformed frames over several
 * real connections, then checks that the server survived, answered every frame exactly once (with
 * the frame's id whenever it carried a valid one), and still serves a normal call.
 * Rerun a failure with `FUZZ_SEED=<seed> npx vitest run server/integration/fuzz.test.ts`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x7a1f0e) >>> 0;
const FRAME_COUNT = 12_000;
/** Frames a connection may have unanswered at once: paces sends without serializing them. */
const WINDOW = 24;

// ---------------------------------------------------------------------------------------------
// A tiny seeded PRNG.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Bits of text chosen to upset parsers, validators and logs. */
// prettier-ignore
const TEXT_CHUNKS = [
  'a', 'Z', '0', ' ', '-', '_', '.', '"', '\\', '/', '{', '}', '[', ']', ':', ',', '\n', '\t',
  '\u0000', '\u0007', '\u001f', '\u007f', 'é', 'ß', '中', 'ع', '\u200b', '\u202e', '\ufeff',
  '\u2028', '\u2029', '\uffff', '\ud83d\ude00', '\ud800', '\udfff', '%s', '${x}', '<script>',
  "'; DROP TABLE users; --", '__proto__', 'constructor', 'NaN', 'null',
];

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(table: readonly (readonly [number, T])[]): T {
    let roll = this.next() * table.reduce((sum, [w]) => sum + w, 0);
    for (const [w, value] of table) {
      roll -= w;
      if (roll < 0) return value;
    }
    return table[table.length - 1]![1];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** Random text of about `chunks` pieces, mixing ASCII, controls, unicode and lone surrogates. */
  text(chunks: number): string {
    let out = '';
    for (let i = 0; i < chunks; i++) {
      out += this.chance(0.5) ? String.fromCharCode(this.range(32, 126)) : this.pick(TEXT_CHUNKS);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON built by hand, so frames can hold what JS objects cannot: duplicate keys, `__proto__` as
// an own key, number literals like 1e999, nesting deeper than JSON.stringify would survive.

class Raw {
  constructor(readonly text: string) {}
}
class Obj {
  constructor(readonly entries: [string, J][]) {}
}
type J = null | boolean | number | string | Raw | Obj | J[];

function toJson(value: J): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Obj) {
    return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value);
}

function fromPlain(value: unknown): J {
  if (Array.isArray(value)) return value.map(fromPlain);
  if (value !== null && typeof value === 'object') {
    return new Obj(Object.entries(value).map(([k, v]) => [k, fromPlain(v)]));
  }
  return value as J;
}

// ---------------------------------------------------------------------------------------------
// The model: which id a response must carry.

type Id = string | number;
/** Unicode code points (a lone surrogate counts as one), as the protocol measures text. */
const codePoints = (s: string): number => Array.from(s).length;
/** The protocol's request ids: 1-64 code points of text, or a safe integer. */
const isValidId = (v: unknown): v is Id =>
  (typeof v === 'string' && codePoints(v) >= 1 && codePoints(v) <= 64) ||
  (typeof v === 'number' && Number.isSafeInteger(v));
/** Equal ids have equal keys (`-0` and `0` are the same id on the wire). */
const idKey = (id: Id): string => `${typeof id}:${String(id)}`;

interface Planned {
  kind: string;
  payload: Buffer;
  binary: boolean;
  /** Key of the id the one response must carry, or null: a response with `id: null`. */
  expect: string | null;
  /** The error code, where the frame alone decides it. */
  code?: ErrorCode;
}

// ---------------------------------------------------------------------------------------------
// Generators.

const ONLINE_USERS = ['fz-u0', 'fz-u1', 'fz-u2', 'fz-u3', 'fz-u4'];
const OFFLINE_USER = 'fz-off';
const ALL_USERS = [...ONLINE_USERS, OFFLINE_USER, 'fz-ghost'];
const CALL_IDS = Array.from({ length: 16 }, (_, i) => `fz-call-${String(i).padStart(2, '0')}`);

class FrameFactory {
  private serial = 0;
  constructor(private readonly rng: Rng) {}

  /** An id: mostly valid and never used before, otherwise any JSON that is not a valid id. */
  id(): { value: J; key: string } | { value: J; key: null } {
    return this.rng.chance(0.7) ? this.freshId() : this.invalidId();
  }

  /** A valid id never used before, in any of the ways JSON can write it. */
  freshId(): { value: J; key: string } {
    const { rng } = this;
    const n = ++this.serial;
    // [as sent, as the server must read it]
    const fresh: [J, Id] = rng.pick<() => [J, Id]>([
      () => [n, n],
      () => [-n, -n],
      () => [`f${n}`, `f${n}`],
      () => [new Raw(`${n}.0`), n],
      () => [new Raw(`${n}0e-1`), n],
      () => [new Raw(`${n}E+0`), n],
      () => [`q"\\${n}`, `q"\\${n}`],
      () => [`#${n}`.padStart(64, '\u0000'), `#${n}`.padStart(64, '\u0000')],
      () => {
        const s = `${rng.text(rng.range(1, 12)).slice(0, 40)}#${n}`;
        return [s, s];
      },
    ])();
    return { value: fresh[0], key: idKey(fresh[1]) };
  }

  /** Any JSON that is not a valid request id. */
  invalidId(): { value: J; key: null } {
    const { rng } = this;
    const n = ++this.serial;
    const invalid: J = rng.pick<() => J>([
      () => null,
      () => true,
      () => false,
      () => new Raw(`${n}.5`),
      () => 2 ** 53 + 2 * n,
      () => -(2 ** 53) - 2 * n,
      () => 1e300,
      () => new Raw('1e999'),
      () => new Raw('-1e999'),
      () => '',
      () => `${n}`.padEnd(65, 'x'),
      () => '\ud83d\ude00'.repeat(65),
      () => [],
      () => [n],
      () => new Obj([]),
      () => new Obj([['id', n]]),
      () => new Raw(`${'['.repeat(500)}${']'.repeat(500)}`),
    ])();
    return { value: invalid, key: null };
  }

  private users(max: number): string[] {
    const count = this.rng.range(1, max);
    return Array.from({ length: count }, () => this.rng.pick(ALL_USERS));
  }

  /** Valid data for each request type (hello never carries a real token). */
  sample(type: RequestType): Record<string, unknown> {
    const { rng } = this;
    const callId = (): string => rng.pick(CALL_IDS);
    const user = (): string => rng.pick(ALL_USERS);
    const maybe = (p: number, value: () => unknown): unknown =>
      rng.chance(p) ? value() : undefined;
    const table: Record<RequestType, () => Record<string, unknown>> = {
      hello: () => ({
        protocol: PROTOCOL_VERSION,
        token: rng.chance(0.5)
          ? 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA'
          : rng.text(rng.range(1, 40)) || 't',
        device: { id: `fz-dev-${rng.int(100)}`, name: 'fuzz device', platform: 'linux' },
      }),
      ping: () => ({}),
      'presence.query': () => ({ userIds: this.users(5) }),
      'presence.subscribe': () => ({ userIds: this.users(5) }),
      'presence.unsubscribe': () => ({ userIds: this.users(5) }),
      'presence.setStatus': () => ({ status: rng.pick(['available', 'away', 'busy', 'dnd']) }),
      'call.invite': () => ({
        callId: callId(),
        callees: this.users(3),
        media: rng.pick(['audio', 'video']),
        payload: maybe(0.3, () => rng.text(rng.range(0, 60))),
        ringTimeoutMs: maybe(0.3, () => rng.range(1_000, 3_000)),
      }),
      'call.ack': () => ({ callId: callId() }),
      'call.accept': () => ({ callId: callId() }),
      'call.refuse': () => ({ callId: callId(), reason: maybe(0.5, () => 'declined') }),
      'call.cancel': () => ({ callId: callId(), callees: maybe(0.3, () => this.users(2)) }),
      'call.hangup': () => ({ callId: callId() }),
      'call.add': () => ({ callId: callId(), callees: this.users(2) }),
      'call.control': () =>
        rng.pick([
          () => ({
            callId: callId(),
            action: rng.pick(['mute', 'unmute']),
            target: user(),
            kind: rng.pick(['audio', 'video']),
          }),
          () => ({ callId: callId(), action: 'remove', target: user() }),
          () => ({ callId: callId(), action: 'end' }),
        ])(),
      'call.list': () => ({}),
      'media.ticket': () => ({ callId: callId() }),
      'message.send': () => ({
        messageId: `fz-msg-${rng.int(1000)}`,
        to: user(),
        body: rng.text(rng.range(0, 30)),
      }),
      'message.ack': () => ({ messageId: `fz-msg-${rng.int(1000)}`, from: user() }),
      'push.register': () => ({
        platform: rng.pick(['apns-voip', 'fcm', 'vendor']),
        token: `push-${rng.int(1e6)}`,
      }),
      'push.unregister': () => ({}),
      'history.list': () => ({
        before: maybe(0.5, () => 1.7e12 + rng.int(1e9)),
        limit: maybe(0.5, () => rng.range(1, 100)),
      }),
      'settings.update': () => ({ callWaiting: maybe(0.8, () => rng.chance(0.5)) }),
      'block.add': () => ({ userId: rng.pick(['fz-ghost', 'fz-nobody', OFFLINE_USER]) }),
      'block.remove': () => ({ userId: user() }),
      'block.list': () => ({}),
      'agent.setStatus': () => ({
        status: rng.pick(['available', 'break', 'logged-out']),
        reason: maybe(0.3, () => 'lunch'),
      }),
      'agent.get': () => ({}),
      'agent.stats': () => ({}),
      'supervisor.queues': () => ({}),
      'agent.settings': () => ({ autoAnswer: rng.chance(0.5) }),
      'queue.subscribe': () => ({ queues: [rng.pick(['fz-queue', 'support'])] }),
      'queue.unsubscribe': () => ({ queues: [rng.pick(['fz-queue', 'support'])] }),
      'queue.stats': () => ({ queue: rng.pick(['fz-queue', 'support']) }),
      'supervisor.monitor': () => ({
        callId: callId(),
        mode: rng.pick(['listen', 'whisper', 'barge']),
      }),
      'directory.search': () => ({
        query: rng.text(rng.range(0, 12)),
        limit: maybe(0.5, () => rng.range(1, 100)),
      }),
    };
    // Optional fields left undefined disappear, as they would from JSON.stringify.
    return JSON.parse(JSON.stringify(table[type]())) as Record<string, unknown>;
  }

  /** A value chosen to break whatever field it lands in. */
  hostile(depth = 0): J {
    const { rng } = this;
    return rng.pick<() => J>([
      () => null,
      () => rng.chance(0.5),
      () => 0,
      () => new Raw('-0'),
      () => -rng.range(1, 1e9),
      () => rng.range(1, 1e9),
      () => 2 ** 53,
      () => 1e308,
      () => -1e308,
      () => 5e-324,
      () => 1.5,
      () => new Raw('1e999'),
      () => new Raw('-1e999'),
      () => new Raw('123456789012345678901234567890'),
      () => new Raw('0.000000000000000000000000000001'),
      () => rng.pick(['', 'NaN', 'Infinity', '-Infinity', 'undefined', 'null', '0x1f', '1e999']),
      () => rng.pick(['__proto__', 'constructor', 'prototype', 'toString', ' 42 ', 'true']),
      () => rng.text(rng.range(1, 40)),
      () => (depth > 0 ? 'short' : 'a'.repeat(rng.range(1_000, 20_000))),
      () => (depth > 0 ? 'é' : '\ud83d\ude00'.repeat(rng.range(100, 3_000))),
      () => (depth > 0 ? '\u0000' : rng.text(rng.range(500, 2_000))),
      () => {
        const d = rng.range(10, 20_000);
        return new Raw(`${'['.repeat(d)}${']'.repeat(d)}`);
      },
      () => {
        const d = rng.range(10, 5_000);
        return new Raw(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`);
      },
      () => new Obj([['__proto__', new Obj([['polluted', true]])]]),
      () => new Obj([['constructor', new Obj([['prototype', new Obj([['polluted', true]])]])]]),
      () =>
        new Obj([
          ['__proto__', null],
          ['toString', 1],
          ['hasOwnProperty', 'x'],
        ]),
      () =>
        depth > 1 ? [] : Array.from({ length: rng.range(0, 4) }, () => this.hostile(depth + 1)),
      () =>
        depth > 1
          ? new Obj([])
          : new Obj(
              Array.from({ length: rng.range(0, 4) }, (): [string, J] => [
                rng.pick(['__proto__', 'constructor', 'id', 'type', rng.text(3)]),
                this.hostile(depth + 1),
              ]),
            ),
      () => Array.from({ length: 501 }, (_, i) => `fz-x${i}`),
    ])();
  }

  /** Replaces, removes or adds exactly one field somewhere inside `data`. */
  mutateOne(data: J): J {
    const { rng } = this;
    type Slot = { parent: Obj | J[]; index: number };
    const slots: Slot[] = [];
    const walk = (node: J): void => {
      if (node instanceof Obj) {
        node.entries.forEach(([, child], index) => {
          slots.push({ parent: node, index });
          walk(child);
        });
      } else if (Array.isArray(node)) {
        node.forEach((child, index) => {
          slots.push({ parent: node, index });
          walk(child);
        });
      }
    };
    walk(data);
    if (slots.length === 0 || rng.chance(0.1)) return this.hostile();
    const { parent, index } = rng.pick(slots);
    const op = rng.int(4);
    if (parent instanceof Obj) {
      const entry = parent.entries[index]!;
      if (op === 0) parent.entries.splice(index, 1);
      else if (op === 1) {
        const key = rng.pick(['__proto__', 'constructor', 'prototype', entry[0], rng.text(4)]);
        parent.entries.splice(index + 1, 0, [key, this.hostile()]);
      } else entry[1] = this.hostile();
    } else if (op === 0) parent.splice(index, 1);
    else parent[index] = this.hostile();
    return data;
  }

  private type(): J {
    const { rng } = this;
    if (rng.chance(0.6)) return rng.pick(REQUEST_TYPES);
    return rng.pick<J>([
      '',
      'x'.repeat(65),
      'call.teleport',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'HELLO',
      'ping ',
      'call.invite\u0000',
      rng.text(8),
      7,
      null,
      ['ping'],
      new Obj([['type', 'ping']]),
    ]);
  }

  /**
   * A planned frame. `code` is the error the content earns when it is parsed; the size cap and the
   * refusal of binary frames come first.
   */
  private frame(
    kind: string,
    text: string,
    expectKey: string | null,
    binary = false,
    code?: ErrorCode,
  ): Planned {
    const payload = Buffer.from(text, 'utf8');
    if (payload.length >= 15 * MAX_FRAME_BYTES) throw new Error(`${kind}: frame too large to plan`);
    const expectCode =
      payload.length > MAX_FRAME_BYTES ? 'payload-too-large' : binary ? 'bad-frame' : code;
    return {
      kind,
      payload,
      binary,
      expect: expectKey,
      ...(expectCode ? { code: expectCode } : {}),
    };
  }

  /**
   * A request frame with its id first (as clients encode them): the server finds the id even in
   * frames it does not parse.
   */
  private idFirst(kind: string, type: J, data: J, binary = false, anyId = false): Planned {
    const id = anyId ? this.id() : this.freshId();
    const text = toJson(
      new Obj([
        ['id', id.value],
        ['type', type],
        ['data', data],
      ]),
    );
    return this.frame(kind, text, id.key, binary);
  }

  randomBytes(): Planned {
    return {
      kind: 'random-bytes',
      payload: this.rng.bytes(this.rng.range(0, 2_048)),
      binary: true,
      expect: null,
      code: 'bad-frame',
    };
  }

  randomText(): Planned {
    const text = this.rng.text(this.rng.range(0, 300));
    return this.frame('random-text', text, null, false, 'bad-frame');
  }

  notAnObject(): Planned {
    const { rng } = this;
    const value: J = rng.pick<() => J>([
      () => this.hostile(),
      () => [
        new Obj([
          ['id', ++this.serial],
          ['type', 'ping'],
          ['data', new Obj([])],
        ]),
      ],
      () => rng.range(-1e6, 1e6),
      () => rng.text(10),
      () => null,
      () => true,
    ])();
    if (value instanceof Obj) return this.notAnObject();
    return this.frame('json-not-object', toJson(value), null, false, 'bad-frame');
  }

  /** A well-formed request cut short: the id survives when the cut falls after it. */
  truncated(): Planned {
    const { rng } = this;
    const type = rng.pick(REQUEST_TYPES);
    const id = this.id();
    const idText = toJson(id.value);
    const text = toJson(
      new Obj([
        ['id', id.value],
        ['type', type],
        ['data', fromPlain(this.sample(type))],
      ]),
    );
    const cut = rng.int(text.length);
    const idComplete = cut >= `{"id":${idText},`.length;
    const expectKey = idComplete ? id.key : null;
    return this.frame('truncated', text.slice(0, cut), expectKey, rng.chance(0.2), 'bad-frame');
  }

  /** An envelope with any of its parts missing, doubled, of the wrong type or in any order. */
  envelope(): Planned {
    const { rng } = this;
    const entries: [string, J][] = [];
    const hasId = rng.chance(0.9);
    if (hasId) entries.push(['id', this.id().value]);
    const type = this.type();
    if (rng.chance(0.9)) entries.push(['type', type]);
    if (rng.chance(0.85)) {
      const data =
        typeof type === 'string' && (REQUEST_TYPES as string[]).includes(type) && rng.chance(0.5)
          ? this.mutateOne(fromPlain(this.sample(type as RequestType)))
          : this.hostile();
      entries.push(['data', data]);
    }
    for (let extra = rng.int(3); extra > 0; extra--) {
      entries.push([
        rng.pick(['__proto__', 'constructor', 'prototype', 'ok', 'error', rng.text(3)]),
        this.hostile(1),
      ]);
    }
    if (hasId && rng.chance(0.05)) entries.push(['id', this.id().value]); // the last one counts
    rng.shuffle(entries);
    let text = toJson(new Obj(entries));
    const finalId = entries.filter(([k]) => k === 'id').at(-1);
    let key: string | null = null;
    if (finalId) {
      const value: unknown = JSON.parse(toJson(finalId[1]));
      key = isValidId(value) ? idKey(value) : null;
    }
    if (Buffer.byteLength(text) > MAX_FRAME_BYTES) {
      // Not parsed: the server looks for the id at the start only, where clients put it.
      const rest = entries.filter(([k]) => k !== 'id');
      text = toJson(new Obj(finalId ? [finalId, ...rest] : rest));
    }
    return this.frame('envelope', text, key);
  }

  /** A well-formed request of any type with one field of its data mutated. */
  mutatedRequest(): Planned {
    const type = this.rng.pick(REQUEST_TYPES);
    return this.idFirst('mutated-request', type, this.mutateOne(fromPlain(this.sample(type))));
  }

  validRequest(): Planned {
    const type = this.rng.pick(REQUEST_TYPES);
    return this.idFirst('valid-request', type, fromPlain(this.sample(type)));
  }

  binaryRequest(): Planned {
    const type = this.rng.pick(REQUEST_TYPES);
    const data = fromPlain(this.sample(type));
    return this.idFirst(
      'binary',
      type,
      this.rng.chance(0.5) ? this.mutateOne(data) : data,
      true,
      true,
    );
  }

  oversized(): Planned {
    const { rng } = this;
    // Over the cap, and well under the 16 × cap at which the socket itself is closed.
    const unit = rng.pick(['x', 'é', '\u0000', '\ud83d\ude00']);
    const unitBytes = Buffer.byteLength(JSON.stringify(unit)) - 2;
    const body = unit.repeat(
      Math.ceil(rng.range(MAX_FRAME_BYTES + 1, 12 * MAX_FRAME_BYTES) / unitBytes),
    );
    const data = new Obj([
      ['messageId', 'fz-big'],
      ['to', 'fz-u1'],
      ['body', body],
    ]);
    return this.idFirst('oversized', 'message.send', data, rng.chance(0.3), true);
  }

  /** Plausible call traffic: real call ids and users, in any order. */
  callStep(): Planned {
    const type = this.rng.weighted<RequestType>([
      [5, 'call.invite'],
      [2, 'call.ack'],
      [3, 'call.accept'],
      [2, 'call.refuse'],
      [2, 'call.cancel'],
      [3, 'call.hangup'],
      [1, 'call.add'],
      [1, 'call.control'],
      [1, 'call.list'],
      [1, 'media.ticket'],
      [1, 'message.send'],
      [1, 'message.ack'],
      [1, 'presence.subscribe'],
      [1, 'presence.setStatus'],
    ]);
    return this.idFirst('call-step', type, fromPlain(this.sample(type)));
  }
}

// ---------------------------------------------------------------------------------------------
// A connection that sends planned frames and accounts for every response.

const responseSchema = z.union([
  z.object({ id: requestIdSchema, ok: z.literal(true), data: z.unknown() }).strict(),
  z
    .object({ id: requestIdSchema.nullable(), ok: z.literal(false), error: errorBodySchema })
    .strict(),
]);
type Response = z.infer<typeof responseSchema>;

class FuzzConnection {
  readonly invalidFrames: string[] = [];
  readonly unexpected: string[] = [];
  readonly duplicates: string[] = [];
  readonly wrongCodes: string[] = [];
  readonly internalErrors: string[] = [];
  /** How many responses ended how: `ok` or the error code. */
  readonly outcomes = new Map<string, number>();
  readonly answered = new Map<string, Response>();
  readonly expected = new Map<string, Planned>();
  nullExpected = 0;
  nullReceived = 0;
  sent = 0;
  received = 0;
  closeCode: number | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    readonly name: string,
    readonly socket: WebSocket,
  ) {
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer) => {
      this.onFrame(data.toString('utf8'));
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake?.();
    });
  }

  static async open(url: string, name: string): Promise<FuzzConnection> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    return new FuzzConnection(name, socket);
  }

  /** Says hello and waits for the answer (outside the accounting). */
  async hello(token: string, deviceId: string): Promise<void> {
    const id = `hello-${deviceId}`;
    const device = { id: deviceId, name: 'fuzz', platform: 'linux' };
    this.socket.send(
      JSON.stringify({ id, type: 'hello', data: { protocol: PROTOCOL_VERSION, token, device } }),
    );
    const key = idKey(id);
    this.expected.set(key, { kind: 'hello', payload: Buffer.alloc(0), binary: false, expect: key });
    this.sent++;
    await this.settled(5_000);
    const answer = this.answered.get(key);
    if (!answer?.ok) throw new Error(`hello refused: ${JSON.stringify(answer)}`);
  }

  async run(frames: Planned[]): Promise<void> {
    for (const frame of frames) {
      while (this.sent - this.received >= WINDOW && this.closeCode === undefined) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
      if (this.closeCode !== undefined) return;
      if (frame.expect === null) this.nullExpected++;
      else this.expected.set(frame.expect, frame);
      this.sent++;
      this.socket.send(frame.payload, { binary: frame.binary });
    }
  }

  /** Resolves when every frame sent has had a response, or the time is up. */
  async settled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received < this.sent && this.closeCode === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Frames that carried a valid id and have not been answered. */
  missing(): string[] {
    return [...this.expected.entries()]
      .filter(([key]) => !this.answered.has(key))
      .map(([key, p]) => `${key} (${p.kind}: ${p.payload.subarray(0, 120).toString('utf8')})`);
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
      const frame = parseServerFrame(text);
      if (frame.kind !== 'event') this.invalidFrames.push(text.slice(0, 200));
      return;
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      this.invalidFrames.push(text.slice(0, 200));
      return;
    }
    const response = parsed.data;
    this.received++;
    this.wake?.();
    const outcome = response.ok ? 'ok' : response.error.code;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (!response.ok && response.error.code === 'internal') {
      this.internalErrors.push(text.slice(0, 200));
    }
    if (response.id === null) {
      this.nullReceived++;
      return;
    }
    const key = idKey(response.id);
    const planned = this.expected.get(key);
    if (!planned) this.unexpected.push(text.slice(0, 200));
    else if (this.answered.has(key)) this.duplicates.push(text.slice(0, 200));
    else {
      this.answered.set(key, response);
      if (planned.code && planned.code !== outcome) {
        this.wrongCodes.push(`${planned.kind} ${key}: expected ${planned.code}, got ${outcome}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

describe('fuzzing the signaling endpoint', () => {
  let t: TestServer;
  const crashes: string[] = [];
  const onRejection = (reason: unknown): void => {
    crashes.push(`unhandledRejection: ${String(reason)}`);
  };
  const onException = (error: Error): void => {
    crashes.push(`uncaughtException: ${error.stack ?? String(error)}`);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    t = await startTestServer({
      signaling: { rateLimitPerSec: 100_000, rateLimitBurst: 100_000, authTimeoutMs: 120_000 },
      calls: { defaultRingTimeoutMs: 1_500 },
    });
    for (const userId of [...ONLINE_USERS, OFFLINE_USER]) await t.addUser(userId);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
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
      const make = rng.weighted<() => Planned>([
        [8, () => factory.randomBytes()],
        [7, () => factory.randomText()],
        [5, () => factory.notAnObject()],
        [10, () => factory.truncated()],
        [25, () => factory.envelope()],
        [5, () => factory.binaryRequest()],
        [0.5, () => factory.oversized()],
        [20, () => factory.mutatedRequest()],
        [4.5, () => factory.validRequest()],
        [15, () => factory.callStep()],
      ]);
      const frame = make();
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

    // A normal call between two fresh clients still works from start to end.
    await t.addUser('alice', 'Alice');
    await t.addUser('bob', 'Bob');
    const alice = await t.connect('alice');
    const bob = await t.connect('bob');
    const { call } = await alice.request('call.invite', {
      callId: 'after-fuzz-call',
      callees: ['bob'],
      media: 'audio',
    });
    expect(call.state).toBe('ringing');
    await bob.waitFor('call.incoming', (d) => d.call.callId === 'after-fuzz-call');
    const accepted = await bob.request('call.accept', { callId: 'after-fuzz-call' });
    expect(accepted.call.state).toBe('active');
    await alice.request('call.hangup', { callId: 'after-fuzz-call' });
    expect((await bob.waitFor('call.ended')).reason).toBe('completed');
    expect((await alice.waitFor('call.ended')).reason).toBe('completed');
    expect(alice.invalidFrames).toEqual([]);
    expect(bob.invalidFrames).toEqual([]);

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
