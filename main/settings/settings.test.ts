import { describe, expect, it } from 'vitest';
import { SoftphoneError } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { loadPolicy, policyFilePath } from './policy.js';
import {
  DEFAULT_SETTINGS,
  SETTINGS_SCHEMA_VERSION,
  type SettingsDocument,
  migrateSettings,
  settingsDocumentSchema,
} from './settings-document.js';
import { SettingsService } from './settings-service.js';
import { type SafeStoragePort, TokenVault } from './token-vault.js';

/** A reversible fake keychain: "encryption" is visible in the stored bytes, never plaintext. */
function fakeSafeStorage(available = true, backend = 'gnome_libsecret'): SafeStoragePort {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s) => Buffer.concat([Buffer.from('sealed:'), Buffer.from(s).reverse()]),
    decryptString: (b) => {
      if (!b.subarray(0, 7).equals(Buffer.from('sealed:'))) throw new Error('bad ciphertext');
      return Buffer.from(b.subarray(7)).reverse().toString();
    },
  };
}

function memoryStore(initial: unknown) {
  const store = { data: initial, writes: 0 };
  return {
    store,
    port: {
      read: () => store.data,
      write: (doc: SettingsDocument) => {
        store.writes += 1;
        store.data = structuredClone(doc);
      },
    },
  };
}

const V1 = {
  serverUrl: 'wss://phone.example.com',
  language: 'zh-CN',
  ringtone: 'soft',
  ringDevice: 'usb-1',
  autoStart: true,
  startHidden: true,
  userId: 'bob',
  displayName: 'Bob B',
  token: 'refresh-token-123',
};

describe('settings schema migration', () => {
  it('v1 (flat, renamed keys, plaintext token) becomes a valid v2 document', () => {
    const { document, notes, legacyPlaintextToken } = migrateSettings(V1);
    expect(settingsDocumentSchema.parse(document)).toEqual(document);
    expect(document.schemaVersion).toBe(SETTINGS_SCHEMA_VERSION);
    expect(document.settings).toMatchObject({
      serverUrl: 'wss://phone.example.com',
      language: 'zh-CN',
      ringtone: 'soft',
      ringingDevice: 'usb-1',
      launchAtLogin: true,
      startHidden: true,
      hotkeys: DEFAULT_SETTINGS.hotkeys,
    });
    expect(document.account).toEqual({
      userId: 'bob',
      displayName: 'Bob B',
      serverUrl: 'wss://phone.example.com',
    });
    expect(document.token).toBeNull();
    expect(legacyPlaintextToken).toBe('refresh-token-123');
    expect(document.userSet.sort()).toEqual(
      ['language', 'launchAtLogin', 'ringingDevice', 'ringtone', 'serverUrl', 'startHidden'].sort(),
    );
    expect(notes.join(' ')).toContain('schema 1 to 2');
  });

  it('v1 with invalid values keeps the valid ones and resets the rest', () => {
    const { document, notes } = migrateSettings({ ...V1, language: 'klingon', autoStart: 'yes' });
    expect(document.settings.language).toBe('en');
    expect(document.settings.launchAtLogin).toBe(false);
    expect(document.settings.ringtone).toBe('soft');
    expect(notes.some((n) => n.includes('language'))).toBe(true);
  });

  it('a valid v2 document is returned unchanged, with no notes', () => {
    const doc = migrateSettings(V1).document;
    const again = migrateSettings(structuredClone(doc));
    expect(again.document).toEqual(doc);
    expect(again.notes).toEqual([]);
  });

  it('a damaged v2 document is salvaged key by key (hotkeys partially)', () => {
    const doc = migrateSettings(V1).document as unknown as Record<string, unknown>;
    const damaged = {
      ...doc,
      settings: {
        ...(doc.settings as object),
        callWaiting: 'maybe',
        hotkeys: { answer: 'Alt+A', mute: 7 },
      },
      token: { scheme: 'rot13', data: 'x' },
    };
    const { document } = migrateSettings(damaged);
    expect(document.settings.callWaiting).toBe(false);
    expect(document.settings.ringtone).toBe('soft');
    expect(document.settings.hotkeys).toEqual({ ...DEFAULT_SETTINGS.hotkeys, answer: 'Alt+A' });
    expect(document.token).toBeNull();
  });

  it.each([
    ['nothing', undefined],
    ['empty', {}],
    ['garbage', 'garbage'],
    ['an array', [1, 2]],
    ['a future schema', { schemaVersion: 99, settings: {} }],
  ])('%s starts from defaults', (_why, raw) => {
    const { document } = migrateSettings(raw);
    expect(document.settings).toEqual(DEFAULT_SETTINGS);
    expect(document.account).toBeNull();
  });
});

