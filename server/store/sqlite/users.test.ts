import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, TEST_SCRYPT_COST } from '../test-support.js';
import { UserExistsError } from '../types.js';
import type { SqliteDatabase } from './database.js';
import { openDatabase } from './database.js';
import { SqliteUserStore, UnknownUserError } from './users.js';
import { SqliteSignInFamilies } from './refresh-families.js';

let temp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let users: SqliteUserStore;

beforeEach(() => {
  temp = makeTempDir();
  db = openDatabase(temp.file);
  users = new SqliteUserStore(db, new SqliteSignInFamilies(db), { scryptCost: TEST_SCRYPT_COST });
});
afterEach(() => {
  db.close();
  temp.remove();
});

describe('accounts', () => {
  it('creates an account and reads it back', async () => {
    const before = Date.now();
    const created = await users.create({ userId: 'alice', displayName: 'Alice', password: 'pw' });
    expect(created).toMatchObject({ userId: 'alice', displayName: 'Alice', disabled: false });
    expect(created.hasPassword).toBe(true);
    expect(created.createdAt).toBeGreaterThanOrEqual(before);
    expect(await users.get('alice')).toEqual(created);
    expect(await users.get('nobody')).toBeUndefined();
  });

  it('creates an account without a password (token sign-in only)', async () => {
    await users.create({ userId: 'bob', displayName: 'Bob' });
    expect(await users.get('bob')).toMatchObject({ hasPassword: false });
  });

  it('refuses a duplicate user id with UserExistsError', async () => {
    await users.create({ userId: 'alice', displayName: 'Alice' });
    await expect(users.create({ userId: 'alice', displayName: 'Other' })).rejects.toBeInstanceOf(
      UserExistsError,
    );
    expect(await users.get('alice')).toMatchObject({ displayName: 'Alice' });
  });

  it('gets many at once and leaves unknown ids out', async () => {
    await users.create({ userId: 'alice', displayName: 'Alice' });
    await users.create({ userId: 'bob', displayName: 'Bob' });
    const found = await users.getMany(['bob', 'ghost', 'alice', 'bob']);
    expect([...found.keys()].sort()).toEqual(['alice', 'bob']);
    expect(found.get('bob')?.displayName).toBe('Bob');
    expect((await users.getMany([])).size).toBe(0);
  });

  it('lists in user id order, page by page', async () => {
    for (const id of ['eve', 'bob', 'dan', 'alice', 'carol']) {
      await users.create({ userId: id, displayName: id.toUpperCase() });
    }
    const first = await users.list({ limit: 2 });
    expect(first.map((u) => u.userId)).toEqual(['alice', 'bob']);
    const second = await users.list({ after: 'bob', limit: 2 });
    expect(second.map((u) => u.userId)).toEqual(['carol', 'dan']);
    const last = await users.list({ after: 'dan', limit: 2 });
    expect(last.map((u) => u.userId)).toEqual(['eve']);
    expect(await users.list({ after: 'eve' })).toEqual([]);
    expect(await users.list()).toHaveLength(5);
  });

  it('disables and re-enables an account', async () => {
    await users.create({ userId: 'alice', displayName: 'Alice' });
    await users.setDisabled('alice', true);
    expect(await users.get('alice')).toMatchObject({ disabled: true });
    await users.setDisabled('alice', false);
    expect(await users.get('alice')).toMatchObject({ disabled: false });
  });

  it('fails loudly when changing an account that does not exist', async () => {
    await expect(users.setDisabled('ghost', true)).rejects.toBeInstanceOf(UnknownUserError);
    await expect(users.setPassword('ghost', 'pw')).rejects.toBeInstanceOf(UnknownUserError);
  });
});

