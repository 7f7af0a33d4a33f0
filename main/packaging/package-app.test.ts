import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as asar from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The desktop app really packs: electron-vite builds main, preload and renderer, then
 * `electron-builder --dir` packs them with a stand-in Electron (no download: a small file carrying
 * Electron's fuse sentinel and wire, so that electron-builder's fuse step runs on it for real).
 * The produced app.asar is opened and checked: its `main` exists, it holds the three outputs and
 * no server-only package. The copy of the project lives in a temporary directory with the real
 * node_modules linked in, so a config that let electron-builder collect dependencies would pack
 * them and fail here.
 */
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** @electron/fuses' sentinel, then wire version 1 and 8 fuses as Electron ships them. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
const ELECTRON_DEFAULT_WIRE = '10110100';

/** What must never be in the installer: the server's packages and build tools. */
const SERVER_ONLY = ['better-sqlite3', 'mediasoup', 'tsx', 'esbuild', 'pino', 'prom-client'];

/** The `electron` module as main imports it: anything it touches is a harmless stand-in. */
const ELECTRON_STAND_IN = `
const handler = {
  get: (target, key) => (key in target ? target[key] : stub()),
  apply: () => stub(),
  construct: () => stub(),
};
function stub(own = {}) { return new Proxy(Object.assign(function () {}, own), handler); }
export const app = stub({
  // The stand-in reports what the packed main called on stdout, one line each, for the test.
  requestSingleInstanceLock: () => { process.stdout.write('single-instance lock refused\\n'); return false; },
  quit: () => process.stdout.write('quit\\n'),
  isPackaged: true,
  getAppPath: () => process.cwd(),
  getPath: () => process.cwd(),
  getName: () => 'Trayphone',
  getVersion: () => '0.0.0',
  whenReady: () => new Promise(() => undefined),
});
export const BrowserWindow = stub(), Menu = stub(), Notification = stub(), Tray = stub(),
  globalShortcut = stub(), ipcMain = stub(), nativeImage = stub(), net = stub(),
  protocol = stub(), safeStorage = stub(), screen = stub(), session = stub(), shell = stub(),
  dialog = stub(), powerMonitor = stub(), crashReporter = stub(), webContents = stub(),
  desktopCapturer = stub(), nativeTheme = stub(), systemPreferences = stub(), autoUpdater = stub();
export default { app, BrowserWindow, Menu, Notification, Tray, globalShortcut, ipcMain,
  nativeImage, net, protocol, safeStorage, screen, session, shell, dialog, powerMonitor,
  crashReporter, webContents, desktopCapturer, nativeTheme, systemPreferences, autoUpdater };
`;