describe('SettingsService', () => {
  const service = (raw: unknown, policyText: string | null = null, safe = fakeSafeStorage()) => {
    const { store, port } = memoryStore(raw);
    const log = memoryLog();
    const policy = loadPolicy('/etc/trayphone/policy.json', () => policyText);
    const svc = new SettingsService(port, policy, new TokenVault(safe, log), log);
    return { svc, store, log };
  };

  it('migrating a v1 file seals its plaintext token and writes v2 (no plaintext left)', () => {
    const { svc, store } = service(V1);
    expect(JSON.stringify(store.data)).not.toContain('refresh-token-123');
    expect((store.data as SettingsDocument).schemaVersion).toBe(2);
    expect((store.data as SettingsDocument).token?.scheme).toBe('safeStorage');
    expect(svc.token()).toBe('refresh-token-123');
  });

  it('without a keychain the v1 token is dropped from disk, not kept in plaintext', () => {
    const { store, log } = service(V1, null, fakeSafeStorage(false));
    expect(JSON.stringify(store.data)).not.toContain('refresh-token-123');
    expect((store.data as SettingsDocument).token).toBeNull();
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('memory only'))).toBe(
      true,
    );
  });

  it('updates persist and announce the effective view', () => {
    const { svc, store } = service(undefined);
    const seen: string[] = [];
    svc.on('changed', (view) => seen.push(view.settings.ringtone));
    svc.update({ ringtone: 'soft', callWaiting: true });
    expect((store.data as SettingsDocument).settings).toMatchObject({
      ringtone: 'soft',
      callWaiting: true,
    });
    expect(seen).toEqual(['soft']);
  });

  it('invalid patches are refused with invalid-argument and change nothing', () => {
    const { svc, store } = service(undefined);
    const writes = store.writes;
    expect(() => svc.update({ language: 'xx' } as never)).toThrow(SoftphoneError);
    expect(store.writes).toBe(writes);
  });
});

