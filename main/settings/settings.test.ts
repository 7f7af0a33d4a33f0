import { describe, expect, it } from 'vitest';
import { STORE_KEYS, Softphone } from '../../core/softphone/index.js';
import { SessionStore } from '../../core/softphone/session.js';
import type { ClientSettings } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { DesktopStore } from './desktop-store.js';
import { loadPolicy, policyFilePath } from './policy.js';
import {
  DEFAULT_SETTINGS,
  SETTINGS_SCHEMA_VERSION,
  type SettingsDocument,
  migrateSettings,
  settingsDocumentSchema,
} from './settings-document.js';
import { type SafeStoragePort, TokenVault } from './token-vault.js';

/** A reversible fake keychain: the stored bytes are never the plaintext. */
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

function memoryPort(initial: unknown) {
  const file = { data: initial, writes: 0 };
  return {
    file,
    port: {
      read: () => file.data,
      write: (doc: SettingsDocument) => {
        file.writes += 1;
        file.data = structuredClone(doc);
      },
    },
  };
}

/** The desktop store and a real core Softphone on top of it (no network is touched). */
function desktop(raw: unknown, policy: unknown = null, safe = fakeSafeStorage()) {
  const { file, port } = memoryPort(raw);
  const log = memoryLog();
  const text =
    policy === null ? null : typeof policy === 'string' ? policy : JSON.stringify(policy);
  const store = new DesktopStore(
    port,
    loadPolicy('/etc/trayphone/policy.json', () => text),
    new TokenVault(safe, log),
    log,
  );
  const softphone = new Softphone({
    shell: 'electron',
    fetch: () => Promise.reject(new Error('no network in this test')),
    createSocket: () => {
      throw new Error('no network in this test');
    },
    store: store.store,
    secretStore: store.secretStore,
    device: { name: 'test', platform: 'linux' },
    settingsProvider: store.settingsProvider,
    policyProvider: store.policyProvider,
    defaultSettings: store.defaultSettings(),
  });
  return { file, log, store, softphone };
}

const V1 = {
  serverUrl: 'https://phone.example.com',
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
      serverUrl: 'https://phone.example.com',
      language: 'zh-CN',
      ringtone: 'soft',
      ringingDevice: 'usb-1',
      launchAtLogin: true,
      startHidden: true,
      hotkeys: DEFAULT_SETTINGS.hotkeys,
    });
    expect(JSON.parse(document.values[STORE_KEYS.session]!)).toEqual({
      version: 1,
      account: { userId: 'bob', displayName: 'Bob B', serverUrl: 'https://phone.example.com' },
    });
    expect(document.secrets).toEqual({});
    expect(legacyPlaintextToken).toBe('refresh-token-123');
    expect(document.userSet.sort()).toEqual(
      ['language', 'launchAtLogin', 'ringingDevice', 'ringtone', 'serverUrl', 'startHidden'].sort(),
    );
    expect(notes.join(' ')).toContain('schema 1 to 2');
  });

  it('v1 with invalid values keeps the valid ones; the invalid are neither kept nor "user set"', () => {
    const { document, notes } = migrateSettings({ ...V1, language: 'klingon', autoStart: 'yes' });
    expect(document.settings.language).toBe('en');
    expect(document.settings.launchAtLogin).toBe(false);
    expect(document.settings.ringtone).toBe('soft');
    expect(document.userSet).not.toContain('language');
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
      secrets: { [STORE_KEYS.refreshToken]: { scheme: 'rot13', data: 'x' } },
    };
    const { document } = migrateSettings(damaged);
    expect(document.settings.callWaiting).toBe(false);
    expect(document.settings.ringtone).toBe('soft');
    expect(document.settings.hotkeys).toEqual({ ...DEFAULT_SETTINGS.hotkeys, answer: 'Alt+A' });
    expect(document.secrets).toEqual({});
    expect(document.values[STORE_KEYS.session]).toBeDefined();
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
    expect(document.values).toEqual({});
  });
});

