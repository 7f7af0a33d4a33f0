import type { ZodType } from 'zod';

/**
 * Where the softphone keeps what must outlive a restart: the session (account and refresh token),
 * the unread missed-call count, the device id and the settings. Values are strings (JSON).
 *
 * - Browser: `localStorage` (see `localStorageStore` in browser.ts).
 * - Electron main: electron-store; pass a second store encrypting with `safeStorage` as
 *   `secretStore` so the refresh token never sits on disk in clear text.
 *
 * Sync and async implementations both fit: the softphone awaits every call.
 */
export interface KeyValueStore {
  get(key: string): string | undefined | Promise<string | undefined>;
  set(key: string, value: string): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/** Keys the softphone writes (prefixed, so a shared store such as localStorage stays tidy). */
export const STORE_KEYS = {
  session: 'trayphone.session',
  refreshToken: 'trayphone.refreshToken',
  deviceId: 'trayphone.deviceId',
  settings: 'trayphone.settings',
  missedUnread: (userId: string) => `trayphone.missedUnread.${userId}`,
} as const;

/** An in-memory store: tests, and a fallback where nothing persists (private browsing). */
export class MemoryStore implements KeyValueStore {
  private readonly values = new Map<string, string>();

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  set(key: string, value: string): void {
    this.values.set(key, value);
  }

  delete(key: string): void {
    this.values.delete(key);
  }
}

/**
 * Reads a JSON value and checks it against its schema. What is missing, unreadable or from an
 * older version reads as `undefined`: persisted state is untrusted input like any other.
 */
export async function readJson<T>(
  store: KeyValueStore,
  key: string,
  schema: ZodType<T>,
): Promise<T | undefined> {
  let text: string | undefined;
  try {
    text = await store.get(key);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeJson(store: KeyValueStore, key: string, value: unknown): Promise<void> {
  await store.set(key, JSON.stringify(value));
}
