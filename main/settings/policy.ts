import path from 'node:path';
import { z } from 'zod';
import {
  type ClientSettingKey,
  type ClientSettings,
  clientSettingsSchema,
  crmScreenPopSchema,
} from '../../protocol/index.js';
import { insecureServerReason } from '../security/server-url.js';

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

const serverUrlSchema = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/]+/i, 'serverUrl must be an http(s):// URL');

/** A feed URL is fetched without a user watching: https only, no loopback exception. */
const feedUrlSchema = z
  .string()
  .max(2048)
  .regex(/^https:\/\/[^\s/]+/i, 'must be an https:// URL');

export const policySchema = z
  .object({
    serverUrl: serverUrlSchema.optional(),
    /** Labs only: allow plain http/ws to a server that is not this machine. */
    allowInsecureServer: z.boolean().optional(),
    /** Click-to-call (tel:, sip:, callto:): true claims them, false forbids; unset: the user's choice. */
    clickToCall: z.boolean().optional(),
    /** Auto-update from a generic electron-updater feed (main/update). */
    autoUpdate: z
      .object({ enabled: z.boolean().optional(), feedUrl: feedUrlSchema.optional() })
      .strict()
      .optional(),
    /**
     * Where Crashpad uploads crash reports (https). Unset: minidumps stay on the machine only
     * (main/crash/crash-reporting.ts).
     */
    crashReportUploadUrl: feedUrlSchema.optional(),
    /**
     * CRM screen pop, fixed for every user (the ADMX's switch): the template (https, or '' to
     * forbid screen pops) and when it opens (default: ringing). Wins over `enforced`/the user.
     */
    crmScreenPop: z
      .object({
        template: crmScreenPopSchema.shape.template,
        when: crmScreenPopSchema.shape.when.optional(),
      })
      .strict()
      .optional(),
    enforced: clientSettingsSchema
      .partial()
      .extend({ serverUrl: serverUrlSchema.optional() })
      .strict()
      .optional(),
    defaults: clientSettingsSchema.partial().strict().optional(),
    locked: z.array(settingKeys).max(50).optional(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    // Both places that can fix the server get the same transport check.
    const allow = policy.allowInsecureServer === true;
    const urls: [string[], string | undefined][] = [
      [['serverUrl'], policy.serverUrl],
      [['enforced', 'serverUrl'], policy.enforced?.serverUrl],
      [['defaults', 'serverUrl'], policy.defaults?.serverUrl],
    ];
    for (const [path, url] of urls) {
      if (url === undefined || url === '') continue;
      const reason = insecureServerReason(url, allow);
      if (reason !== undefined) ctx.addIssue({ code: 'custom', path, message: reason });
    }
  });
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
 * The policy file's bytes as text. Windows tools write BOMs: PowerShell 5's `Out-File` and
 * `>` write UTF-16 LE with a BOM, Notepad may add a UTF-8 BOM. Each is recognised by its BOM;
 * without one the file must be valid UTF-8 (no guessing at legacy code pages).
 */
export function decodePolicyBytes(bytes: Uint8Array): string {
  const b = bytes;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(3));
  }
  if (b[0] === 0xff && b[1] === 0xfe) {
    return new TextDecoder('utf-16le', { fatal: true }).decode(b.subarray(2));
  }
  if (b[0] === 0xfe && b[1] === 0xff) {
    return new TextDecoder('utf-16be', { fatal: true }).decode(b.subarray(2));
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(b);
}

/** Validates a policy value from any source (file, registry) against the schema, whole or not at all. */
export function parsePolicyValue(source: string, value: unknown): PolicyLoad {
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return { policy: null, error: `${source}: ignored, it does not match the schema (${issues})` };
  }
  return { policy: parsed.data };
}

/**
 * Reads the policy through `readFile` (which returns null when the file does not exist). Any
 * other read failure, undecodable text, bad JSON or a schema violation yields
 * `{ policy: null, error }`.
 */
export function loadPolicy(
  file: string,
  readFile: (file: string) => Uint8Array | string | null,
): PolicyLoad {
  let text: string;
  try {
    const content = readFile(file);
    if (content === null) return { policy: null };
    text =
      typeof content === 'string' ? content.replace(/^\uFEFF/, '') : decodePolicyBytes(content);
  } catch (error) {
    return { policy: null, error: `${file}: cannot be read (${(error as Error).message})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { policy: null, error: `${file}: not valid JSON (${(error as Error).message})` };
  }
  return parsePolicyValue(file, json);
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
  const { serverUrl: enforcedServer, ...enforced } = policy.enforced ?? {};
  Object.assign(out, structuredClone(enforced));
  // The top-level key is the ADMX's on/off switch: it fixes the setting like `enforced` does.
  if (policy.clickToCall !== undefined) out.clickToCall = policy.clickToCall;
  if (policy.crmScreenPop !== undefined) {
    out.crmScreenPop = {
      template: policy.crmScreenPop.template,
      when: policy.crmScreenPop.when ?? 'ringing',
    };
  }
  const serverUrl = policy.serverUrl ?? enforcedServer;
  if (serverUrl !== undefined) out.serverUrl = normalizeUrl(serverUrl);
  return clientSettingsSchema.partial().parse(out);
}