describe('IT policy', () => {
  const service = (user: Record<string, unknown>, policy: unknown) => {
    const log = memoryLog();
    const doc = migrateSettings(undefined).document;
    const raw = {
      ...doc,
      settings: { ...doc.settings, ...user },
      userSet: Object.keys(user),
    };
    const text = typeof policy === 'string' ? policy : JSON.stringify(policy);
    const load = loadPolicy('/etc/trayphone/policy.json', () => text);
    return new SettingsService(
      memoryStore(raw).port,
      load,
      new TokenVault(fakeSafeStorage(), log),
      log,
    );
  };

  it('the policy file lives where each OS keeps machine-wide config', () => {
    expect(policyFilePath('win32', { ProgramData: 'D:\\PD' })).toBe(
      'D:\\PD\\Trayphone\\policy.json',
    );
    expect(policyFilePath('win32', {})).toBe('C:\\ProgramData\\Trayphone\\policy.json');
    expect(policyFilePath('darwin', {})).toBe('/Library/Application Support/Trayphone/policy.json');
    expect(policyFilePath('linux', {})).toBe('/etc/trayphone/policy.json');
  });

  it('precedence: enforced and serverUrl beat the user; defaults lose to what the user set', () => {
    const svc = service(
      { serverUrl: 'ws://mine:1', ringtone: 'classic', callWaiting: true },
      {
        serverUrl: 'wss://corp.example.com',
        enforced: { launchAtLogin: true },
        defaults: { ringtone: 'soft', language: 'zh-CN' },
        locked: ['callWaiting'],
      },
    );
    const view = svc.view();
    expect(view.settings.serverUrl).toBe('wss://corp.example.com');
    expect(view.settings.launchAtLogin).toBe(true);
    expect(view.settings.ringtone).toBe('classic'); // the user's own choice
    expect(view.settings.language).toBe('zh-CN'); // the user never chose: policy default
    expect(view.settings.callWaiting).toBe(true); // locked as the user had it
    expect(view.locked).toEqual(['callWaiting', 'launchAtLogin', 'serverUrl']);
    expect(view.policyError).toBeUndefined();
  });

  it('changing a locked key is refused with policy-locked and nothing is written', () => {
    const svc = service({}, { serverUrl: 'wss://corp.example.com', locked: ['callWaiting'] });
    const attempt = () => svc.update({ ringtone: 'soft', serverUrl: 'ws://elsewhere' });
    expect(attempt).toThrow(expect.objectContaining({ code: 'policy-locked' }) as Error);
    expect(svc.view().settings.ringtone).toBe('classic');
    expect(() => svc.update({ callWaiting: true })).toThrow(/callWaiting/);
    // Re-sending the locked value itself is fine (a settings form sends everything).
    expect(
      svc.update({ serverUrl: 'wss://corp.example.com', ringtone: 'soft' }).settings.ringtone,
    ).toBe('soft');
  });

  it.each([
    ['bad JSON', '{ "serverUrl": ', /not valid JSON/],
    ['an unknown key (typo)', { serverURL: 'wss://x' }, /schema/],
    ['a bad value', { enforced: { launchAtLogin: 'yes' } }, /enforced\.launchAtLogin/],
    ['a bad URL', { serverUrl: 'javascript:alert(1)' }, /serverUrl/],
    ['an unknown lock', { locked: ['everything'] }, /locked/],
    ['not an object', '[1,2]', /schema/],
  ])('a policy with %s is reported and not applied at all', (_why, policy, message) => {
    const svc = service(
      { serverUrl: 'ws://mine:1' },
      typeof policy === 'string'
        ? policy
        : { ...policy, serverUrl: (policy as { serverUrl?: string }).serverUrl ?? 'wss://corp' },
    );
    const view = svc.view();
    expect(view.policyError).toMatch(message);
    expect(view.settings.serverUrl).toBe('ws://mine:1');
    expect(view.locked).toEqual([]);
  });

  it('no policy file: nothing locked, no error; an unreadable one is reported', () => {
    expect(loadPolicy('/p', () => null)).toEqual({ policy: null });
    const unreadable = loadPolicy('/p', () => {
      throw new Error('EACCES');
    });
    expect(unreadable.policy).toBeNull();
    expect(unreadable.error).toContain('EACCES');
  });
});

describe('TokenVault', () => {
  it('seals with the keychain and reopens; tampered data yields null', () => {
    const log = memoryLog();
    const vault = new TokenVault(fakeSafeStorage(), log);
    const sealed = vault.seal('tok');
    expect(sealed?.data).not.toContain('tok');
    expect(new TokenVault(fakeSafeStorage(), log).open(sealed)).toBe('tok');
    expect(
      new TokenVault(fakeSafeStorage(), log).open({ scheme: 'safeStorage', data: 'AAAA' }),
    ).toBeNull();
  });

  it("Linux's basic_text backend counts as no keychain: memory only", () => {
    const vault = new TokenVault(fakeSafeStorage(true, 'basic_text'), memoryLog());
    expect(vault.status()).toBe('memory-only');
    expect(vault.seal('tok')).toBeNull();
    expect(vault.open(null)).toBe('tok'); // this run still has it
  });
});
