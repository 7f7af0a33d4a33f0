import { execFileSync } from 'node:child_process';
import { z } from 'zod';
import { type PolicyLoad, parsePolicyValue, policySchema } from './policy.js';

/**
 * On Windows the IT policy lives in the registry, under `HKLM\SOFTWARE\Policies\Trayphone`, where
 * Group Policy and Intune write it (resources/policy/windows/trayphone.admx) and only administrators and
 * SYSTEM can write. A policy.json under %ProgramData% is NOT read on Windows: a standard user can
 * create files there, and a policy one user wrote would bind every user of the machine (a server
 * URL pointing at a password collector).
 *
 * Layout (names as in the policy schema, matched case-insensitively like the registry itself):
 *   serverUrl REG_SZ, allowInsecureServer / clickToCall REG_DWORD
 *   Enforced\<setting>, Defaults\<setting>   REG_SZ, REG_DWORD (0/1 for booleans), REG_MULTI_SZ
 *   Enforced\hotkeys\<answer|decline|...>   a subkey for an object-valued setting
 *   Locked\<any name>                       REG_SZ: one setting key per value (an ADMX list)
 *   AutoUpdate\enabled REG_DWORD, AutoUpdate\feedUrl REG_SZ
 */
export const POLICY_REGISTRY_KEY = 'HKLM\\SOFTWARE\\Policies\\Trayphone';

/** Reads a registry key with its subkeys: `reg query <key> /s` output, or null when absent. */
export interface RegistryReader {
  query(key: string): string | null;
}

export type RegistryValue =
  | { type: 'REG_SZ' | 'REG_EXPAND_SZ'; data: string }
  | { type: 'REG_DWORD' | 'REG_QWORD'; data: number }
  | { type: 'REG_MULTI_SZ'; data: string[] }
  | { type: 'REG_BINARY' | 'REG_NONE'; data: string };

export interface RegistryKey {
  values: Map<string, RegistryValue>;
  subkeys: Map<string, RegistryKey>;
}

const emptyKey = (): RegistryKey => ({ values: new Map(), subkeys: new Map() });
const VALUE_LINE =
  /^ {4}(.*?) {4}(REG_SZ|REG_EXPAND_SZ|REG_DWORD|REG_QWORD|REG_MULTI_SZ|REG_BINARY|REG_NONE)(?: {4}(.*))?$/;

export class RegistryParseError extends Error {
  override readonly name = 'RegistryParseError';
}

/**
 * Parses `reg query <root> /s` output strictly: key header lines (the root or below it), value
 * lines of four-space-separated name, type and data, blank lines. Anything else is an error: a
 * line we do not understand is never skipped, since a policy half-read is worse than none.
 */
export function parseRegQuery(output: string, root: string): RegistryKey {
  const tree = emptyKey();
  const rootPath = expandHive(root).toLowerCase();
  let current: RegistryKey | undefined;
  for (const [index, raw] of output.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue;
    if (!raw.startsWith(' ')) {
      const keyPath = raw.trim();
      const lower = keyPath.toLowerCase();
      if (lower !== rootPath && !lower.startsWith(`${rootPath}\\`)) {
        throw new RegistryParseError(`line ${index + 1}: key outside ${root}: ${keyPath}`);
      }
      let node: RegistryKey = tree;
      for (const part of keyPath.slice(rootPath.length).split('\\').filter(Boolean)) {
        const name = part.toLowerCase();
        const next: RegistryKey = node.subkeys.get(name) ?? emptyKey();
        node.subkeys.set(name, next);
        node = next;
      }
      current = node;
      continue;
    }
    const match = VALUE_LINE.exec(raw);
    if (!match || current === undefined) {
      throw new RegistryParseError(`line ${index + 1}: not a registry value: ${raw.slice(0, 120)}`);
    }
    const [, name = '', type = '', data = ''] = match;
    current.values.set(name.toLowerCase(), valueOf(type, data, index + 1));
  }
  return tree;
}

