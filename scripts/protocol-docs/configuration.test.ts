import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ENV_VARIABLES, configSchema } from '../../server/config.js';
import { configRows, configurationMarkdown } from './configuration.js';

/** The leaf keys of a zod object schema, dotted (`auth.jwtSecret`), read from zod itself. */
function leafKeys(schema: z.ZodType, prefix = ''): string[] {
  let inner: z.ZodType = schema;
  // Unwrap defaults, optionals and refinements down to the object, if there is one.
  for (;;) {
    if (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) {
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodPrefault) {
      inner = inner.def.innerType as z.ZodType;
    } else break;
  }
  if (!(inner instanceof z.ZodObject)) return [prefix];
  return Object.entries(inner.shape).flatMap(([name, child]) =>
    leafKeys(child as z.ZodType, prefix ? `${prefix}.${name}` : name),
  );
}

describe('the configuration reference (docs/generated/configuration.md)', () => {
  const rows = configRows();
  const byKey = new Map(rows.map((row) => [row.key, row]));

  it('has a described row for every key of the schema, and nothing else', () => {
    const keys = leafKeys(configSchema);
    expect(keys.length).toBeGreaterThan(40);
    for (const key of keys) {
      expect(byKey.get(key)?.description, key).toMatch(/\w/);
    }
    // Optional sections with a row of their own (what leaving them unset means).
    const sections = new Set(['tls', 'cluster']);
    expect(rows.map((r) => r.key).filter((k) => !sections.has(k))).toEqual(keys);
  });

  it('names the environment variable of each key that has one', () => {
    for (const variable of ENV_VARIABLES) {
      expect(byKey.get(variable.path.join('.'))?.env, variable.name).toBe(variable.name);
    }
  });

  it('lists the media settings an integrator missed (issue 15)', () => {
    for (const key of [
      'media.enabled',
      'sfu.listenIp',
      'sfu.announcedIp',
      'sfu.rtcMinPort',
      'sfu.rtcMaxPort',
      'sfu.workers',
    ]) {
      expect(configurationMarkdown()).toContain(`| \`${key}\` |`);
    }
    // A machine-dependent default is described, not the CPU count of the generating machine.
    expect(byKey.get('sfu.workers')?.defaultText).toMatch(/per CPU/);
  });

  it('refuses to generate a key without a description', () => {
    const undescribed = z.object({ section: z.object({ knob: z.number().default(1) }) });
    expect(() => configRows(undescribed)).toThrow(/section\.knob has no \.describe/);
  });
});
