import type { ErrorCode, RequestType } from '../../protocol/index.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, REQUEST_TYPES } from '../../protocol/index.js';
import {
  type Id,
  type J,
  type Planned,
  Obj,
  Raw,
  type Rng,
  fromPlain,
  hostileValue,
  idKey,
  isValidId,
  mutateOne,
  toJson,
} from './fuzz-json.js';

/** Signaling frames for the fuzzers: valid requests of every type, mutated, cut, wrapped wrong. */

export const ONLINE_USERS = ['fz-u0', 'fz-u1', 'fz-u2', 'fz-u3', 'fz-u4'];
export const OFFLINE_USER = 'fz-off';
export const ALL_USERS = [...ONLINE_USERS, OFFLINE_USER, 'fz-ghost'];
export const CALL_IDS = Array.from(
  { length: 16 },
  (_, i) => `fz-call-${String(i).padStart(2, '0')}`,
);

export class FrameFactory {
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
      'session.renew': () => ({
        accessToken: rng.chance(0.5)
          ? 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA'
          : rng.text(rng.range(1, 40)) || 't',
      }),
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
      'call.moveHere': () => ({ callId: callId() }),
      'call.hold': () => ({ callId: callId() }),
      'call.resume': () => ({ callId: callId() }),
      'call.transfer': () => ({ callId: callId(), target: user() }),
      'call.completeTransfer': () => ({ callId: callId(), consultCallId: callId() }),
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
    return hostileValue(this.rng, depth);
  }

  /** Replaces, removes or adds exactly one field somewhere inside `data`. */
  mutateOne(data: J): J {
    return mutateOne(this.rng, data);
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

  /** One frame of the fuzz mix: mostly broken or mutated, some valid requests and call steps. */
  anyFrame(): Planned {
    return this.rng.weighted<() => Planned>([
      [8, () => this.randomBytes()],
      [7, () => this.randomText()],
      [5, () => this.notAnObject()],
      [10, () => this.truncated()],
      [25, () => this.envelope()],
      [5, () => this.binaryRequest()],
      [0.5, () => this.oversized()],
      [20, () => this.mutatedRequest()],
      [4.5, () => this.validRequest()],
      [15, () => this.callStep()],
    ])();
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
      [1, 'call.hold'],
      [1, 'call.resume'],
      [1, 'call.transfer'],
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