let work: string;
let appOutDir: string;
let files: string[];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'trayphone-pack-'));
  const project = path.join(work, 'project');
  mkdirSync(project);
  for (const entry of ['package.json', 'electron-builder.yml', 'build', 'resources']) {
    cpSync(path.join(root, entry), path.join(project, entry), { recursive: true });
  }
  // The real dependencies next to the project, as in a checkout: only the config keeps them out.
  symlinkSync(path.join(root, 'node_modules'), path.join(project, 'node_modules'), 'dir');

  const env = {
    ...process.env,
    TRAYPHONE_DESKTOP_OUT: path.join(project, 'out'),
    ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    // Any download attempt goes to a closed port and fails the run instead of reaching out.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    https_proxy: 'http://127.0.0.1:9',
    http_proxy: 'http://127.0.0.1:9',
    NO_PROXY: '',
    no_proxy: '',
    CSC_IDENTITY_AUTO_DISCOVERY: 'false',
  };
  await run(
    process.execPath,
    [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    { cwd: root, env, timeout: 60_000 },
  );

  const dist = path.join(work, 'electron-dist');
  mkdirSync(dist);
  writeFileSync(
    path.join(dist, 'electron'),
    `#!/bin/sh\n# stand-in Electron\n${FUSE_SENTINEL}\u0001\u0008${ELECTRON_DEFAULT_WIRE}\n`,
    'latin1',
  );
  chmodSync(path.join(dist, 'electron'), 0o755);
  const electronVersion = z
    .object({ version: z.string() })
    .parse(
      JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')),
    ).version;
  await run(
    process.execPath,
    [
      path.join(root, 'node_modules/electron-builder/cli.js'),
      '--dir',
      '--linux',
      '--x64',
      '--projectDir',
      project,
      `-c.electronDist=${dist}`,
      `-c.electronVersion=${electronVersion}`,
      `-c.directories.output=${path.join(work, 'dist')}`,
    ],
    { cwd: project, env, timeout: 60_000 },
  );
  appOutDir = path.join(work, 'dist', 'linux-unpacked');
  files = asar
    .listPackage(path.join(appOutDir, 'resources', 'app.asar'), { isPack: false })
    .map((f) => f.replaceAll('\\', '/'));
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const readAsar = (file: string): string =>
  asar.extractFile(path.join(appOutDir, 'resources', 'app.asar'), file).toString('utf8');

describe('the packed desktop app (electron-builder --dir, stand-in Electron)', () => {
  it('has a package.json whose main exists inside app.asar', () => {
    const manifest = z
      .object({ main: z.string(), type: z.literal('module') })
      .parse(JSON.parse(readAsar('package.json')));
    expect(manifest.main).toBe('out/main/index.js');
    expect(files).toContain(`/${manifest.main}`);
  });

  it('holds main, preload and renderer output', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '/out/main/index.js',
        '/out/preload/index.cjs',
        '/out/renderer/index.html',
      ]),
    );
    expect(files.some((f) => /^\/out\/renderer\/assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
  });

  it('carries no node_modules and no server-only package, not even bundled into main', () => {
    expect(files.filter((f) => f.includes('node_modules'))).toEqual([]);
    const main = readAsar('out/main/index.js');
    const bundled = [...main.matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g)].map(
      (m) => m[1],
    );
    expect(bundled.length).toBeGreaterThan(0); // ws, electron-store, ... are in the bundle
    for (const name of SERVER_ONLY) expect(bundled).not.toContain(name);
    // Nothing is left to resolve at run time but Node's own modules and Electron.
    const imports = [...main.matchAll(/\bfrom "([^"]+)"|\brequire\("([^"]+)"\)/g)]
      .map((m) => m[1] ?? m[2] ?? '')
      // Not calls: strings in ajv's code generator, and log templates such as electron-updater's
      // `from "${blockmapFileUrls[0]}"`.
      .filter((spec) => !spec.startsWith('ajv') && !spec.includes('${'));
    const builtins = new Set(builtinModules);
    const external = imports.filter(
      (spec) => spec !== 'electron' && !spec.startsWith('node:') && !builtins.has(spec),
    );
    expect(external).toEqual([]);
  });

  it('its bundled main evaluates with nothing but Electron to import (a stand-in electron module)', async () => {
    // Every bundled package's top-level code runs; the stand-in refuses the single-instance lock,
    // so main quits right after, before any window.
    const smoke = path.join(work, 'smoke');
    mkdirSync(path.join(smoke, 'out/main'), { recursive: true });
    mkdirSync(path.join(smoke, 'node_modules/electron'), { recursive: true });
    writeFileSync(path.join(smoke, 'package.json'), readAsar('package.json'));
    writeFileSync(path.join(smoke, 'out/main/index.js'), readAsar('out/main/index.js'));
    writeFileSync(
      path.join(smoke, 'node_modules/electron/package.json'),
      '{"name":"electron","type":"module","main":"index.js"}',
    );
    writeFileSync(path.join(smoke, 'node_modules/electron/index.js'), ELECTRON_STAND_IN);
    const { stdout } = await run(process.execPath, [path.join(smoke, 'out/main/index.js')], {
      cwd: smoke,
      timeout: 20_000,
    });
    expect(stdout.trim().split('\n')).toEqual(['single-instance lock refused', 'quit']);
  });

  it('flipped the fuses in the binary it packed', () => {
    const binary = readFileSync(path.join(appOutDir, 'trayphone'), 'latin1');
    const at = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    const wire = binary.slice(at + 2, at + 2 + FUSE_NAMES.length);
    const fuses = Object.fromEntries(FUSE_NAMES.map((name, i) => [name, wire[i] === '1']));
    expect(fuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
