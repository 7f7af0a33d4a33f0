import type { ErrorCode } from '../../protocol/index.js';
import { MAX_FRAME_BYTES } from '../../protocol/index.js';
import { opusParameters, vp8Parameters } from '../sfu/testing/media-fixtures.js';
import {
  type J,
  type Planned,
  Obj,
  type Rng,
  fromPlain,
  hostileValue,
  mutateOne,
  toJson,
} from './fuzz-json.js';
import { FrameFactory } from './signaling-fuzz-frames.js';

/**
 * SFU socket frames for the fuzzers, for a peer that has joined: valid requests of every type on
 * the ids the server really made (so they reach the media worker), the same mutated, cut short,
 * oversized, binary, and random. `leave` is left out: it ends the socket on purpose.
 */

/** What the server made for this peer, learnt from its answers. */
export interface SfuKnown {
  transportIds: string[];
  producerIds: string[];
  rtpCapabilities: unknown;
}

export const SFU_FUZZ_TYPES = [
  'join',
  'transport.create',
  'transport.connect',
  'transport.restartIce',
  'consumer.ready',
  'produce',
  'producer.pause',
  'producer.resume',
  'producer.close',
  'consumer.resume',
] as const;
export type SfuFuzzType = (typeof SFU_FUZZ_TYPES)[number];

export class SfuFrameFactory {
  /** Ids, random bytes and text, frames that are not objects: as on the signaling socket. */
  private readonly base: FrameFactory;
  private ssrc = 10_000;

  constructor(
    private readonly rng: Rng,
    private readonly known: SfuKnown,
  ) {
    this.base = new FrameFactory(rng);
  }

  /** Learns the ids a valid (or luckily still valid) request made or ended. */
  learn(type: string, data: unknown, sent?: unknown): void {
    if (type === 'producer.close' && typeof sent === 'string') {
      this.known.producerIds = this.known.producerIds.filter((id) => id !== sent);
    }
    if (data === null || typeof data !== 'object') return;
    const made = data as { id?: unknown; producerId?: unknown };
    if (type === 'transport.create' && typeof made.id === 'string') {
      this.known.transportIds.push(made.id);
      this.known.transportIds.splice(0, this.known.transportIds.length - 4);
    }
    if (type === 'produce' && typeof made.producerId === 'string') {
      this.known.producerIds.push(made.producerId);
      this.known.producerIds.splice(0, this.known.producerIds.length - 8);
    }
  }

  /** The request type a planned frame carried (its kind is `sfu-<how>:<type>`). */
  static typeOf(planned: Planned): string {
    return planned.kind.split(':')[1] ?? '';
  }

  next(): Planned {
    const { rng } = this;
    return rng.weighted<() => Planned>([
      [6, () => this.base.randomBytes()],
      [6, () => this.base.randomText()],
      [4, () => this.base.notAnObject()],
      [8, () => this.truncated()],
      [20, () => this.mutated()],
      [10, () => this.poisoned()],
      [25, () => this.valid()],
      [8, () => this.wrongType()],
      [4, () => this.binary()],
      [1, () => this.oversized()],
    ])();
  }

