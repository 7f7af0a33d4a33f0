import { z } from 'zod';
import { DEFAULT_CLIENT_SETTINGS, STORE_KEYS } from '../../core/softphone/index.js';
import {
  type ClientSettings,
  clientSettingsSchema,
  softphoneAccountSchema,
} from '../../protocol/index.js';

/**
 * What the desktop app keeps in electron-store: the user's settings, the softphone's values
 * (session, device id, missed count) and its sealed secrets, under an explicit schema version. Migrations run here, in plain code, on
 * whatever the file holds (`unknown`): electron-store's own `migrations` are keyed to the app
 * version, which says nothing about the layout of the file and cannot be tested without Electron.
 */
export const SETTINGS_SCHEMA_VERSION = 2;

/** The softphone's defaults (fresh objects, so nothing here shares core's constant). */
export const DEFAULT_SETTINGS: ClientSettings = {
  ...DEFAULT_CLIENT_SETTINGS,
  hotkeys: { ...DEFAULT_CLIENT_SETTINGS.hotkeys },
  favourites: [],
  crmScreenPop: { ...DEFAULT_CLIENT_SETTINGS.crmScreenPop },
};

/** A secret sealed by the OS keychain (safeStorage), base64 of the ciphertext. */
export const sealedSecretSchema = z.object({
  scheme: z.literal('safeStorage'),
  data: z.string().max(16_384),
});
export type SealedSecret = z.infer<typeof sealedSecretSchema>;

export const settingsDocumentSchema = z.object({
  schemaVersion: z.literal(SETTINGS_SCHEMA_VERSION),
  /** The user's own settings (IT policy is applied on top, never written here). */
  settings: clientSettingsSchema,
  /** Keys the user changed: IT policy `defaults` apply only to the others. */
  userSet: z.array(clientSettingsSchema.keyof()),
  /** The softphone's own keys (session, device id, missed count), JSON strings. */
  values: z.record(z.string().max(256), z.string().max(65_536)),
  /** Secrets (the refresh token), sealed by the OS keychain; never plaintext. */
  secrets: z.record(z.string().max(256), sealedSecretSchema),
});
export type SettingsDocument = z.infer<typeof settingsDocumentSchema>;

export const emptyDocument = (): SettingsDocument => ({
  schemaVersion: SETTINGS_SCHEMA_VERSION,
  settings: structuredClone(DEFAULT_SETTINGS),
  userSet: [],
  values: {},
  secrets: {},
});

/**
 * Version 1 (the first release) kept a flat object: `ringDevice` and `autoStart` under other
 * names, no hotkeys, and the token in plaintext. Only its shape matters here.
 */
const v1Schema = z.object({
  schemaVersion: z.literal(1).optional(),
  serverUrl: z.unknown().optional(),
  language: z.unknown().optional(),
  ringtone: z.unknown().optional(),
  ringDevice: z.unknown().optional(),
  autoStart: z.unknown().optional(),
  startHidden: z.unknown().optional(),
  callWaiting: z.unknown().optional(),
  userId: z.unknown().optional(),
  displayName: z.unknown().optional(),
  token: z.unknown().optional(),
});

export interface MigrationOutcome {
  document: SettingsDocument;
  /** What the migration did, for the log (never values: tokens must not reach the log). */
  notes: string[];
  /** A v1 plaintext refresh token to seal now (the vault decides whether it can be kept). */
  legacyPlaintextToken?: string;
}

/** Takes every key of `raw` that is valid on its own; the others keep their defaults. */
function salvageSettings(
  raw: Record<string, unknown>,
  notes: string[],
  accepted: string[] = [],
): ClientSettings {
  const settings = structuredClone(DEFAULT_SETTINGS) as Record<string, unknown>;
  const shape = clientSettingsSchema.shape as Record<string, z.ZodType>;
  for (const [key, schema] of Object.entries(shape)) {
    if (!(key in raw)) continue;
    const parsed = schema.safeParse(raw[key]);
    if (parsed.success) {
      settings[key] = parsed.data;
      accepted.push(key);
    } else notes.push(`settings.${key} was invalid: reset to default`);
  }
  // Hotkeys may be partially valid: keep the valid ones.
  if (raw.hotkeys && typeof raw.hotkeys === 'object') {
    const hotkeys = { ...DEFAULT_SETTINGS.hotkeys } as Record<string, string>;
    for (const [action, value] of Object.entries(raw.hotkeys as Record<string, unknown>)) {
      if (action in hotkeys && typeof value === 'string' && value.length <= 64) {
        hotkeys[action] = value;
      }
    }
    settings.hotkeys = hotkeys;
  }
  return clientSettingsSchema.parse(settings);
}

