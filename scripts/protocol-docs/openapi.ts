import type { z } from 'zod';
import {
  PROTOCOL_VERSION,
  WEBHOOK_HEADERS,
  WEBHOOK_SIGNATURE_PREFIX,
  callEndedWebhookSchema,
  callInviteWebhookSchema,
  restErrorSchema,
} from '../../protocol/index.js';
import { type Json, type JsonObject, jsonSchemaOf } from './json-schema.js';
import { REST_OPERATIONS, type RestError, type RestOperation } from './rest-operations.js';

/** OpenAPI 3.1 for the REST API, with the two webhooks the server POSTs under `webhooks:`. */

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** Any route: the connection cap of one client address. */
const connectionCap: RestError = {
  status: 429,
  codes: ['rate-limited'],
  when: 'Over `limits.connectionsPerAddress` open connections from this address (any route).',
};

const jsonContent = (schema: Json): JsonObject => ({ 'application/json': { schema } });

/** On the sign-in limits' 429s (server/http/http-kit.ts, AttemptLimiter.enforce). */
const RETRY_AFTER: JsonObject = {
  description:
    'Seconds until the limit lets this client in again (the rest of its one-minute window). Absent on the connection cap: a connection frees up when another closes.',
  schema: { type: 'integer', minimum: 1 },
};

function errorResponses(errors: readonly RestError[]): JsonObject {
  const byStatus = new Map<number, RestError[]>();
  for (const error of errors)
    byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  const responses: JsonObject = {};
  for (const [status, list] of byStatus) {
    const description = list
      .map((e) => (e.codes.length ? `\`${e.codes.join('`, `')}\`: ${e.when}` : e.when))
      .join(' ');
    // 503 of /healthz carries the health body, not an error body.
    responses[String(status)] =
      status === 503
        ? { description }
        : {
            description,
            ...(status === 429 ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
            content: jsonContent(ERROR_REF),
          };
  }
  return responses;
}

function queueParameters(query: z.ZodObject): Json[] {
  const schema = jsonSchemaOf(query, 'input');
  const properties = (schema.properties ?? {}) as JsonObject;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.keys(properties).map((name) => {
    const { description, ...rest } = properties[name] as JsonObject;
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function operationOf(op: RestOperation, health: boolean): JsonObject {
  const parameters: Json[] = [
    ...(op.pathParams ?? []).map((p) => ({
      name: p.name,
      in: 'path',
      required: true,
      description: p.description,
      schema: { type: 'string' },
    })),
    ...(op.query ? queueParameters(op.query) : []),
  ];
  const success = op.success.schema
    ? jsonContent(jsonSchemaOf(op.success.schema, 'output'))
    : { [op.success.text ?? 'text/plain']: { schema: { type: 'string' } } };
  const responses: JsonObject = {
    [String(op.success.status)]: { description: op.success.description, content: success },
    ...errorResponses([...op.errors, connectionCap]),
  };
  if (health && op.success.schema) {
    (responses['503'] as JsonObject).content = success;
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    ...(op.admin ? { security: [{ adminKey: [] }] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? { requestBody: { required: true, content: jsonContent(jsonSchemaOf(op.body, 'input')) } }
      : {}),
    responses,
  };
}

const signatureHeaders = (event: string): Json[] => [
  {
    name: WEBHOOK_HEADERS.event,
    in: 'header',
    required: true,
    description: 'The body’s `type`, to route before parsing.',
    schema: { const: event },
  },
  {
    name: WEBHOOK_HEADERS.delivery,
    in: 'header',
    required: true,
    description: 'The body’s `deliveryId`: the same on every retry of one delivery; dedupe on it.',
    schema: { type: 'string' },
  },
  {
    name: WEBHOOK_HEADERS.timestamp,
    in: 'header',
    required: true,
    description:
      'Unix seconds at signing, fresh on each attempt; refuse stale ones to bound replay.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  {
    name: WEBHOOK_HEADERS.signature,
    in: 'header',
    required: true,
    description: `\`${WEBHOOK_SIGNATURE_PREFIX}\` + hex HMAC-SHA256(webhook secret, \`<timestamp>.<raw body>\`).`,
    schema: { type: 'string', pattern: '^v1=[0-9a-f]{64}$' },
  },
];

function webhookOf(event: string, summary: string, schema: z.ZodType): JsonObject {
  return {
    post: {
      operationId: `webhook.${event}`,
      summary,
      tags: ['webhooks'],
      parameters: signatureHeaders(event),
      requestBody: { required: true, content: jsonContent(jsonSchemaOf(schema, 'output')) },
      responses: {
        '2XX': { description: 'Delivered: the server stops retrying.' },
        '408': { description: 'Retried later (backoff with jitter).' },
        '429': { description: 'Retried after `Retry-After` (seconds or an HTTP date) or backoff.' },
        '5XX': {
          description: 'Retried later; 503 honours `Retry-After` like 429.',
        },
        default: {
          description:
            'Any other status (other 4xx, 3xx: redirects are not followed) is a permanent failure: the delivery is dropped.',
        },
      },
    },
  };
}

export function openApiDocument(): JsonObject {
  const paths: JsonObject = {};
  for (const op of REST_OPERATIONS) {
    const item = (paths[op.path] ?? {}) as JsonObject;
    item[op.method] = operationOf(op, op.operationId === 'health');
    paths[op.path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Trayphone REST API',
      version: `protocol ${PROTOCOL_VERSION}`,
      description:
        'Sign-in for clients, the admin API of a business server, operations endpoints, and the webhooks the server POSTs to the business server. Generated from protocol/ by `npm run docs:protocol`; behaviour is in docs/protocol.md.',
    },
    servers: [{ url: 'http://127.0.0.1:8480', description: 'The default `host` and `port`.' }],
    tags: [
      { name: 'auth', description: 'Sign-in and refresh for clients.' },
      { name: 'admin', description: 'Users, tokens and call records (bearer `auth.adminApiKey`).' },
      { name: 'queues', description: 'Contact-center queues (bearer `auth.adminApiKey`).' },
      { name: 'operations', description: 'Health and metrics.' },
      { name: 'webhooks', description: 'POSTed by the server to `webhook.url`, signed.' },
    ],
    paths,
    webhooks: {
      'call.invite': webhookOf(
        'call.invite',
        'A push for a callee with no device online: forward it to the push tokens.',
        callInviteWebhookSchema,
      ),
      'call.ended': webhookOf(
        'call.ended',
        'Once per call when it ends: the call record.',
        callEndedWebhookSchema,
      ),
    },
    components: {
      schemas: { Error: jsonSchemaOf(restErrorSchema, 'output') },
      securitySchemes: {
        adminKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'The `auth.adminApiKey` of the server configuration.',
        },
      },
    },
  };
}