function expandHive(key: string): string {
  return key.replace(/^HKLM\\/i, 'HKEY_LOCAL_MACHINE\\').replace(/^HKCU\\/i, 'HKEY_CURRENT_USER\\');
}

function valueOf(type: string, data: string, line: number): RegistryValue {
  switch (type) {
    case 'REG_DWORD':
    case 'REG_QWORD': {
      if (!/^0x[0-9a-f]+$/i.test(data)) throw new RegistryParseError(`line ${line}: bad ${type}`);
      return { type, data: Number.parseInt(data, 16) };
    }
    case 'REG_MULTI_SZ':
      // reg.exe shows the NUL separators as the two characters \0.
      return { type, data: data === '' ? [] : data.split('\\0').filter((s) => s !== '') };
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return { type, data };
    default:
      return { type: type === 'REG_BINARY' ? 'REG_BINARY' : 'REG_NONE', data };
  }
}

type Schema = z.ZodType;

/** The schema of `key` in an object schema, matched case-insensitively; undefined if none. */
function fieldOf(schema: Schema, key: string): [string, Schema] | undefined {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return undefined;
  const shape = inner.shape as Record<string, Schema>;
  const name = Object.keys(shape).find((k) => k.toLowerCase() === key.toLowerCase());
  return name === undefined ? undefined : [name, shape[name] as Schema];
}

function unwrap(schema: Schema): Schema {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as Schema;
  return s;
}

/** A registry value as the schema expects it: DWORD 0/1 for a boolean, otherwise as stored. */
function convert(value: RegistryValue, schema: Schema | undefined): unknown {
  const inner = schema === undefined ? undefined : unwrap(schema);
  if ((value.type === 'REG_DWORD' || value.type === 'REG_QWORD') && inner instanceof z.ZodBoolean) {
    return value.data === 1 ? true : value.data === 0 ? false : value.data;
  }
  return value.data;
}

/** The registry tree as the policy object; unknown names stay (and make the schema refuse it). */
function toObject(key: RegistryKey, schema: Schema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawName, value] of key.values) {
    if (rawName === '(default)') continue; // a key's unnamed value, written by some tools
    const field = schema === undefined ? undefined : fieldOf(schema, rawName);
    out[field?.[0] ?? rawName] = convert(value, field?.[1]);
  }
  for (const [rawName, sub] of key.subkeys) {
    const field = schema === undefined ? undefined : fieldOf(schema, rawName);
    const name = field?.[0] ?? rawName;
    if (name === 'locked') {
      // An ADMX list: one value per locked setting key, whatever the value names.
      out[name] = [...sub.values.values()].map((v) => v.data);
      continue;
    }
    out[name] = toObject(sub, field?.[1]);
  }
  return out;
}

/** The Windows policy: read, parsed and validated by the same schema as the JSON file. */
export function loadRegistryPolicy(reader: RegistryReader): PolicyLoad {
  const source = POLICY_REGISTRY_KEY;
  let output: string | null;
  try {
    output = reader.query(source);
  } catch (error) {
    return { policy: null, error: `${source}: cannot be read (${(error as Error).message})` };
  }
  if (output === null) return { policy: null };
  let tree: RegistryKey;
  try {
    tree = parseRegQuery(output, source);
  } catch (error) {
    return { policy: null, error: `${source}: cannot be parsed (${(error as Error).message})` };
  }
  if (tree.values.size === 0 && tree.subkeys.size === 0) return { policy: null };
  return parsePolicyValue(source, toObject(tree, policySchema));
}

/** The adapter: `reg.exe query`, exit status 1 meaning the key does not exist. */
export const regExeReader: RegistryReader = {
  query: (key) => {
    try {
      return execFileSync('reg.exe', ['query', key, '/s'], {
        encoding: 'utf8',
        windowsHide: true,
        timeout: 10_000,
      });
    } catch (error) {
      if ((error as { status?: number }).status === 1) return null;
      throw error;
    }
  },
};
