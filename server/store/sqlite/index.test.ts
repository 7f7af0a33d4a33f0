import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../logger.js';
import { makeCall, makeRecord, makeTempDir, TEST_SCRYPT_COST } from '../test-support.js';
import type { Stores } from '../types.js';
import { dataFile, openSqliteStores } from './index.js';

let temp: ReturnType<typeof makeTempDir>;
const open = (): Stores =>
  openSqliteStores({ file: temp.file, logger: silentLogger(), scryptCost: TEST_SCRYPT_COST });

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => {
  temp.remove();
});

describe('openSqliteStores', () => {
  it('gives all four stores over one file, and close() writes what is pending', async () => {
    const stores = open();
    await stores.users.create({ userId: 'alice', displayName: 'Alice', password: 'pw' });
    await stores.pushTokens.register({
      userId: 'alice',
      deviceId: 'phone',
      platform: 'fcm',
      token: 't',
    });
    stores.liveCalls.save(makeCall({ callId: 'call-live' }));
    stores.records.add(makeRecord({ callId: 'call-done' }));
    await stores.close();
    await stores.close(); // twice is harmless

    const reopened = open();
    expect(await reopened.users.verifyPassword('alice', 'pw')).toBe(true);
    expect(await reopened.pushTokens.listForUser('alice')).toHaveLength(1);
    expect((await reopened.liveCalls.loadAll()).map((call) => call.info.callId)).toEqual([
      'call-live',
    ]);
    expect(await reopened.records.get('call-done')).toEqual(makeRecord({ callId: 'call-done' }));
    await reopened.close();
  });

  it('keeps every record of a burst of adds across a reopen', async () => {
    const stores = open();
    for (let i = 0; i < 3000; i += 1) {
      stores.records.add(makeRecord({ callId: `call-burst-${String(i)}`, createdAt: i }));
      stores.liveCalls.save(makeCall({ callId: `call-burst-${String(i)}` }));
      stores.liveCalls.delete(`call-burst-${String(i)}`);
    }
    await stores.records.flush();
    await stores.liveCalls.flush();
    await stores.close();

    const reopened = open();
    expect(await reopened.liveCalls.loadAll()).toEqual([]);
    const newest = await reopened.records.query({ userId: 'bob', limit: 1 });
    expect(newest.map((record) => record.callId)).toEqual(['call-burst-2999']);
    const oldest = await reopened.records.query({ before: 1, limit: 5 });
    expect(oldest.map((record) => record.callId)).toEqual(['call-burst-0']);
    await reopened.close();
  });

  it('writes call data into the calls file only: the accounts file sees no commit', async () => {
    const stores = open();
    const watcher = new Database(temp.file);
    const dataVersion = (): unknown => watcher.pragma('data_version', { simple: true });
    const before = dataVersion();
    for (let i = 0; i < 100; i += 1) {
      stores.records.add(makeRecord({ callId: `call-${String(i)}` }));
      stores.liveCalls.save(makeCall({ callId: `call-live-${String(i)}` }));
    }
    await stores.records.flush();
    await stores.liveCalls.flush();
    expect(dataVersion()).toBe(before);
    watcher.close();
    await stores.close();
  });
});

describe('dataFile', () => {
  it('creates the data dir, private to this user, and names the database in it', () => {
    const dir = path.join(temp.dir, 'nested', 'data');
    const file = dataFile(dir);
    expect(file).toBe(path.join(dir, 'trayphone.sqlite'));
    expect(existsSync(dir)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
