import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test-support.js';
import type { SqliteDatabase } from './database.js';
import { openDatabase } from './database.js';
import { SqlitePushTokenStore } from './push-tokens.js';

let temp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let tokens: SqlitePushTokenStore;

beforeEach(() => {
  temp = makeTempDir();
  db = openDatabase(temp.file);
  tokens = new SqlitePushTokenStore(db);
});
afterEach(() => {
  db.close();
  temp.remove();
});

const summary = async (userId: string) =>
  (await tokens.listForUser(userId)).map(({ deviceId, platform, token }) => ({
    deviceId,
    platform,
    token,
  }));

describe('push tokens', () => {
  it('registers a token with the time it was registered', async () => {
    const before = Date.now();
    await tokens.register({ userId: 'alice', deviceId: 'phone', platform: 'fcm', token: 't1' });
    const [registration] = await tokens.listForUser('alice');
    expect(registration).toMatchObject({ userId: 'alice', deviceId: 'phone', token: 't1' });
    expect(registration?.updatedAt).toBeGreaterThanOrEqual(before);
    expect(await tokens.listForUser('bob')).toEqual([]);
  });

  it('keeps one token per device: registering again replaces it', async () => {
    await tokens.register({ userId: 'alice', deviceId: 'phone', platform: 'fcm', token: 't1' });
    await tokens.register({ userId: 'alice', deviceId: 'phone', platform: 'vendor', token: 't2' });
    await tokens.register({
      userId: 'alice',
      deviceId: 'ipad',
      platform: 'apns-voip',
      token: 't3',
    });
    const list = await summary('alice');
    expect(list).toHaveLength(2);
    expect(list).toContainEqual({ deviceId: 'phone', platform: 'vendor', token: 't2' });
    expect(list).toContainEqual({ deviceId: 'ipad', platform: 'apns-voip', token: 't3' });
  });

  it('unregisters one device and leaves the others', async () => {
    await tokens.register({ userId: 'alice', deviceId: 'phone', platform: 'fcm', token: 't1' });
    await tokens.register({ userId: 'alice', deviceId: 'ipad', platform: 'fcm', token: 't2' });
    await tokens.unregister('alice', 'phone');
    await tokens.unregister('alice', 'unknown-device');
    expect(await summary('alice')).toEqual([{ deviceId: 'ipad', platform: 'fcm', token: 't2' }]);
  });

  it('moves a token to the account that registered it last', async () => {
    await tokens.register({ userId: 'alice', deviceId: 'phone', platform: 'fcm', token: 'shared' });
    await tokens.register({ userId: 'bob', deviceId: 'phone', platform: 'fcm', token: 'shared' });
    expect(await tokens.listForUser('alice')).toEqual([]);
    expect(await summary('bob')).toEqual([{ deviceId: 'phone', platform: 'fcm', token: 'shared' }]);
  });
});