  sample(type: SfuFuzzType): Record<string, unknown> {
    const { rng, known } = this;
    const transportId = (): string =>
      known.transportIds.length > 0 && rng.chance(0.9)
        ? rng.pick(known.transportIds)
        : `t-${rng.int(1e6)}`;
    const producerId = (): string =>
      known.producerIds.length > 0 && rng.chance(0.8)
        ? rng.pick(known.producerIds)
        : `p-${rng.int(1e6)}`;
    const hex = (): string =>
      Array.from({ length: 32 }, () => rng.int(256).toString(16).padStart(2, '0'))
        .join(':')
        .toUpperCase();
    switch (type) {
      case 'join':
        return { ticket: rng.text(rng.range(1, 40)) || 't' };
      case 'transport.create':
        return rng.chance(0.3)
          ? { direction: rng.pick(['send', 'recv']), forceTcp: rng.chance(0.5) }
          : { direction: rng.pick(['send', 'recv']) };
      case 'transport.connect':
        return {
          transportId: transportId(),
          dtlsParameters: {
            role: rng.pick(['client', 'server', 'auto']),
            fingerprints: [{ algorithm: rng.pick(['sha-256', 'sha-1', 'sha-512']), value: hex() }],
          },
        };
      case 'transport.restartIce':
        return { transportId: transportId() };
      case 'consumer.ready':
        return { rtpCapabilities: known.rtpCapabilities };
      case 'produce': {
        const video = rng.chance(0.3);
        const ssrc = ++this.ssrc;
        return {
          transportId: transportId(),
          kind: video ? 'video' : 'audio',
          source: video ? rng.pick(['camera', 'screen']) : 'mic',
          rtpParameters: video ? vp8Parameters(ssrc) : opusParameters(ssrc),
        };
      }
      case 'producer.pause':
      case 'producer.resume':
      case 'producer.close':
        return { producerId: producerId() };
      case 'consumer.resume':
        return { consumerId: `c-${rng.int(1e6)}` };
    }
  }

  private valid(): Planned {
    const { known } = this;
    // Producers are capped per peer: close some, so that produce keeps reaching the worker.
    const oldest = known.producerIds[0];
    if (oldest !== undefined && known.producerIds.length >= 4 && this.rng.chance(0.5)) {
      return this.request('valid', 'producer.close', fromPlain({ producerId: oldest }));
    }
    const type = this.rng.pick(SFU_FUZZ_TYPES);
    return this.request('valid', type, fromPlain(this.sample(type)));
  }

  /** One field replaced, removed or added, sometimes a few: types, lengths, unicode, keys. */
  private mutated(): Planned {
    const { rng } = this;
    const type = rng.pick(SFU_FUZZ_TYPES);
    let data = fromPlain(this.sample(type));
    for (
      let n = rng.weighted([
        [6, 1],
        [3, 2],
        [1, 4],
      ] as const);
      n > 0;
      n--
    ) {
      data = mutateOne(rng, data, () => this.hostile());
    }
    return this.request('mutated', type, data);
  }

  /**
   * A valid request for the worker (on a real transport) with one string made ill-formed or one
   * object given a prototype key, deep nesting or thousands of values: what zod lets through and
   * only the worker guard stops.
   */
  private poisoned(): Planned {
    const { rng } = this;
    const type = rng.pick(['produce', 'produce', 'consumer.ready', 'transport.connect'] as const);
    const data = fromPlain(this.sample(type));
    const strings: { parent: Obj | J[]; index: number }[] = [];
    const objects: Obj[] = [];
    const walk = (node: J): void => {
      if (node instanceof Obj) {
        objects.push(node);
        node.entries.forEach(([, child], index) => {
          if (typeof child === 'string') strings.push({ parent: node, index });
          walk(child);
        });
      } else if (Array.isArray(node)) {
        node.forEach((child, index) => {
          if (typeof child === 'string') strings.push({ parent: node, index });
          walk(child);
        });
      }
    };
    walk(data);
    const bad = rng.pick(['\ud800', '\udfff', 'x\udbff', '\udc00y']);
    if (strings.length > 0 && rng.chance(0.6)) {
      const { parent, index } = rng.pick(strings);
      if (parent instanceof Obj) {
        const entry = parent.entries[index];
        if (entry) entry[1] = `${entry[1] as string}${bad}`;
      } else parent[index] = `${parent[index] as string}${bad}`;
    } else if (objects.length > 0) {
      rng
        .pick(objects)
        .entries.push(
          rng.pick<() => [string, J]>([
            () => [rng.pick(['__proto__', 'constructor', 'prototype', 'then']), rng.int(9)],
            () => [`k${bad}`, 1],
            () => ['deep', nestedJson(rng.range(9, 30))],
            () => ['many', Array.from({ length: rng.range(4_001, 5_000) }, () => 0)],
          ])(),
        );
    }
    return this.request('poisoned', type, data, type, false, 'bad-request');
  }

