import { z } from 'zod';

/**
 * zod → JSON Schema (draft 2020-12) for the published reference. `input` for what a client
 * sends (defaults make a field optional), `output` for what the server sends.
 *
 * zod's output mode marks every object `additionalProperties: false`, but only `.strict()`
 * objects refuse unknown members; the others strip them. The reference keeps `false` for the
 * strict ones alone, so that a client validating with it accepts the fields a newer server adds
 * (forward compatibility, docs/protocol.md).
 */
export type Io = 'input' | 'output';
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const isStrictObject = (schema: z.core.$ZodType): boolean => {
  const def = schema._zod.def;
  return def.type === 'object' && (def as z.core.$ZodObjectDef).catchall?._zod.def.type === 'never';
};

export function jsonSchemaOf(schema: z.ZodType, io: Io): JsonObject {
  const generated = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'throw',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type !== 'object' || isStrictObject(ctx.zodSchema)) return;
      delete (ctx.jsonSchema as Record<string, unknown>).additionalProperties;
    },
  }) as JsonObject;
  delete generated.$schema;
  return generated;
}

/** A standalone schema file: `$schema` and `$id` first, the rest sorted. */
export function schemaFile(id: string, schema: JsonObject): JsonObject {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id, ...schema };
}

/** Deep copy with object keys in code-point order (arrays keep theirs): stable output. */
export function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key] ?? null);
  return sorted;
}

/** The text of a generated JSON file: sorted keys, two-space indent, final newline. */
export const jsonText = (value: Json): string => `${JSON.stringify(sortKeys(value), null, 2)}\n`;
