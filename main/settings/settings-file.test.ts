import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { DesktopStore } from './desktop-store.js';
import { loadPolicy } from './policy.js';
import { DEFAULT_SETTINGS, type SettingsDocument } from './settings-document.js';
import { nodeSettingsFs, openSettingsStore, setAsideCorruptSettings } from './settings-file.js';
import { TokenVault } from './token-vault.js';

/** Real files in a temporary directory. */
const realFs = nodeSettingsFs;
const dirs: string[] = [];
function settingsFile(content?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-settings-'));
  dirs.push(dir);
  const file = path.join(dir, 'trayphone.json');
  if (content !== undefined) writeFileSync(file, content);
  return file;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const NOW = Date.UTC(2026, 11, 3, 17, 40, 46, 123);

/** electron-store's constructor, as far as this matters: it parses the file or throws. */
const strictStore = (file: string) => () => {
  const text = realFs.readText(file);
  const data: unknown = text === null ? {} : JSON.parse(text);
  return {
    read: () => data,
    write: (d: SettingsDocument) => {
      writeFileSync(file, JSON.stringify(d));
    },
  };
};

describe('a corrupt trayphone.json', () => {
  it.each([
    ['cut off mid-write', '{"schemaVersion": 2, "settings": {"ringt'],
    ['zeroed by a crash', '\u0000\u0000\u0000\u0000'],
    ['empty', ''],
    ['not an object', '[1, 2, 3]'],
  ])(
    '%s is moved aside to trayphone.json.corrupt-<time>, logged, and the app starts from defaults',
    (_what, content) => {
      const file = settingsFile(content);
      const log = memoryLog();
      const store = openSettingsStore(file, strictStore(file), realFs, log, () => NOW);
      const copy = `${file}.corrupt-2026-12-03T17-40-46-123Z`;
      expect(existsSync(file)).toBe(false);
      expect(readFileSync(copy, 'utf8')).toBe(content); // kept for support, byte for byte
      expect(
        log.lines.some((l) => l.level === 'error' && l.message.includes('starting from defaults')),
      ).toBe(true);

      const desktop = new DesktopStore(
        store,
        loadPolicy('/none', () => null),
        new TokenVault(
          {
            isEncryptionAvailable: () => false,
            encryptString: () => Buffer.alloc(0),
            decryptString: () => '',
          },
          log,
        ),
        log,
      );
      expect(desktop.defaultSettings()).toEqual(DEFAULT_SETTINGS);
      expect(desktop.settingsProvider.load()).toEqual({});
    },
  );

  it('a valid file (even with a BOM) and a missing one are left alone', () => {
    const log = memoryLog();
    const valid = settingsFile('\uFEFF{"schemaVersion": 2}');
    expect(setAsideCorruptSettings(valid, realFs, log, NOW)).toBeUndefined();
    expect(readdirSync(path.dirname(valid))).toEqual(['trayphone.json']);
    const missing = settingsFile();
    expect(setAsideCorruptSettings(missing, realFs, log, NOW)).toBeUndefined();
    expect(log.lines).toEqual([]);
  });

  it('a file the store still refuses (written between the check and the open) is moved aside once', () => {
    const file = settingsFile('{}');
    const log = memoryLog();
    let opens = 0;
    const store = openSettingsStore(
      file,
      () => {
        opens += 1;
        if (existsSync(file)) throw new SyntaxError('Unexpected end of JSON input');
        return 'opened';
      },
      realFs,
      log,
      () => NOW,
    );
    expect(store).toBe('opened');
    expect(opens).toBe(2);
    expect(existsSync(`${file}.corrupt-2026-12-03T17-40-46-123Z`)).toBe(true);
  });
});
