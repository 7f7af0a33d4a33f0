import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../settings/policy.js';
import { installScope, resolveUpdateConfig } from './update-config.js';

const FEED = 'https://updates.example.com/trayphone/';
const policy = (autoUpdate: unknown) => {
  const load = loadPolicy('/etc/trayphone/policy.json', () => JSON.stringify({ autoUpdate }));
  if (!load.policy) throw new Error(load.error);
  return load.policy;
};

describe('auto-update configuration', () => {
  it('per-machine installs are off unless the policy enables them; per-user need a feed', () => {
    const packaged = true;
    expect(resolveUpdateConfig({ policy: null, scope: 'per-user', packaged })).toEqual({
      enabled: false,
      reason: 'no-feed',
    });
    expect(
      resolveUpdateConfig({ policy: policy({ feedUrl: FEED }), scope: 'per-user', packaged }),
    ).toEqual({ enabled: true, feedUrl: FEED });
    expect(
      resolveUpdateConfig({ policy: policy({ feedUrl: FEED }), scope: 'per-machine', packaged }),
    ).toEqual({ enabled: false, reason: 'per-machine' });
    expect(
      resolveUpdateConfig({
        policy: policy({ feedUrl: FEED, enabled: true }),
        scope: 'per-machine',
        packaged,
      }),
    ).toEqual({ enabled: true, feedUrl: FEED });
    expect(
      resolveUpdateConfig({
        policy: policy({ feedUrl: FEED, enabled: false }),
        scope: 'per-user',
        packaged,
      }),
    ).toEqual({ enabled: false, reason: 'policy-off' });
    expect(
      resolveUpdateConfig({
        policy: policy({ feedUrl: FEED }),
        scope: 'per-user',
        packaged: false,
      }),
    ).toEqual({ enabled: false, reason: 'not-packaged' });
  });

  it('the feed must be https: http (even loopback) makes the policy refused whole', () => {
    for (const feedUrl of ['http://updates.example.com/', 'http://127.0.0.1:8080/', 'file:///x']) {
      const load = loadPolicy('/etc/trayphone/policy.json', () =>
        JSON.stringify({ autoUpdate: { feedUrl } }),
      );
      expect(load.policy).toBeNull();
      expect(load.error).toContain('autoUpdate.feedUrl');
    }
  });

  it('install scope: Program Files and package-manager installs are per-machine', () => {
    const env = {
      ProgramFiles: 'C:\\Program Files',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
    };
    expect(installScope('win32', 'C:\\Program Files\\Trayphone\\Trayphone.exe', env)).toBe(
      'per-machine',
    );
    expect(installScope('win32', 'c:\\program files (x86)\\Trayphone\\Trayphone.exe', env)).toBe(
      'per-machine',
    );
    expect(
      installScope(
        'win32',
        'C:\\Users\\ann\\AppData\\Local\\Programs\\Trayphone\\Trayphone.exe',
        env,
      ),
    ).toBe('per-user');
    // Not fooled by a sibling folder whose name starts the same.
    expect(installScope('win32', 'C:\\Program Files Evil\\Trayphone.exe', env)).toBe('per-user');
    expect(installScope('linux', '/opt/Trayphone/trayphone', {})).toBe('per-machine');
    expect(
      installScope('linux', '/tmp/.mount_Tray/trayphone', {
        APPIMAGE: '/home/ann/Trayphone.AppImage',
      }),
    ).toBe('per-user');
    expect(installScope('darwin', '/Applications/Trayphone.app/Contents/MacOS/Trayphone', {})).toBe(
      'per-user',
    );
  });
});
