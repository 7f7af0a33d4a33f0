import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, TEST_SCRYPT_COST } from '../test-support.js';
import type { SqliteDatabase } from './database.js';
import { openDatabase } from './database.js';
import { SqliteUserStore } from './users.js';
import { SqliteSignInFamilies } from './refresh-families.js';

let temp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let other: SqliteDatabase;
let users: SqliteUserStore;
/** The same file through a second connection, as the `user` CLI opens it beside the server. */
let cli: SqliteUserStore;

beforeEach(async () => {
  temp = makeTempDir();
  db = openDatabase(temp.file);
  other = openDatabase(temp.file);
  users = new SqliteUserStore(db, new SqliteSignInFamilies(db), { scryptCost: TEST_SCRYPT_COST });
  cli = new SqliteUserStore(other, new SqliteSignInFamilies(other), {
    scryptCost: TEST_SCRYPT_COST,
  });
  await users.create({ userId: 'alice', displayName: 'Alice' });
  await users.create({ userId: 'bob', displayName: 'Bob' });
});
afterEach(() => {
  other.close();
  db.close();
  temp.remove();
});

describe('cached user reads', () => {
  it('see their own writes: disable, settings, blocks', async () => {
    expect((await users.get('bob'))?.disabled).toBe(false);
    expect((await users.getMany(['bob'])).get('bob')?.disabled).toBe(false);
    await users.setDisabled('bob', true);
    expect((await users.get('bob'))?.disabled).toBe(true);
    expect((await users.getMany(['bob', 'alice'])).get('bob')?.disabled).toBe(true);

    expect((await users.getSettings('bob')).status).toBe('available');
    await users.updateSettings('bob', { status: 'dnd' });
    expect((await users.getSettings('bob')).status).toBe('dnd');

    expect(await users.isBlocked('alice', 'bob')).toBe(false);
    await users.block('bob', 'alice');
    expect(await users.isBlocked('alice', 'bob')).toBe(true);
    await users.unblock('bob', 'alice');
    expect(await users.isBlocked('alice', 'bob')).toBe(false);
  });

  it('see what another connection committed (the CLI beside a running server)', async () => {
    expect((await users.get('bob'))?.disabled).toBe(false);
    expect((await users.getSettings('bob')).callWaiting).toBe(false);
    expect(await users.isBlocked('alice', 'bob')).toBe(false);
    await cli.setDisabled('bob', true);
    await cli.updateSettings('bob', { callWaiting: true });
    await cli.block('bob', 'alice');
    // The cache looks at the file at most once per millisecond.
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect((await users.get('bob'))?.disabled).toBe(true);
    expect((await users.getMany(['bob'])).get('bob')?.disabled).toBe(true);
    expect((await users.getSettings('bob')).callWaiting).toBe(true);
    expect(await users.isBlocked('alice', 'bob')).toBe(true);
  });

  it('hands out copies: a caller changing an account changes nothing stored', async () => {
    const account = await users.get('alice');
    if (!account) throw new Error('alice missing');
    account.displayName = 'Mallory';
    expect((await users.get('alice'))?.displayName).toBe('Alice');
    const many = await users.getMany(['alice']);
    const fromMany = many.get('alice');
    if (!fromMany) throw new Error('alice missing');
    fromMany.disabled = true;
    expect((await users.get('alice'))?.disabled).toBe(false);
  });
});
