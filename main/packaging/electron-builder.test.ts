import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder.yml is loaded and validated with electron-builder's own loader and schema
 * (offline; no packaging happens here), and the choices that matter are pinned.
 */
const root = path.resolve(import.meta.dirname, '../..');
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
    const schemes = [config.protocols ?? []].flat().flatMap((p) => p.schemes);
    expect(schemes).toEqual(expect.arrayContaining(['trayphone', 'tel', 'sip']));
    expect(config.icon).toBe('resources/icons/icon-512.png');
  });

  it('a misspelt option is caught by the same validation', async () => {
    const config = await getConfig(root, null, null);
    const broken = { ...config, nsis: { ...config.nsis, perMachin: true } };
    await expect(validateConfiguration(broken as never, debug as never)).rejects.toThrow(
      /Invalid configuration object/,
    );
  });
});
