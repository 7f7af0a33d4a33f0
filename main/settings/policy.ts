import path from 'node:path';
import { z } from 'zod';
import {
  type ClientSettingKey,
  type ClientSettings,
  clientSettingsSchema,
} from '../../protocol/index.js';

/**
 * Machine-wide IT policy: one JSON file per machine, writable only by administrators, read at
 * start. It wins over the user's settings. A malformed file is reported (`policyError`) and
 * ignored AS A WHOLE: applying the half that parsed could leave, say, the server fixed but the
 * lock on it missing, which is worse than an obvious "policy broken" banner.
 *
 * {
 *   "serverUrl": "https://phone.example.com",        // fixed and locked
 *   "enforced": { "launchAtLogin": true },           // fixed and locked
 *   "defaults": { "ringtone": "soft" },              // initial values the user may change
 *   "locked": ["callWaiting"]                        // the user's value (or default) is frozen
 * }
 */
const settingKeys = clientSettingsSchema.keyof();

export const policySchema = z
  .object({
    serverUrl: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s/]+/i, 'serverUrl must be an http(s):// URL')
      .optional(),
    enforced: clientSettingsSchema.partial().strict().optional(),
    defaults: clientSettingsSchema.partial().strict().optional(),
    locked: z.array(settingKeys).max(50).optional(),
  })
  .strict();
export type Policy = z.infer<typeof policySchema>;

/** Where the policy file lives on each OS. */
export function policyFilePath(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Trayphone', 'policy.json');
    case 'darwin':
      return '/Library/Application Support/Trayphone/policy.json';
    case 'linux':
    case 'aix':
    case 'android':
    case 'cygwin':
    case 'freebsd':
    case 'haiku':
    case 'netbsd':
    case 'openbsd':
    case 'sunos':
      return '/etc/trayphone/policy.json';
  }
}

export type PolicyLoad = { policy: Policy | null; error?: string };

/**
 * Reads the policy through `readFile` (which returns null when the file does not exist). Any
 * other read failure, bad JSON or a schema violation yields `{ policy: null, error }`.
 */
export function loadPolicy(file: string, readFile: (file: string) => string | null): PolicyLoad {
  let text: string | null;
  try {
    text = readFile(file);
  } catch (error) {
    return { policy: null, error: `${file}: cannot be read (${(error as Error).message})` };
  }
  if (text === null) return { policy: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { policy: null, error: `${file}: not valid JSON (${(error as Error).message})` };
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return { policy: null, error: `${file}: ignored, it does not match the schema (${issues})` };
  }
  return { policy: parsed.data };
}

/**
 * What the policy fixes, as the softphone's `PolicyProvider` returns it: every locked key with the
 * value it is locked to. `serverUrl` and `enforced` bring their own values; keys only listed in
 * `locked` are frozen at the user's current value. The softphone lays this over the user's
 * settings and refuses changes to these keys (`policy-locked`).
 */
export function lockedValues(
  policy: Policy,
  userSettings: ClientSettings,
  normalizeUrl: (url: string) => string,
): Partial<ClientSettings> {
  const out: Record<string, unknown> = {};
  const user = userSettings as Record<ClientSettingKey, unknown>;
  for (const key of policy.locked ?? []) out[key] = structuredClone(user[key]);
  Object.assign(out, structuredClone(policy.enforced ?? {}));
  if (policy.serverUrl !== undefined) out.serverUrl = normalizeUrl(policy.serverUrl);
  return clientSettingsSchema.partial().parse(out);
}
