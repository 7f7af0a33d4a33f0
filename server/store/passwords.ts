import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes: scrypt, encoded as `scrypt$N$r$p$saltB64$hashB64` so that the cost can be
 * raised later without invalidating stored hashes (each hash is checked with its own cost).
 */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_COST: Readonly<ScryptCost> = { N: 16384, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 64;
/** Bounds on costs read back from storage, so a corrupt hash cannot make us allocate gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  hash: Buffer;
}

export async function hashPassword(
  password: string,
  cost: Readonly<ScryptCost> = DEFAULT_SCRYPT_COST,
): Promise<string> {
  assertValidCost(cost);
  const salt = randomBytes(SALT_BYTES);
  const hash = await deriveKey(password, salt, cost, KEY_BYTES);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join(
    '$',
  );
}

/**
 * True when `password` matches `encoded`. Without a usable hash (no such account, or an account
 * without a password) it still spends one scrypt at `dummyCost` before answering false, so the
 * response time does not tell which user ids exist.
 */
export async function verifyPassword(
  password: string,
  encoded: string | undefined,
  dummyCost: Readonly<ScryptCost> = DEFAULT_SCRYPT_COST,
): Promise<boolean> {
  const parsed = encoded === undefined ? undefined : parseHash(encoded);
  if (parsed === undefined) {
    await deriveKey(password, randomBytes(SALT_BYTES), dummyCost, KEY_BYTES);
    return false;
  }
  const candidate = await deriveKey(password, parsed.salt, parsed.cost, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

function parseHash(encoded: string): ParsedHash | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, n, r, p, salt, hash] = parts;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (!isValidCost(cost) || salt === undefined || hash === undefined) return undefined;
  const parsed = { cost, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  if (parsed.salt.length === 0 || parsed.hash.length === 0) return undefined;
  return parsed;
}

function isValidCost({ N, r, p }: ScryptCost): boolean {
  const isPowerOfTwo = Number.isInteger(N) && N >= 2 && (N & (N - 1)) === 0;
  return (
    isPowerOfTwo &&
    N <= MAX_N &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= MAX_R &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= MAX_P
  );
}

function assertValidCost(cost: ScryptCost): void {
  if (!isValidCost(cost)) throw new Error(`invalid scrypt cost ${JSON.stringify(cost)}`);
}

function deriveKey(
  password: string,
  salt: Buffer,
  cost: ScryptCost,
  keyLength: number,
): Promise<Buffer> {
  // scrypt needs about 128 * N * r bytes; Node's default cap (32 MiB) is too low for large N.
  const maxmem = 256 * cost.N * cost.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { ...cost, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}
