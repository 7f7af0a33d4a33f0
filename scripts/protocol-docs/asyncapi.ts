import { ERROR_CODES, PROTOCOL_VERSION } from '../../protocol/index.js';
import { CHANNELS, type ChannelDoc } from './frames.js';
import { type Json, type JsonObject, jsonSchemaOf } from './json-schema.js';

/**
 * AsyncAPI 3 for the two WebSocket channels. The document describes the server: a client's
 * request is an operation the server `receive`s and answers (`reply`), an event one it `send`s.
 * Payloads are JSON Schema draft 2020-12 (the multi-format schema object), the same schemas as
 * docs/generated/json-schema/.
 */

const SCHEMA_FORMAT = 'application/schema+json;version=draft-2020-12';

const CHANNEL_TEXT: Record<ChannelDoc['name'], { title: string; description: string }> = {
  ws: {
    title: 'Signaling',
    description:
      'Signaling over one WebSocket per device: `hello` first, then requests, responses and events as JSON text frames (at most 64 KiB each). Sessions, calls, presence, messages, push registration, history, blocks, directory and the contact center.',
  },
  sfu: {
    title: 'Media (SFU)',
    description:
      'The mediasoup SFU, its own WebSocket opened by the media side of a client with a ticket from `media.ticket`: `join` first. mediasoup parameter objects are checked for shape and size only; mediasoup validates them.',
  },
};

const ref = (path: string): JsonObject => ({ $ref: path });

function message(
  name: string,
  title: string,
  description: string | undefined,
  payload: JsonObject,
): JsonObject {
  return {
    name,
    title,
    ...(description === undefined ? {} : { description }),
    contentType: 'application/json',
    payload: { schemaFormat: SCHEMA_FORMAT, schema: payload },
  };
}

export function asyncApiDocument(): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};
  for (const channel of CHANNELS) {
    const own: JsonObject = {};
    const add = (key: string, body: JsonObject): JsonObject => {
      messages[key] = body;
      own[key] = ref(`#/components/messages/${key}`);
      return ref(`#/channels/${channel.name}/messages/${key}`);
    };
    const errorKey = `${channel.name}.error`;
    const errorRef = add(
      errorKey,
      message(
        errorKey,
        'Error response',
        `The answer to a request that failed. Codes: ${Object.keys(ERROR_CODES).join(', ')} (see protocol/errors.ts for their meaning).`,
        jsonSchemaOf(channel.error, 'output'),
      ),
    );
    for (const r of channel.requests) {
      const requestRef = add(
        `${channel.name}.request.${r.type}`,
        message(r.type, `${r.type} request`, r.description, jsonSchemaOf(r.request, 'input')),
      );
      const responseRef = add(
        `${channel.name}.response.${r.type}`,
        message(
          `${r.type} response`,
          `${r.type} response`,
          undefined,
          jsonSchemaOf(r.response, 'output'),
        ),
      );
      operations[`${channel.name}.${r.type}`] = {
        action: 'receive',
        channel: ref(`#/channels/${channel.name}`),
        title: r.type,
        ...(r.description === undefined ? {} : { description: r.description }),
        messages: [requestRef],
        reply: { channel: ref(`#/channels/${channel.name}`), messages: [responseRef, errorRef] },
      };
    }
    for (const e of channel.events) {
      const eventRef = add(
        `${channel.name}.event.${e.type}`,
        message(e.type, `${e.type} event`, e.description, jsonSchemaOf(e.event, 'output')),
      );
      operations[`${channel.name}.event.${e.type}`] = {
        action: 'send',
        channel: ref(`#/channels/${channel.name}`),
        title: e.type,
        ...(e.description === undefined ? {} : { description: e.description }),
        messages: [eventRef],
      };
    }
    channels[channel.name] = {
      address: channel.address,
      title: CHANNEL_TEXT[channel.name].title,
      description: CHANNEL_TEXT[channel.name].description,
      messages: own,
    };
  }
  const servers: Json = {
    trayphone: {
      host: '127.0.0.1:8480',
      protocol: 'ws',
      description: 'The default `host` and `port`; `wss` when `tls` is configured.',
    },
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Trayphone signaling and SFU sockets',
      version: `protocol ${PROTOCOL_VERSION}`,
      description:
        'Generated from protocol/ by `npm run docs:protocol`. Requests are `{id, type, data}`, answered by `{id, ok: true, data}` or `{id, ok: false, error}`; events are `{type, data}`. Behaviour (lifecycle, ordering, reconnects) is in docs/protocol.md.',
    },
    defaultContentType: 'application/json',
    servers,
    channels,
    operations,
    components: { messages },
  };
}