function fromV1(raw: z.infer<typeof v1Schema>, notes: string[]): MigrationOutcome {
  notes.push('migrated settings from schema 1 to 2');
  const renamed: Record<string, unknown> = {
    serverUrl: raw.serverUrl,
    language: raw.language,
    ringtone: raw.ringtone,
    ringingDevice: raw.ringDevice,
    launchAtLogin: raw.autoStart,
    startHidden: raw.startHidden,
    callWaiting: raw.callWaiting,
  };
  const present = Object.fromEntries(Object.entries(renamed).filter(([, v]) => v !== undefined));
  const accepted: string[] = [];
  const settings = salvageSettings(present, notes, accepted);
  const account = softphoneAccountSchema.safeParse({
    userId: raw.userId,
    displayName: raw.displayName ?? raw.userId,
    serverUrl: settings.serverUrl,
  });
  const values: Record<string, string> = {};
  if (account.success) {
    // The softphone's session record (core/softphone/session.ts), so the user stays signed in.
    values[STORE_KEYS.session] = JSON.stringify({ version: 1, account: account.data });
  }
  const outcome: MigrationOutcome = {
    document: {
      schemaVersion: SETTINGS_SCHEMA_VERSION,
      settings,
      userSet: clientSettingsSchema.keyof().array().parse(accepted),
      values,
      secrets: {},
    },
    notes,
  };
  if (typeof raw.token === 'string' && raw.token.length > 0 && account.success) {
    outcome.legacyPlaintextToken = raw.token;
  }
  return outcome;
}

/**
 * Reads whatever the settings file holds and returns a valid current document. Never throws: a
 * file from the future or garbage starts over from defaults, and says so.
 */
export function migrateSettings(raw: unknown): MigrationOutcome {
  const notes: string[] = [];
  if (raw === undefined || raw === null || (typeof raw === 'object' && !Object.keys(raw).length)) {
    return { document: emptyDocument(), notes };
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    notes.push('settings file was not an object: started from defaults');
    return { document: emptyDocument(), notes };
  }
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined || version === 1) {
    const v1 = v1Schema.safeParse(raw);
    if (v1.success) return fromV1(v1.data, notes);
  }
  if (version === SETTINGS_SCHEMA_VERSION) {
    const exact = settingsDocumentSchema.safeParse(raw);
    if (exact.success) return { document: exact.data, notes };
    const doc = raw as Record<string, unknown>;
    const settingsRaw = doc.settings;
    const settings =
      settingsRaw && typeof settingsRaw === 'object'
        ? salvageSettings(settingsRaw as Record<string, unknown>, notes)
        : structuredClone(DEFAULT_SETTINGS);
    const userSet = clientSettingsSchema.keyof().array().safeParse(doc.userSet);
    const values = settingsDocumentSchema.shape.values.safeParse(doc.values);
    const secrets = settingsDocumentSchema.shape.secrets.safeParse(doc.secrets);
    if (!values.success) notes.push('stored values were invalid: dropped');
    if (!secrets.success) notes.push('stored secrets were invalid: dropped (sign in again)');
    return {
      document: {
        schemaVersion: SETTINGS_SCHEMA_VERSION,
        settings,
        userSet: userSet.success ? userSet.data : [],
        values: values.success ? values.data : {},
        secrets: secrets.success ? secrets.data : {},
      },
      notes,
    };
  }
  notes.push(`unknown settings schema ${String(version)}: started from defaults`);
  return { document: emptyDocument(), notes };
}
