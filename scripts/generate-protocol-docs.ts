/**
 * The published protocol reference, generated from the zod schemas of protocol/:
 *   docs/generated/json-schema/*.json  one JSON Schema per frame and body (ws, sfu, rest, webhook)
 *   docs/generated/asyncapi.json       AsyncAPI 3: the signaling (/ws) and SFU (/sfu) sockets
 *   docs/generated/openapi.json        OpenAPI 3.1: the REST API and the two webhooks
 *   docs/generated/configuration.md    the server's configuration keys (server/config.ts)
 * `npm run docs:protocol` writes them; scripts/generate-protocol-docs.test.ts fails when the
 * committed files differ from what the schemas give. Deterministic: sorted keys, stable order.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  callEndedWebhookSchema,
  callInviteWebhookSchema,
  restErrorSchema,
} from '../protocol/index.js';
import { asyncApiDocument } from './protocol-docs/asyncapi.js';
import { configurationMarkdown } from './protocol-docs/configuration.js';
import { CHANNELS } from './protocol-docs/frames.js';
import {
  type JsonObject,
  jsonSchemaOf,
  jsonText,
  schemaFile,
} from './protocol-docs/json-schema.js';
import { openApiDocument } from './protocol-docs/openapi.js';
import { REST_OPERATIONS } from './protocol-docs/rest-operations.js';

export const GENERATED_DIR = path.resolve(import.meta.dirname, '..', 'docs', 'generated');
const SCHEMA_DIR = 'json-schema';

/** Every generated file: its path under docs/generated, and its text. */
export function generateProtocolDocs(): Map<string, string> {
  const files = new Map<string, string>();
  const schema = (name: string, body: JsonObject): void => {
    const file = `${SCHEMA_DIR}/${name}.json`;
    if (files.has(file)) throw new Error(`two schemas named ${name}`);
    files.set(file, jsonText(schemaFile(`${name}.json`, body)));
  };
  for (const channel of CHANNELS) {
    schema(`${channel.name}.error`, jsonSchemaOf(channel.error, 'output'));
    for (const r of channel.requests) {
      schema(`${channel.name}.request.${r.type}`, jsonSchemaOf(r.request, 'input'));
      schema(`${channel.name}.response.${r.type}`, jsonSchemaOf(r.response, 'output'));
    }
    for (const e of channel.events) {
      schema(`${channel.name}.event.${e.type}`, jsonSchemaOf(e.event, 'output'));
    }
  }
  schema('rest.error', jsonSchemaOf(restErrorSchema, 'output'));
  for (const op of REST_OPERATIONS) {
    if (op.query) schema(`rest.${op.operationId}.query`, jsonSchemaOf(op.query, 'input'));
    if (op.body) schema(`rest.${op.operationId}.request`, jsonSchemaOf(op.body, 'input'));
    if (op.success.schema) {
      schema(`rest.${op.operationId}.response`, jsonSchemaOf(op.success.schema, 'output'));
    }
  }
  schema('webhook.call.invite', jsonSchemaOf(callInviteWebhookSchema, 'output'));
  schema('webhook.call.ended', jsonSchemaOf(callEndedWebhookSchema, 'output'));
  files.set('asyncapi.json', jsonText(asyncApiDocument()));
  files.set('openapi.json', jsonText(openApiDocument()));
  files.set('configuration.md', configurationMarkdown());
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The files now under `dir`, relative to it (an absent directory has none). */
export function listGeneratedFiles(dir = GENERATED_DIR): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .map((entry) => entry.split(path.sep).join('/'))
    .filter((entry) => entry.endsWith('.json') || entry.endsWith('.md'))
    .sort();
}

/** Writes the reference, removing generated files the schemas no longer give. */
export function writeProtocolDocs(dir = GENERATED_DIR): number {
  const files = generateProtocolDocs();
  for (const stale of listGeneratedFiles(dir)) {
    if (!files.has(stale)) rmSync(path.join(dir, stale));
  }
  for (const [relative, text] of files) {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return files.size;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = writeProtocolDocs();
  process.stdout.write(
    `${count} files written to ${path.relative(process.cwd(), GENERATED_DIR)}\n`,
  );
}
