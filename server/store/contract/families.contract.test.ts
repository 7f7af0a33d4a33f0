import { expect, it } from 'vitest';
import type { IssuedClaims } from '../../tokens.js';
import { describeStoreContract } from './backends.js';

const claims = (tokenId: string): IssuedClaims => ({
  tokenId,
  issuedAtSec: 1_700_000_000,
  expiresAtSec: 4_000_000_000,
});
const GRACE_MS = 60_000;

describeStoreContract('sign-in families', (backend) => {
  it('rotates; the replaced token within the grace is a retry that returns the current one', async () => {
    const { families } = await (await backend.place()).open();
    await families.start({ familyId: 'f1', userId: 'alice', token: claims('t1') });
    expect(await families.rotate('f1', 'alice', 't1', claims('t2'), GRACE_MS)).toEqual({
      outcome: 'rotated',
    });
    expect(await families.rotate('f1', 'alice', 't1', claims('t9'), GRACE_MS)).toEqual({
      outcome: 'retried',
      current: claims('t2'),
    });
    expect(await families.rotate('f1', 'alice', 't2', claims('t3'), GRACE_MS)).toEqual({
      outcome: 'rotated',
    });
    expect(await families.revokedAmong(['f1'])).toEqual(new Set());
  });

  it('revokes the whole family when a replaced token comes back after the grace', async () => {
    const { families } = await (await backend.place()).open();
    await families.start({ familyId: 'f1', userId: 'alice', token: claims('t1') });
    await families.rotate('f1', 'alice', 't1', claims('t2'), GRACE_MS);
    expect(await families.rotate('f1', 'alice', 't1', claims('t3'), 0)).toEqual({
      outcome: 'reused',
    });
    // The thief and the owner both sign in again: the current token is refused too.
    expect(await families.rotate('f1', 'alice', 't2', claims('t3'), GRACE_MS)).toEqual({
      outcome: 'revoked',
      reason: 'token-reused',
    });
    expect(await families.revokedAmong(['f1'])).toEqual(new Set(['f1']));
  });

  it('revokes a token older than the replaced one at once, grace or not', async () => {
    const { families } = await (await backend.place()).open();
    await families.start({ familyId: 'f1', userId: 'alice', token: claims('t1') });
    await families.rotate('f1', 'alice', 't1', claims('t2'), GRACE_MS);
    await families.rotate('f1', 'alice', 't2', claims('t3'), GRACE_MS);
    expect(await families.rotate('f1', 'alice', 't1', claims('t4'), GRACE_MS)).toEqual({
      outcome: 'reused',
    });
  });

  it('lets one of two simultaneous exchanges rotate; the other is a retry', async () => {
    const { families } = await (await backend.place()).open();
    await families.start({ familyId: 'f1', userId: 'alice', token: claims('t1') });
    const outcomes = await Promise.all([
      families.rotate('f1', 'alice', 't1', claims('a'), GRACE_MS),
      families.rotate('f1', 'alice', 't1', claims('b'), GRACE_MS),
    ]);
    const kinds = outcomes.map((o) => o.outcome).sort();
    expect(kinds).toEqual(['retried', 'rotated']);
    const retried = outcomes.find((o) => o.outcome === 'retried');
    const winner = outcomes[0].outcome === 'rotated' ? 'a' : 'b';
    expect(retried).toEqual({ outcome: 'retried', current: claims(winner) });
  });

  it('knows unknown families and other users as unknown, and keeps a started id', async () => {
    const { families } = await (await backend.place()).open();
    await families.start({ familyId: 'f1', userId: 'alice', token: claims('t1') });
    await families.start({ familyId: 'f1', userId: 'mallory', token: claims('m1') });
    expect(await families.rotate('f1', 'mallory', 'm1', claims('m2'), GRACE_MS)).toEqual({
      outcome: 'unknown',
    });
    expect(await families.rotate('nope', 'alice', 't1', claims('t2'), GRACE_MS)).toEqual({
      outcome: 'unknown',
    });
    expect(await families.rotate('f1', 'alice', 't1', claims('t2'), GRACE_MS)).toEqual({
      outcome: 'rotated',
    });
    expect(await families.revokedAmong(['f1', 'nope'])).toEqual(new Set(['nope']));
    expect(await families.revokedAmong([])).toEqual(new Set());
  });

  it('revokes one family (once) or all of a user, durably', async () => {
    const place = await backend.place();
    const first = await place.open();
    for (const [familyId, userId] of [
      ['f1', 'alice'],
      ['f2', 'alice'],
      ['f3', 'alice'],
      ['f4', 'bob'],
    ] as const) {
      await first.families.start({ familyId, userId, token: claims(`${familyId}-t`) });
    }
    expect(await first.families.revoke('f1', 'bob', 'signed-out')).toBe(false);
    expect(await first.families.revoke('f1', 'alice', 'signed-out')).toBe(true);
    expect(await first.families.revoke('f1', 'alice', 'signed-out')).toBe(false);
    expect(await first.families.revokeAllOf('alice', 'signed-out-everywhere')).toBe(2);
    await first.close();
    const second = await place.open();
    expect(await second.families.revokedAmong(['f1', 'f2', 'f3', 'f4'])).toEqual(
      new Set(['f1', 'f2', 'f3']),
    );
    expect(await second.families.rotate('f1', 'alice', 'f1-t', claims('x'), GRACE_MS)).toEqual({
      outcome: 'revoked',
      reason: 'signed-out',
    });
    expect(await second.families.rotate('f2', 'alice', 'f2-t', claims('x'), GRACE_MS)).toEqual({
      outcome: 'revoked',
      reason: 'signed-out-everywhere',
    });
  });
});
