import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenError, TokenService } from './tokens.js';

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const service = new TokenService(secret, { accessSec: 60, refreshSec: 600 });

describe('TokenService', () => {
  it('issues access tokens that verify as access and not as refresh', async () => {
    const { token, expiresAt } = await service.issue('alice', 'access');
    expect(expiresAt).toBeGreaterThan(Date.now() + 50_000);
    await expect(service.verify(token, 'access')).resolves.toMatchObject({ userId: 'alice' });
    await expect(service.verify(token, 'refresh')).rejects.toThrow(TokenError);
  });

  it('rejects a token signed with another secret', async () => {
    const other = new TokenService('another-secret-that-is-long-enough-987654', {
      accessSec: 60,
      refreshSec: 600,
    });
    const { token } = await other.issue('alice', 'access');
    await expect(service.verify(token, 'access')).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('says expired for an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    const token = await new SignJWT({ typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('trayphone')
      .setSubject('alice')
      .setIssuedAt(past - 60)
      .setExpirationTime(past)
      .sign(new TextEncoder().encode(secret));
    await expect(service.verify(token, 'access')).rejects.toMatchObject({ reason: 'expired' });
  });

  it('rejects garbage and a subject that is not a user id', async () => {
    await expect(service.verify('not.a.jwt', 'access')).rejects.toMatchObject({
      reason: 'invalid',
    });
    const token = await new SignJWT({ typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('trayphone')
      .setSubject('NOT A USER')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(secret));
    await expect(service.verify(token, 'access')).rejects.toMatchObject({ reason: 'invalid' });
  });
});