  /** Data of one type sent as another, or a type that does not exist. */
  private wrongType(): Planned {
    const { rng } = this;
    const data = fromPlain(this.sample(rng.pick(SFU_FUZZ_TYPES)));
    const type: J = rng.chance(0.6)
      ? rng.pick(SFU_FUZZ_TYPES)
      : rng.pick<J>([
          '',
          'leave ',
          'room.closed',
          '__proto__',
          'constructor',
          7,
          null,
          rng.text(6),
        ]);
    return this.request('wrong-type', typeof type === 'string' ? type : '', data, type);
  }

  private binary(): Planned {
    const type = this.rng.pick(SFU_FUZZ_TYPES);
    return this.request('binary', type, fromPlain(this.sample(type)), type, true);
  }

  private oversized(): Planned {
    const { rng } = this;
    // Over the cap, and well under the 16 × cap at which the socket itself is closed.
    const unit = rng.pick(['x', 'é', '\ud83d\ude00']);
    const bytes = rng.range(MAX_FRAME_BYTES + 1, 8 * MAX_FRAME_BYTES);
    const body = unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));
    const data = fromPlain({ ...this.sample('produce'), pad: body });
    return this.request('oversized', 'produce', data, 'produce', rng.chance(0.3));
  }

  /** A request cut short; the id survives when the cut falls after it. */
  private truncated(): Planned {
    const { rng } = this;
    const type = rng.pick(SFU_FUZZ_TYPES);
    const id = this.base.freshId();
    const head = `{"id":${toJson(id.value)},`;
    const text = `${head}"type":${JSON.stringify(type)},"data":${toJson(fromPlain(this.sample(type)))}}`;
    const cut = rng.int(text.length - 1);
    return this.frame(
      `sfu-truncated:${type}`,
      text.slice(0, cut),
      cut >= head.length ? id.key : null,
      false,
      'bad-frame',
    );
  }

  private hostile(): J {
    const { rng } = this;
    // Mostly the values the worker must never see; otherwise anything.
    return rng.weighted<() => J>([
      [3, () => rng.pick(['\ud800', 'a\udfff', '\udc00\ud800', `${rng.text(3)}\ud83d`])],
      [
        3,
        () => new Obj([[rng.pick(['__proto__', 'constructor', 'prototype', 'then']), rng.int(9)]]),
      ],
      [1, () => nestedJson(rng.range(9, 40))],
      [1, () => Array.from({ length: rng.range(4_001, 6_000) }, () => 0)],
      [1, () => 2 ** 64],
      [1, () => -1],
      [8, () => hostileValue(rng)],
    ])();
  }

  private request(
    how: string,
    type: string,
    data: J,
    typeValue: J = type,
    binary = false,
    code?: ErrorCode,
  ): Planned {
    const id = this.base.freshId();
    const text = toJson(
      new Obj([
        ['id', id.value],
        ['type', typeValue],
        ['data', data],
      ]),
    );
    return this.frame(`sfu-${how}:${type}`, text, id.key, binary, code);
  }

  private frame(
    kind: string,
    text: string,
    expect: string | null,
    binary: boolean,
    code?: ErrorCode,
  ): Planned {
    const payload = Buffer.from(text, 'utf8');
    const expectCode =
      payload.length > MAX_FRAME_BYTES ? 'payload-too-large' : binary ? 'bad-frame' : code;
    return { kind, payload, binary, expect, ...(expectCode ? { code: expectCode } : {}) };
  }
}

const nestedJson = (depth: number): J =>
  depth === 0 ? 1 : new Obj([['a', nestedJson(depth - 1)]]);