describe('DesktopStore', () => {
  it('migrating a v1 file seals its token and writes v2; the session survives for the softphone', async () => {
    const { file, store } = desktop(V1);
    expect(JSON.stringify(file.data)).not.toContain('refresh-token-123');
    expect((file.data as SettingsDocument).schemaVersion).toBe(2);
    const saved = await new SessionStore(store.store, store.secretStore).load();
    expect(saved).toEqual({
      account: { userId: 'bob', displayName: 'Bob B', serverUrl: 'https://phone.example.com' },
      refreshToken: 'refresh-token-123',
    });
  });

  it('without a keychain the token never reaches the disk, but this run keeps it', async () => {
    const { file, log, store } = desktop(V1, null, fakeSafeStorage(false));
    expect(JSON.stringify(file.data)).not.toContain('refresh-token-123');
    expect((file.data as SettingsDocument).secrets).toEqual({});
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('memory only'))).toBe(
      true,
    );
    await store.secretStore.set(STORE_KEYS.refreshToken, '"rotated"');
    expect(JSON.stringify(file.data)).not.toContain('rotated');
    expect(await store.secretStore.get(STORE_KEYS.refreshToken)).toBe('"rotated"');
  });

  it("Linux's basic_text backend counts as no keychain", () => {
    const { file } = desktop(V1, null, fakeSafeStorage(true, 'basic_text'));
    expect(JSON.stringify(file.data)).not.toContain('refresh-token-123');
  });

  it('settings changed through the softphone persist, and only changed keys become "user set"', async () => {
    const { file, softphone } = desktop(undefined);
    const view = await softphone.updateSettings({ ringtone: 'soft', callWaiting: false });
    expect(view.settings.ringtone).toBe('soft');
    const doc = file.data as SettingsDocument;
    expect(doc.settings.ringtone).toBe('soft');
    expect(doc.userSet).toEqual(['ringtone']);
  });

  it('invalid patches are refused with invalid-argument and nothing is written', async () => {
    const { file, softphone } = desktop(undefined);
    const writes = file.writes;
    await expect(softphone.updateSettings({ language: 'xx' } as never)).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    expect(file.writes).toBe(writes);
  });
});

