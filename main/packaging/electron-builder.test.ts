import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder.yml is loaded and validated with electron-builder's own loader and schema
 * (offline; no packaging happens here), and the choices that matter are pinned.
 */
const root = path.resolve(import.meta.dirname, '../..');
/** electron-builder's own default deb/rpm dependencies (FpmTarget, not part of its typings). */
const fpmTarget = createRequire(import.meta.url)('app-builder-lib/out/targets/FpmTarget.js') as {
  default: { prototype: { getDefaultDepends(target: string): string[] } };
};
const debug = { isEnabled: false, add: () => undefined, addValue: () => undefined };

describe('electron-builder.yml', () => {
  it('loads and passes electron-builder’s schema', async () => {
    const config = await getConfig(root, null, null);
    await expect(validateConfiguration(config, debug as never)).resolves.toBeUndefined();
  });

  it('targets deb, rpm, AppImage, NSIS (per-user or per-machine), MSI (per-machine) and DMG', async () => {
    const config = await getConfig(root, null, null);
    expect(config.appId).toBe('app.trayphone.desktop');
    expect(config.productName).toBe('Trayphone');
    expect(config.linux?.target).toEqual(['deb', 'rpm', 'AppImage']);
    expect(config.win?.target).toEqual(['nsis', 'msi']);
    expect(config.mac?.target).toEqual(['dmg']);
    // Assisted NSIS with the install-mode page: the user picks per-user or per-machine.
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    expect(config.msi).toMatchObject({ perMachine: true });
    expect(config.icon).toBe('resources/icons/icon-512.png');
  });

  it('publish is a generic feed, so app-update.yml (cache dir, publisher name) ships for the updater', async () => {
    const config = await getConfig(root, null, null);
    expect([config.publish].flat()).toEqual([
      { provider: 'generic', url: 'https://updates.invalid/trayphone/' },
    ]);
  });

  it('declares only trayphone: for every OS; tel:, sip:, callto: only in the macOS Info.plist', async () => {
    const config = await getConfig(root, null, null);
    const schemes = (p: typeof config.protocols) =>
      [p ?? []].flat().flatMap((protocol) => protocol.schemes);
    // Linux reads these into the .desktop file's MimeType: a claim the user never opted into.
    expect(schemes(config.protocols)).toEqual(['trayphone']);
    expect(schemes(config.linux?.protocols)).toEqual([]);
    // macOS can make the app the default handler (after the opt-in) only for declared schemes.
    expect(schemes(config.mac?.protocols).sort()).toEqual(
      ['callto', 'sip', 'sips', 'tel', 'trayphone'].sort(),
    );
  });

  it('flips the fuses that keep Node and foreign code out of the signed app', async () => {
    const config = await getConfig(root, null, null);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('deb and rpm depends keep every electron-builder default and add ours', async () => {
    const config = await getConfig(root, null, null);
    // `depends` replaces the defaults: they must all be listed (read from electron-builder itself).
    const defaults = (target: string) => fpmTarget.default.prototype.getDefaultDepends(target);
    expect(defaults('deb').length).toBeGreaterThan(5);
    expect(config.deb?.depends).toEqual(expect.arrayContaining(defaults('deb')));
    expect(config.deb?.depends).toEqual(
      expect.arrayContaining(['libsecret-1-0', 'libappindicator3-1 | libayatana-appindicator3-1']),
    );
    expect(config.rpm?.depends).toEqual(expect.arrayContaining(defaults('rpm')));
    expect(config.rpm?.depends).toEqual(expect.arrayContaining(['libsecret']));
  });

  it('packs no node_modules and ships the uninstall scripts it names', async () => {
    const config = await getConfig(root, null, null);
    expect(config.beforeBuild).toBe('build/before-build.cjs');
    // getConfig normalises `files` into one file set: { filter: [...] }.
    const files = [config.files ?? []]
      .flat()
      .flatMap((set) => (typeof set === 'string' ? [set] : [set.filter ?? []].flat()));
    expect(files).toEqual(expect.arrayContaining(['out/**', '!**/node_modules/**']));
    // No helper binaries next to the app (toasts are Electron's, main/README.md "Notifications").
    expect(config.win?.extraResources).toEqual([]);
    for (const script of [
      config.deb?.afterRemove,
      config.rpm?.afterRemove,
      config.nsis?.include,
      config.beforeBuild,
    ]) {
      expect(typeof script === 'string' && existsSync(path.join(root, script))).toBe(true);
    }
    const nsh = readFileSync(path.join(root, 'build/windows/installer.nsh'), 'utf8');
    expect(nsh).toMatch(/!macro customUnInstall\b/);
    for (const scheme of ['tel', 'sip', 'sips', 'callto', 'trayphone']) {
      expect(nsh).toContain(`trayphoneRemoveScheme "${scheme}"`);
    }
  });

  it('a misspelt option is caught by the same validation', async () => {
    const config = await getConfig(root, null, null);
    const broken = { ...config, nsis: { ...config.nsis, perMachin: true } };
    await expect(validateConfiguration(broken as never, debug as never)).rejects.toThrow(
      /Invalid configuration object/,
    );
  });
});
