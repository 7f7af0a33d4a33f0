/**
 * Runs synchronous SQLite work behind an async interface. A thrown error becomes a rejected
 * promise, as callers of a Promise-returning method expect, rather than a synchronous throw.
 */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
