import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The Electron binary, if this machine has one: the `electron` package resolves to its path, or
 * throws when it was installed without the download (as here: no network for it).
 */
export function electronBinary(): string | undefined {
  if (process.env.TRAYPHONE_ELECTRON && existsSync(process.env.TRAYPHONE_ELECTRON)) {
    return process.env.TRAYPHONE_ELECTRON;
  }
  try {
    const resolved = createRequire(import.meta.url)('electron') as unknown;
    return typeof resolved === 'string' && existsSync(resolved) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

export function electronMissingReason(): string | undefined {
  return electronBinary()
    ? undefined
    : 'no Electron binary installed (node_modules/electron has no dist/, and TRAYPHONE_ELECTRON is not set)';
}