describe('IT policy', () => {
  /** A user who set some keys, on a machine with `policy`. */
  const machine = (user: Partial<ClientSettings>, policy: unknown) => {
    const doc = migrateSettings(undefined).document;
    return desktop(
      { ...doc, settings: { ...doc.settings, ...user }, userSet: Object.keys(user) },
      policy,
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

  it('precedence: serverUrl and enforced beat the user; defaults lose to what the user set', async () => {
    const { softphone } = machine(
      { serverUrl: 'http://mine:1', ringtone: 'classic', callWaiting: true },
      {
        serverUrl: 'https://corp.example.com/',
        enforced: { launchAtLogin: true },
        defaults: { ringtone: 'soft', language: 'zh-CN' },
        locked: ['callWaiting'],
      },
    );
    const view = await softphone.getSettings({});
    expect(view.settings.serverUrl).toBe('https://corp.example.com');
    expect(view.settings.launchAtLogin).toBe(true);
    expect(view.settings.ringtone).toBe('classic'); // the user's own choice
    expect(view.settings.language).toBe('zh-CN'); // never chosen by the user: policy default
    expect(view.settings.callWaiting).toBe(true); // frozen as the user had it
    expect([...view.locked].sort()).toEqual(['callWaiting', 'launchAtLogin', 'serverUrl']);
    expect(view.policyError).toBeUndefined();
  });

  it("the policy's clickToCall fixes the click-to-call setting either way and locks it", async () => {
    const on = machine({}, { clickToCall: true });
    const onView = await on.softphone.getSettings({});
    expect(onView.settings.clickToCall).toBe(true);
    expect(onView.locked).toEqual(['clickToCall']);
    const off = machine({ clickToCall: true }, { clickToCall: false });
    expect((await off.softphone.getSettings({})).settings.clickToCall).toBe(false);
    await expect(off.softphone.updateSettings({ clickToCall: true })).rejects.toMatchObject({
      code: 'policy-locked',
    });
    // Without the policy key: off by default, the user's choice.
    expect((await machine({}, {}).softphone.getSettings({})).settings.clickToCall).toBe(false);
  });

  it("crmScreenPop: the user's template and moment, unless the policy's key fixes them; https only", async () => {
    const mine = { template: 'https://crm.mine.example/?c={caller}', when: 'answered' as const };
    const user = machine({ crmScreenPop: mine }, {});
    expect((await user.softphone.getSettings({})).settings.crmScreenPop).toEqual(mine);
    await expect(
      user.softphone.updateSettings({
        crmScreenPop: { template: 'http://crm/?c={caller}', when: 'ringing' },
      }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });

    const corp = 'https://crm.corp.example/lookup?caller={caller}&queue={queue}&call={callId}';
    const fixed = machine({ crmScreenPop: mine }, { crmScreenPop: { template: corp } });
    const view = await fixed.softphone.getSettings({});
    expect(view.settings.crmScreenPop).toEqual({ template: corp, when: 'ringing' });
    expect(view.locked).toEqual(['crmScreenPop']);
    await expect(
      fixed.softphone.updateSettings({ crmScreenPop: { template: '', when: 'ringing' } }),
    ).rejects.toMatchObject({ code: 'policy-locked' });
    // The policy beats `enforced` too, and '' forbids screen pops.
    const both = machine(
      {},
      {
        crmScreenPop: { template: '', when: 'answered' },
        enforced: { crmScreenPop: { template: corp, when: 'ringing' } },
      },
    );
    expect((await both.softphone.getSettings({})).settings.crmScreenPop.template).toBe('');
    // A plain-http template in the policy makes the whole policy refused, not half-applied.
    const bad = machine({}, { crmScreenPop: { template: 'http://crm.corp.example/{caller}' } });
    const badView = await bad.softphone.getSettings({});
    expect(badView.policyError).toContain('crmScreenPop.template');
    expect(badView.locked).toEqual([]);
  });

  it('changing a locked key is refused with policy-locked and nothing is written', async () => {
    const { softphone, file } = machine(
      {},
      { serverUrl: 'https://corp.example.com', locked: ['callWaiting'] },
    );
    await softphone.getSettings({});
    const writes = file.writes;
    await expect(softphone.updateSettings({ callWaiting: true })).rejects.toMatchObject({
      code: 'policy-locked',
    });
    await expect(
      softphone.updateSettings({ serverUrl: 'http://elsewhere', ringtone: 'soft' }),
    ).rejects.toMatchObject({ code: 'policy-locked' });
    expect(file.writes).toBe(writes);
    // Sending the locked value back (a settings form sends everything) is fine.
    const view = await softphone.updateSettings({
      serverUrl: 'https://corp.example.com',
      ringtone: 'soft',
    });
    expect(view.settings.ringtone).toBe('soft');
  });

  it('signing in to another server than the policy fixes is refused before any network', async () => {
    const { softphone } = machine({}, { serverUrl: 'https://corp.example.com' });
    await expect(
      softphone.signIn({ serverUrl: 'http://evil.example', userId: 'bob', password: 'pw' }),
    ).rejects.toMatchObject({ code: 'policy-locked' });
  });

  it.each([
    ['bad JSON', '{ "serverUrl": ', /not valid JSON/],
    ['an unknown key (typo)', { serverURL: 'https://x' }, /schema/],
    ['a bad value', { enforced: { launchAtLogin: 'yes' } }, /enforced\.launchAtLogin/],
    ['a ws:// or script URL', { serverUrl: 'javascript:alert(1)' }, /serverUrl/],
    ['an unknown lock', { locked: ['everything'] }, /locked/],
    ['not an object', '[1,2]', /schema/],
  ])('a policy with %s is reported and not applied at all', async (_why, policy, message) => {
    const whole =
      typeof policy === 'string'
        ? policy
        : { serverUrl: 'https://corp.example.com', enforced: { startHidden: true }, ...policy };
    const { softphone } = machine({ serverUrl: 'http://mine:1' }, whole);
    const view = await softphone.getSettings({});
    expect(view.policyError).toMatch(message);
    expect(view.settings.serverUrl).toBe('http://mine:1');
    expect(view.settings.startHidden).toBe(false);
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
    const sealed = new TokenVault(fakeSafeStorage(), log).seal('tok');
    expect(sealed).not.toBeNull();
    expect(Buffer.from(sealed!.data, 'base64').toString()).not.toContain('tok');
    expect(new TokenVault(fakeSafeStorage(), log).open(sealed!)).toBe('tok');
    expect(
      new TokenVault(fakeSafeStorage(), log).open({ scheme: 'safeStorage', data: 'AAAA' }),
    ).toBeNull();
  });

  it('refuses to seal without a real keychain', () => {
    expect(new TokenVault(fakeSafeStorage(true, 'basic_text'), memoryLog()).seal('t')).toBeNull();
    expect(new TokenVault(fakeSafeStorage(false), memoryLog()).status()).toBe('memory-only');
  });
});
