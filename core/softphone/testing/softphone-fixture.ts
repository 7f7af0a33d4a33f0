/**
 * Test support for the softphone suites (never imported by product code): a Softphone over
 * real `fetch` and real `ws` sockets, with in-memory storage, recording what it emits.
 */
import WebSocket from 'ws';
import {
  type SoftphoneSnapshot,
  softphoneEvents,
  softphoneSnapshotSchema,
} from '../../../protocol/index.js';
import { MemoryStore } from '../persistence.js';
import { Softphone } from '../softphone.js';
import type { SoftphoneOptions } from '../types.js';

export interface TestPhone {
  sp: Softphone;
  store: MemoryStore;
  snapshots: SoftphoneSnapshot[];
  errors: { code: string; message: string; callId?: string }[];
  /** The last snapshot emitted (or the initial one). */
  last(): SoftphoneSnapshot;
  /** Waits until the latest snapshot satisfies `check`. */
  until(check: (s: SoftphoneSnapshot) => boolean, what?: string): Promise<SoftphoneSnapshot>;
}

const phones: TestPhone[] = [];
/** What a phone emitted that the IPC relay would refuse (checked in closePhones). */
const invalid: string[] = [];

export function testPhone(
  options: Partial<SoftphoneOptions> & { deviceId?: string } = {},
): TestPhone {
  const store = (options.store as MemoryStore | undefined) ?? new MemoryStore();
  const { deviceId, ...rest } = options;
  const sp = new Softphone({
    shell: 'browser',
    fetch: (url, init) => fetch(url, init),
    createSocket: (url) => new WebSocket(url),
    device: { name: 'test desk', platform: 'linux', ...(deviceId ? { id: deviceId } : {}) },
    backoff: { baseMs: 50, maxMs: 300 },
    requestTimeoutMs: 5_000,
    httpTimeoutMs: 5_000,
    signInTimeoutMs: 5_000,
    ...rest,
    store,
  });
  const phone: TestPhone = {
    sp,
    store,
    snapshots: [],
    errors: [],
    last: () => phone.snapshots.at(-1) ?? initial,
    until: (check, what = 'snapshot condition') =>
      until(() => check(phone.last()), what).then(() => phone.last()),
  };
  const initial: SoftphoneSnapshot = {
    connection: 'signed-out',
    account: null,
    status: 'available',
    calls: [],
    missedUnread: 0,
    presence: [],
    dialRequest: null,
  };
  sp.on('snapshot', (s) => {
    const parsed = softphoneSnapshotSchema.safeParse(s);
    if (!parsed.success) invalid.push(`snapshot: ${parsed.error.message}`);
    phone.snapshots.push(s);
  });
  sp.on('error', (e) => {
    if (!softphoneEvents.error.safeParse(e).success)
      invalid.push(`error event: ${JSON.stringify(e)}`);
    phone.errors.push(e);
  });
  phones.push(phone);
  return phone;
}

/** Closes every phone made since the last call (afterEach). */
export async function closePhones(): Promise<void> {
  await Promise.all(phones.splice(0).map((p) => p.sp.close()));
  const problems = invalid.splice(0);
  if (problems.length > 0)
    throw new Error(`emitted what the contract refuses:\n${problems.join('\n')}`);
}

/** Polls `check` (generous timeout: these suites run real servers on a small machine). */
export async function until(check: () => boolean, what = 'condition', timeoutMs = 10_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejected(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

export const password = (userId: string): string => `password-${userId}`;
