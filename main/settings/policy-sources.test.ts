import { describe, expect, it } from 'vitest';
import { insecureServerReason, isLoopbackHost } from '../security/server-url.js';
import { decodePolicyBytes, loadPolicy } from './policy.js';
import { loadRegistryPolicy, parseRegQuery, POLICY_REGISTRY_KEY } from './registry-policy.js';

const POLICY = { serverUrl: 'https://phone.example.com', locked: ['callWaiting'] };
const text = JSON.stringify(POLICY, null, 2);
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
const bytesOf = {
  'UTF-8': Buffer.from(text, 'utf8'),
  'UTF-8 with BOM (Notepad)': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
  'UTF-16 LE with BOM (PowerShell 5 Out-File)': Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(text, 'utf16le'),
  ]),
  'UTF-16 BE with BOM': Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)]),
};

describe('IT policy file encodings', () => {
  it.each(Object.entries(bytesOf))('%s is decoded and applied', (_encoding, bytes) => {
    const load = loadPolicy('/etc/trayphone/policy.json', () => bytes);
    expect(load).toEqual({ policy: POLICY });
  });

  it('decoded text is still validated by the schema: a bad key in UTF-16 is refused whole', () => {
    const bad = JSON.stringify({ ...POLICY, serverUrll: 'x' });
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bad, 'utf16le')]);
    const load = loadPolicy('/p.json', () => bytes);
    expect(load.policy).toBeNull();
    expect(load.error).toMatch(/does not match the schema/);
  });

  it('bytes that are not UTF-8 and carry no BOM are an error, not a guess', () => {
    expect(() => decodePolicyBytes(Buffer.from([0x7b, 0xe9, 0x7d]))).toThrow();
    const load = loadPolicy('/p.json', () => Buffer.from([0x7b, 0xe9, 0x7d]));
    expect(load.policy).toBeNull();
    expect(load.error).toMatch(/cannot be read/);
  });
});

describe('server URL transport', () => {
  it('https/wss always; http/ws only to this machine, or with allowInsecureServer', () => {
    for (const url of ['https://phone.example.com', 'wss://phone.example.com/ws']) {
      expect(insecureServerReason(url, false)).toBeUndefined();
    }
    for (const url of [
      'http://localhost:8080',
      'http://127.0.0.1',
      'ws://127.8.0.1/ws',
      'http://[::1]:3000',
      'http://app.localhost',
    ]) {
      expect(insecureServerReason(url, false)).toBeUndefined();
    }
    for (const url of [
      'http://phone.example.com',
      'ws://10.0.0.5/ws',
      'http://localhost.example.com',
      'http://127.0.0.1.nip.io',
    ]) {
      expect(insecureServerReason(url, false)).toMatch(/refused/);
      expect(insecureServerReason(url, true)).toBeUndefined();
    }
    expect(insecureServerReason('ftp://x', true)).toMatch(/not a server URL scheme/);
    expect(isLoopbackHost('[::ffff:127.0.0.1]')).toBe(true);
  });

  it('a policy fixing a plain-http server (serverUrl or enforced.serverUrl) is refused unless it opts in', () => {
    for (const policy of [
      { serverUrl: 'http://phone.example.com' },
      { enforced: { serverUrl: 'http://phone.example.com' } },
    ]) {
      const load = loadPolicy('/p.json', () => JSON.stringify(policy));
      expect(load.policy).toBeNull();
      expect(load.error).toMatch(/refused/);
      const lab = loadPolicy('/p.json', () =>
        JSON.stringify({ ...policy, allowInsecureServer: true }),
      );
      expect(lab.error).toBeUndefined();
      expect(lab.policy).not.toBeNull();
    }
    expect(
      loadPolicy('/p.json', () => '{"enforced":{"serverUrl":"javascript:alert(1)"}}').error,
    ).toMatch(/serverUrl/);
  });
});

