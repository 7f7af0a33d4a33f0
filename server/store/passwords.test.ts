import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from './passwords.js';
import { TEST_SCRYPT_COST } from './test-support.js';

describe('hashPassword', () => {
  it('encodes scrypt with N=16384 r=8 p=1, a 16-byte salt and a 64-byte key by default', async () => {
    const encoded = await hashPassword('correct horse');
    const [scheme, n, r, p, salt, hash] = encoded.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(hash ?? '', 'base64')).toHaveLength(64);
  });

  it('salts every hash', async () => {
    const a = await hashPassword('same', TEST_SCRYPT_COST);
    const b = await hashPassword('same', TEST_SCRYPT_COST);
    expect(a).not.toBe(b);
  });

  it('refuses a cost scrypt cannot use', async () => {
    await expect(hashPassword('x', { N: 1000, r: 8, p: 1 })).rejects.toThrow(/invalid scrypt/);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const encoded = await hashPassword('correct horse', TEST_SCRYPT_COST);
    expect(await verifyPassword('correct horse', encoded)).toBe(true);
    expect(await verifyPassword('correct horsf', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('checks each hash with the cost it was made with', async () => {
    const encoded = await hashPassword('pw', { N: 2048, r: 4, p: 2 });
    expect(await verifyPassword('pw', encoded, TEST_SCRYPT_COST)).toBe(true);
  });

  it('refuses a missing or malformed hash', async () => {
    expect(await verifyPassword('pw', undefined, TEST_SCRYPT_COST)).toBe(false);
    for (const bad of ['', 'plain', 'scrypt$16384$8$1$$', 'scrypt$3$8$1$AAAA$AAAA', 'bcrypt$x']) {
      expect(await verifyPassword('pw', bad, TEST_SCRYPT_COST)).toBe(false);
    }
    // A cost far beyond the allowed bounds must not be attempted at all.
    expect(await verifyPassword('pw', 'scrypt$1073741824$8$1$AAAA$AAAA')).toBe(false);
  });

  it('spends a full hash on a missing account, so timing does not reveal it', async () => {
    const encoded = await hashPassword('pw', DEFAULT_SCRYPT_COST);
    const time = async (hash: string | undefined): Promise<number> => {
      const samples: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const start = performance.now();
        await verifyPassword('wrong', hash);
        samples.push(performance.now() - start);
      }
      return Math.min(...samples);
    };
    const existing = await time(encoded);
    const missing = await time(undefined);
    // Without the dummy hash `missing` would be a few microseconds against milliseconds.
    expect(missing).toBeGreaterThan(existing * 0.25);
  });
});
