import path from 'node:path';
import { z } from 'zod';
import {
  type ClientSettingKey,
  type ClientSettings,
  type SettingsView,
  clientSettingsSchema,
} from '../../protocol/index.js';

/**
 * Machine-wide IT policy: one JSON file per machine, writable only by administrators, read at
 * start. It wins over the user's settings. A malformed file is reported (`policyError`) and
 * ignored AS A WHOLE: applying the half that parsed could leave, say, the server fixed but the
 * lock on it missing, which is worse than an obvious "policy broken" banner.
 *
 * {
 *   "serverUrl": "wss://phone.example.com",          // fixed and locked
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
      .regex(/^(wss?|https?):\/\/[^\s/]+/i, 'serverUrl must be an ws(s):// or http(s):// URL')
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

/** The keys a policy fixes, and the values they are fixed to (or undefined: frozen as they are). */
function lockedKeys(policy: Policy): Set<ClientSettingKey> {
  const keys = new Set<ClientSettingKey>(policy.locked ?? []);
  for (const key of Object.keys(policy.enforced ?? {})) keys.add(key as ClientSettingKey);
  if (policy.serverUrl !== undefined) keys.add('serverUrl');
  return keys;
}

/**
 * The settings in effect: defaults < policy defaults (only where the user set nothing) < user <
 * policy enforced/serverUrl. `userSet` lists the keys the user changed explicitly.
 */
export function effectiveSettings(
  stored: ClientSettings,
  userSet: ReadonlySet<ClientSettingKey>,
  load: PolicyLoad,
): SettingsView {
  const policy = load.policy;
  const settings: ClientSettings = structuredClone(stored);
  const view: SettingsView = { settings, locked: [] };
  if (load.error !== undefined) view.policyError = load.error;
  if (!policy) return view;
  const target = settings as Record<ClientSettingKey, unknown>;
  for (const [key, value] of Object.entries(policy.defaults ?? {})) {
    if (!userSet.has(key as ClientSettingKey)) target[key as ClientSettingKey] = value;
  }
  for (const [key, value] of Object.entries(policy.enforced ?? {})) {
    target[key as ClientSettingKey] = value;
  }
  if (policy.serverUrl !== undefined) settings.serverUrl = policy.serverUrl;
  view.locked = [...lockedKeys(policy)].sort();
  return view;
}

/** Keys of `patch` that the policy forbids changing (to a different value). */
export function lockedChanges(
  view: SettingsView,
  patch: Partial<ClientSettings>,
): ClientSettingKey[] {
  const current = view.settings as Record<ClientSettingKey, unknown>;
  return (Object.keys(patch) as ClientSettingKey[]).filter(
    (key) =>
      view.locked.includes(key) && JSON.stringify(patch[key]) !== JSON.stringify(current[key]),
  );
}