/** What `reg query HKLM\SOFTWARE\Policies\Trayphone /s` prints (recorded on Windows 11, CRLF). */
const REG_OUTPUT = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Trayphone',
  '    ServerUrl    REG_SZ    https://phone.example.com',
  '    allowInsecureServer    REG_DWORD    0x0',
  '    clickToCall    REG_DWORD    0x1',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Trayphone\\AutoUpdate',
  '    enabled    REG_DWORD    0x0',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Trayphone\\Defaults',
  '    ringtone    REG_SZ    chime',
  '    favourites    REG_MULTI_SZ    alice\\0bob',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Trayphone\\Enforced',
  '    launchAtLogin    REG_DWORD    0x1',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Trayphone\\Enforced\\hotkeys',
  '    answer    REG_SZ    CommandOrControl+Shift+A',
  '    decline    REG_SZ    ',
  '    hangup    REG_SZ    CommandOrControl+Shift+H',
  '    mute    REG_SZ    CommandOrControl+Shift+M',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Trayphone\\Locked',
  '    1    REG_SZ    callWaiting',
  '    2    REG_SZ    ringingDevice',
  '',
].join('\r\n');

describe('Windows policy from HKLM\\SOFTWARE\\Policies\\Trayphone', () => {
  it('reg query output is parsed into the same policy the JSON file would give', () => {
    const load = loadRegistryPolicy({
      query: (key) => (key === POLICY_REGISTRY_KEY ? REG_OUTPUT : null),
    });
    expect(load).toEqual({
      policy: {
        serverUrl: 'https://phone.example.com',
        allowInsecureServer: false,
        clickToCall: true,
        autoUpdate: { enabled: false },
        defaults: { ringtone: 'chime', favourites: ['alice', 'bob'] },
        enforced: {
          launchAtLogin: true,
          hotkeys: {
            answer: 'CommandOrControl+Shift+A',
            decline: '',
            hangup: 'CommandOrControl+Shift+H',
            mute: 'CommandOrControl+Shift+M',
          },
        },
        locked: ['callWaiting', 'ringingDevice'],
      },
    });
  });

  it('no key: no policy; an unknown value name or a bad value refuses the policy whole', () => {
    expect(loadRegistryPolicy({ query: () => null })).toEqual({ policy: null });
    const unknown = REG_OUTPUT.replace('    ringtone    REG_SZ', '    ringtonne    REG_SZ');
    expect(loadRegistryPolicy({ query: () => unknown }).error).toMatch(/does not match the schema/);
    const insecure = REG_OUTPUT.replace('https://phone', 'http://phone');
    expect(loadRegistryPolicy({ query: () => insecure }).error).toMatch(/refused/);
    const notBoolean = REG_OUTPUT.replace(
      'launchAtLogin    REG_DWORD    0x1',
      'launchAtLogin    REG_DWORD    0x2',
    );
    expect(loadRegistryPolicy({ query: () => notBoolean }).policy).toBeNull();
  });

  it('the parser is strict: stray lines and keys outside the root are errors, never skipped', () => {
    expect(() => parseRegQuery(`${REG_OUTPUT}ERROR: something\r\n`, POLICY_REGISTRY_KEY)).toThrow(
      /line/,
    );
    expect(() =>
      parseRegQuery(
        'HKEY_LOCAL_MACHINE\\SOFTWARE\\Other\r\n    a    REG_SZ    b\r\n',
        POLICY_REGISTRY_KEY,
      ),
    ).toThrow(/outside/);
    expect(() => parseRegQuery('    a    REG_SZ    b\r\n', POLICY_REGISTRY_KEY)).toThrow(
      /not a registry value/,
    );
    expect(() =>
      parseRegQuery(`${REG_OUTPUT}    x    REG_DWORD    12\r\n`, POLICY_REGISTRY_KEY),
    ).toThrow(/bad REG_DWORD/);
    const load = loadRegistryPolicy({ query: () => 'garbage' });
    expect(load.policy).toBeNull();
    expect(load.error).toMatch(/cannot be parsed/);
  });

  it('a reg.exe failure other than "no such key" is reported', () => {
    const load = loadRegistryPolicy({
      query: () => {
        throw new Error('Access is denied.');
      },
    });
    expect(load).toEqual({
      policy: null,
      error: `${POLICY_REGISTRY_KEY}: cannot be read (Access is denied.)`,
    });
  });
});
