import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { reportFrameViolation } from './frame-conformance.js';

/**
 * The published JSON Schemas (docs/generated/json-schema, written by `npm run docs:protocol`),
 * applied to every frame the test clients receive, as an outside client written from the reference
 * would apply them. The clients also parse with protocol/'s zod schemas; this catches what the
 * generated documents get wrong or stricter than zod (an outside client would reject the frame).
 */
const SCHEMA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../docs/generated/json-schema',
);

let validators: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
  // strict: false: the documents carry `description` and our own keywords are none, but the
  // generator writes `$id`s Ajv would otherwise want registered once per instance only.
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  const map = new Map<string, ValidateFunction>();
  for (const file of readdirSync(SCHEMA_DIR)) {
    if (!file.endsWith('.json')) continue;
    const schema = JSON.parse(readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as object;
    map.set(file.slice(0, -'.json'.length), ajv.compile(schema));
  }
  return map;
}

/** `ws` for /ws, `sfu` for the SFU socket. */
export type SocketName = 'ws' | 'sfu';

/**
 * Why a frame fails its published schema, or undefined when it passes. `type` is the event's
 * type, or for a response the type of the request it answers; errors have one schema per socket.
 */
export function generatedSchemaProblem(
  socket: SocketName,
  kind: 'event' | 'response' | 'error',
  type: string | undefined,
  frame: unknown,
): string | undefined {
  validators ??= load();
  const name = kind === 'error' ? `${socket}.error` : `${socket}.${kind}.${type ?? ''}`;
  const validate = validators.get(name);
  if (!validate) return `no published schema ${name}.json`;
  if (validate(frame)) return undefined;
  const [first] = validate.errors ?? [];
  return `off ${name}.json: ${first ? `${first.instancePath || '/'} ${first.message ?? ''}` : '?'}`;
}

/** Reports (frame-conformance.ts) a received frame that its published schema rejects. */
export function checkPublishedSchema(
  client: string,
  socket: SocketName,
  kind: 'event' | 'response' | 'error',
  type: string | undefined,
  text: string,
): void {
  const problem = generatedSchemaProblem(socket, kind, type, JSON.parse(text) as unknown);
  if (problem) reportFrameViolation(client, problem, text);
}
