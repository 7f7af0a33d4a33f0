import { expect, it } from 'vitest';
import { UnknownUserError } from '../sqlite/users.js';
import { UserExistsError } from '../types.js';
import { describeStoreContract } from './backends.js';

describeStoreContract('users, settings and blocks', (backend) => {
  it('creates, reads, refuses duplicates, gets many and lists page by page', async () => {
    const { users } = await (await backend.place()).open();
    const before = Date.now();
    const alice = await users.create({ userId: 'alice', displayName: 'Alice', password: 'pw' });
    expect(alice).toMatchObject({ userId: 'alice', disabled: false, hasPassword: true });
    expect(alice.createdAt).toBeGreaterThanOrEqual(before);
    expect(await users.get('alice')).toEqual(alice);
    expect(await users.get('nobody')).toBeUndefined();
    await expect(users.create({ userId: 'alice', displayName: 'Other' })).rejects.toBeInstanceOf(
      UserExistsError,
    );
    for (const id of ['eve', 'bob', 'dan', 'carol', 'Zed']) {
      await users.create({ userId: id, displayName: id.toUpperCase() });
    }
    expect(await users.get('bob')).toMatchObject({ hasPassword: false });
    const many = await users.getMany(['bob', 'ghost', 'alice', 'bob']);
    expect([...many.keys()].sort()).toEqual(['alice', 'bob']);
    expect((await users.getMany([])).size).toBe(0);
    // Bytewise order, as SQLite's: upper case before lower case.
    expect((await users.list({ limit: 3 })).map((u) => u.userId)).toEqual(['Zed', 'alice', 'bob']);
    expect((await users.list({ after: 'bob', limit: 2 })).map((u) => u.userId)).toEqual([
      'carol',
      'dan',
    ]);
    expect(await users.list({ after: 'eve' })).toEqual([]);
    expect(await users.list({ limit: 0 })).toEqual([]);
  });

  it('searches: exact id first, then prefixes, then the rest, each by display name', async () => {
    const { users } = await (await backend.place()).open();
    const people: [string, string][] = [
      ['ann', 'Zoe Ann'],
      ['bob', 'annette B'],
      ['carl', 'Carl Anders'],
      ['annika', 'Annika'],
      ['dora', 'Dora'],
      ['off', 'Ann Off'],
      ['pct', '100% Ann_x'],
    ];
    for (const [userId, displayName] of people) await users.create({ userId, displayName });
    await users.setDisabled('off', true);
    const found = (await users.search('ANN', 10)).map((u) => u.userId);
    // 'Carl Anders' has no "ann"; 'annette B' sorts before 'Annika' (case-insensitively).
    expect(found).toEqual(['ann', 'bob', 'annika', 'pct']);
    expect((await users.search('ann', 2)).map((u) => u.userId)).toEqual(['ann', 'bob']);
    // LIKE wildcards in a query are literal characters.
    expect((await users.search('0%', 10)).map((u) => u.userId)).toEqual(['pct']);
    expect((await users.search('n_x', 10)).map((u) => u.userId)).toEqual(['pct']);
    expect((await users.search('', 100)).map((u) => u.userId)).toHaveLength(6);
  });

  it('verifies passwords; a change or disabling revokes every sign-in of the user', async () => {
    const { users, families } = await (await backend.place()).open();
    await users.create({ userId: 'alice', displayName: 'Alice', password: 's3cret' });
    expect(await users.verifyPassword('alice', 's3cret')).toBe(true);
    expect(await users.verifyPassword('alice', 'S3cret')).toBe(false);
    expect(await users.verifyPassword('ghost', 's3cret')).toBe(false);
    const token = (id: string) => ({ tokenId: id, issuedAtSec: 1, expiresAtSec: 4_000_000_000 });
    await families.start({ familyId: 'f1', userId: 'alice', token: token('t1') });
    await families.start({ familyId: 'f2', userId: 'alice', token: token('t2') });
    await users.setPassword('alice', 'new one');
    expect(await users.verifyPassword('alice', 'new one')).toBe(true);
    expect(await users.verifyPassword('alice', 's3cret')).toBe(false);
    expect(await families.rotate('f1', 'alice', 't1', token('t3'), 0)).toEqual({
      outcome: 'revoked',
      reason: 'password-changed',
    });
    await families.start({ familyId: 'f3', userId: 'alice', token: token('t4') });
    await users.setDisabled('alice', true);
    expect(await users.get('alice')).toMatchObject({ disabled: true });
    expect(await families.rotate('f3', 'alice', 't4', token('t5'), 0)).toEqual({
      outcome: 'revoked',
      reason: 'account-disabled',
    });
    await users.setDisabled('alice', false);
    expect(await users.get('alice')).toMatchObject({ disabled: false });
    expect(await families.revokedAmong(['f3'])).toEqual(new Set(['f3']));
    await expect(users.setDisabled('ghost', true)).rejects.toBeInstanceOf(UnknownUserError);
    await expect(users.setPassword('ghost', 'pw')).rejects.toBeInstanceOf(UnknownUserError);
  });

  it('reads default settings, applies partial updates, keeps them across a reopen', async () => {
    const place = await backend.place();
    const first = await place.open();
    expect(await first.users.getSettings('ghost')).toEqual({
      callWaiting: false,
      status: 'available',
    });
    expect(await first.users.updateSettings('alice', { callWaiting: true })).toEqual({
      callWaiting: true,
      status: 'available',
    });
    expect(await first.users.updateSettings('alice', { status: 'dnd' })).toEqual({
      callWaiting: true,
      status: 'dnd',
    });
    await first.close();
    const second = await place.open();
    expect(await second.users.getSettings('alice')).toEqual({ callWaiting: true, status: 'dnd' });
  });

  it('blocks and unblocks; callee facts tell all an invitation needs at once', async () => {
    const { users } = await (await backend.place()).open();
    await users.create({ userId: 'alice', displayName: 'Alice' });
    await users.create({ userId: 'bob', displayName: 'Bob' });
    await users.create({ userId: 'carol', displayName: 'Carol' });
    await users.block('bob', 'alice');
    await users.block('bob', 'alice');
    await users.block('bob', 'zed');
    expect(await users.getBlocked('bob')).toEqual(['alice', 'zed']);
    expect(await users.isBlocked('alice', 'bob')).toBe(true);
    expect(await users.isBlocked('bob', 'alice')).toBe(false);
    await users.updateSettings('carol', { status: 'busy', callWaiting: true });
    await users.setDisabled('carol', true);
    const facts = await users.calleeFacts('alice', ['bob', 'carol', 'ghost']);
    expect(Object.fromEntries(facts)).toEqual({
      bob: { disabled: false, callWaiting: false, status: 'available', blockedCaller: true },
      carol: { disabled: true, callWaiting: true, status: 'busy', blockedCaller: false },
    });
    await users.unblock('bob', 'alice');
    expect(await users.getBlocked('bob')).toEqual(['zed']);
    expect((await users.calleeFacts('alice', ['bob'])).get('bob')?.blockedCaller).toBe(false);
  });

  it('keeps one push token per device; a token moving elsewhere leaves its old place', async () => {
    const { pushTokens } = await (await backend.place()).open();
    await pushTokens.register({ userId: 'bob', deviceId: 'd1', platform: 'fcm', token: 'tok-1' });
    await pushTokens.register({
      userId: 'bob',
      deviceId: 'd2',
      platform: 'vendor',
      token: 'tok-2',
    });
    await pushTokens.register({ userId: 'bob', deviceId: 'd1', platform: 'fcm', token: 'tok-3' });
    await pushTokens.register({ userId: 'carl', deviceId: 'dx', platform: 'fcm', token: 'tok-2' });
    const bobs = await pushTokens.listForUser('bob');
    expect(bobs.map((r) => [r.deviceId, r.token])).toEqual([['d1', 'tok-3']]);
    expect(await pushTokens.listForUser('carl')).toMatchObject([
      { deviceId: 'dx', token: 'tok-2' },
    ]);
    await pushTokens.unregister('bob', 'd1');
    expect(await pushTokens.listForUser('bob')).toEqual([]);
  });
});