describe('passwords', () => {
  it('verifies the right password, refuses a wrong one and a missing user', async () => {
    await users.create({ userId: 'alice', displayName: 'Alice', password: 's3cret' });
    expect(await users.verifyPassword('alice', 's3cret')).toBe(true);
    expect(await users.verifyPassword('alice', 'S3cret')).toBe(false);
    expect(await users.verifyPassword('ghost', 's3cret')).toBe(false);
  });

  it('refuses any password for an account without one', async () => {
    await users.create({ userId: 'bob', displayName: 'Bob' });
    expect(await users.verifyPassword('bob', '')).toBe(false);
  });

  it('stores scrypt hashes, never the password', async () => {
    await users.create({ userId: 'alice', displayName: 'Alice', password: 's3cret' });
    const row = db.prepare<[], { password_hash: string }>('SELECT password_hash FROM users').get();
    expect(row?.password_hash).toMatch(/^scrypt\$1024\$8\$1\$[^$]+\$[^$]+$/);
    expect(row?.password_hash).not.toContain('s3cret');
  });

  it('changes a password', async () => {
    await users.create({ userId: 'bob', displayName: 'Bob' });
    await users.setPassword('bob', 'new one');
    expect(await users.verifyPassword('bob', 'new one')).toBe(true);
    expect(await users.get('bob')).toMatchObject({ hasPassword: true });
  });
});

describe('settings', () => {
  it('reads defaults for a user with no settings, even one with no account', async () => {
    expect(await users.getSettings('ghost')).toEqual({ callWaiting: false, status: 'available' });
  });

  it('applies partial updates and keeps them', async () => {
    expect(await users.updateSettings('alice', { callWaiting: true })).toEqual({
      callWaiting: true,
      status: 'available',
    });
    expect(await users.updateSettings('alice', { status: 'dnd' })).toEqual({
      callWaiting: true,
      status: 'dnd',
    });
    expect(await users.updateSettings('alice', { status: undefined })).toEqual({
      callWaiting: true,
      status: 'dnd',
    });
    const reopened = new SqliteUserStore(db, new SqliteSignInFamilies(db), {
      scryptCost: TEST_SCRYPT_COST,
    });
    expect(await reopened.getSettings('alice')).toEqual({ callWaiting: true, status: 'dnd' });
  });

  it('returns a fresh object each time, so callers cannot change the defaults', async () => {
    const settings = await users.getSettings('alice');
    settings.callWaiting = true;
    expect(await users.getSettings('alice')).toEqual({ callWaiting: false, status: 'available' });
  });
});

describe('blocks', () => {
  it('blocks, lists, checks the direction, and unblocks', async () => {
    await users.block('alice', 'mallory');
    await users.block('alice', 'eve');
    await users.block('alice', 'eve'); // twice is harmless

    expect(await users.getBlocked('alice')).toEqual(['eve', 'mallory']);
    expect(await users.isBlocked('mallory', 'alice')).toBe(true);
    // Blocking is one way: alice blocked mallory, not the reverse.
    expect(await users.isBlocked('alice', 'mallory')).toBe(false);

    await users.unblock('alice', 'mallory');
    await users.unblock('alice', 'nobody'); // not blocked: harmless
    expect(await users.isBlocked('mallory', 'alice')).toBe(false);
    expect(await users.getBlocked('alice')).toEqual(['eve']);
    expect(await users.getBlocked('bob')).toEqual([]);
  });
});

describe('callee facts', () => {
  it('gives what an invitation needs per callee, leaves unknown ids out, and follows changes', async () => {
    await users.create({ userId: 'alice', displayName: 'Alice' });
    await users.create({ userId: 'bob', displayName: 'Bob' });
    await users.create({ userId: 'carol', displayName: 'Carol' });
    await users.updateSettings('bob', { callWaiting: true, status: 'busy' });
    await users.block('carol', 'alice');
    await users.setDisabled('carol', true);

    const facts = await users.calleeFacts('alice', ['bob', 'carol', 'nobody']);
    expect(Object.fromEntries(facts)).toEqual({
      bob: { disabled: false, callWaiting: true, status: 'busy', blockedCaller: false },
      carol: { disabled: true, callWaiting: false, status: 'available', blockedCaller: true },
    });

    // Served from the cache the second time, and still right after writes.
    await users.updateSettings('bob', { status: 'dnd' });
    await users.unblock('carol', 'alice');
    await users.setDisabled('carol', false);
    const after = await users.calleeFacts('alice', ['bob', 'carol']);
    expect(after.get('bob')).toMatchObject({ status: 'dnd', callWaiting: true });
    expect(after.get('carol')).toMatchObject({ disabled: false, blockedCaller: false });
  });
});
