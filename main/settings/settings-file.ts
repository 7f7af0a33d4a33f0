import { readFileSync, renameSync } from 'node:fs';
import type { Log } from '../log/log.js';

/** The file system, as far as opening the settings file needs it. */
export interface SettingsFilePort {
  /** The file's text, or null when it does not exist. */
  readText(file: string): string | null;
  rename(from: string, to: string): void;
}

export const nodeSettingsFs: SettingsFilePort = {
  readText: (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  },
  rename: (from, to) => {
    renameSync(from, to);
  },
};

/** `trayphone.json.corrupt-2026-12-03T17-40-46-123Z`: sortable, and a valid file name everywhere. */
export const corruptCopyName = (file: string, now: number): string =>
  `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;

function unreadableReason(text: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  // electron-store wants an object at the top; anything else it would refuse too.
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? undefined
    : 'not a JSON object';
}

/**
 * Before electron-store opens `trayphone.json`: a file it could not parse (a crash mid-write, a
 * full disk, a hand edit) would make it throw, and the app exit at every start. Such a file is
 * moved aside (kept for support, never deleted) and logged; the app then starts from defaults,
 * and the migration salvages what it can of a file that parses. Returns the copy's path, if any.
 */
export function setAsideCorruptSettings(
  file: string,
  fs: SettingsFilePort,
  log: Log,
  now: number,
): string | undefined {
  let text: string | null;
  try {
    text = fs.readText(file);
  } catch (error) {
    log.error({ err: error, file }, 'settings file cannot be read; electron-store will try');
    return undefined;
  }
  if (text === null) return undefined;
  const reason = unreadableReason(text.replace(/^\uFEFF/, ''));
  if (reason === undefined) return undefined;
  const copy = corruptCopyName(file, now);
  try {
    fs.rename(file, copy);
  } catch (error) {
    log.error({ err: error, file }, `settings file is corrupt (${reason}) and cannot be moved`);
    throw error;
  }
  log.error(
    { file, movedTo: copy },
    `settings file was corrupt (${reason}): starting from defaults`,
  );
  return copy;
}

/**
 * Opens the store with `open` (electron-store's constructor); should it still throw on the file's
 * content (a race with another writer), the file is moved aside once and the store opened again.
 */
export function openSettingsStore<T>(
  file: string,
  open: () => T,
  fs: SettingsFilePort,
  log: Log,
  now: () => number,
): T {
  setAsideCorruptSettings(file, fs, log, now());
  try {
    return open();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const copy = corruptCopyName(file, now());
    fs.rename(file, copy);
    log.error(
      { err: error, file, movedTo: copy },
      'settings file refused by the store: moved aside',
    );
    return open();
  }
}
