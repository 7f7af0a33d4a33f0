import { SignJWT } from 'jose';
import type { BenchUser } from './messages.js';

export const benchUserId = (index: number): string => `bench-u${index}`;

/** Creates the users through the admin REST API, `concurrency` requests at a time. */
export async function createUsers(options: {
  httpUrl: string;
  adminKey: string;
  userIds: readonly string[];
  concurrency: number;
}): Promise<void> {
  const { httpUrl, adminKey, userIds } = options;
  let next = 0;
  const worker = async (): Promise<void> => {
    // Each worker takes the next index until none are left: bounded by userIds.length in all.
    while (next < userIds.length) {
      const userId = userIds[next++] ?? '';
      const res = await fetch(`${httpUrl}/admin/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId, displayName: `Bench ${userId}` }),
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`POST /admin/users ${userId}: ${res.status} ${body}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
}

/**
 * Access tokens exactly as server/tokens.ts issues and verifies them (HS256, issuer `trayphone`,
 * `typ: access`, `sub` = user id), signed here so thousands of sign-ins skip password hashing.
 */
export async function signAccessTokens(
  secret: string,
  userIds: readonly string[],
  ttlSec = 4 * 3600,
): Promise<BenchUser[]> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const nowSec = Math.floor(Date.now() / 1000);
  const out: BenchUser[] = [];
  const CHUNK = 1000;
  for (let start = 0; start < userIds.length; start += CHUNK) {
    const chunk = userIds.slice(start, start + CHUNK);
    const signed = await Promise.all(
      chunk.map(async (userId) => ({
        userId,
        token: await new SignJWT({ typ: 'access' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('trayphone')
          .setSubject(userId)
          .setJti(crypto.randomUUID())
          .setIssuedAt(nowSec)
          .setExpirationTime(nowSec + ttlSec)
          .sign(key),
      })),
    );
    out.push(...signed);
  }
  return out;
}
