import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresInstance } from '../../testing/postgres-instance.js';
import { TEST_SCRYPT_COST, captureLogger, makeCall } from '../test-support.js';
import type { Stores } from '../types.js';
import { openPostgresStores } from './index.js';

let server: PostgresInstance;

beforeAll(async () => {
  server = await PostgresInstance.start();
}, 60_000);
afterAll(async () => {
  await server.stop();
});

describe('PostgreSQL stores across a crash of PostgreSQL', () => {
  it('keep what was committed, and work again once it is back', async () => {
    const url = await server.createDatabase('reconnect');
    const log = captureLogger();
    const stores: Stores = await openPostgresStores({
      url,
      logger: log.logger,
      scryptCost: TEST_SCRYPT_COST,
    });
    try {
      await stores.users.create({ userId: 'alice', displayName: 'Alice' });
      stores.liveCalls.save(makeCall({ callId: 'call-before' }));
      await stores.liveCalls.flush();

      await server.restart({ hard: true });

      // The pool's connections died with the server: the next requests get new ones.
      expect(await stores.users.get('alice')).toMatchObject({ displayName: 'Alice' });
      stores.liveCalls.save(makeCall({ callId: 'call-after' }));
      await stores.liveCalls.flush();
      const ids = (await stores.liveCalls.loadAll()).map((call) => call.info.callId);
      expect(ids).toEqual(['call-after', 'call-before']);
    } finally {
      await stores.close();
    }
  }, 60_000);

  it('log the call data they could not write while PostgreSQL was down, and go on', async () => {
    const url = await server.createDatabase('reconnect');
    const log = captureLogger();
    const stores = await openPostgresStores({ url, logger: log.logger });
    try {
      await server.kill();
      stores.liveCalls.save(makeCall({ callId: 'call-lost' }));
      await stores.liveCalls.flush();
      expect(log.lines).toContainEqual(
        expect.objectContaining({ msg: 'write-behind entry dropped', callId: 'call-lost' }),
      );
      await server.restart();
      stores.liveCalls.save(makeCall({ callId: 'call-kept' }));
      await stores.liveCalls.flush();
      const ids = (await stores.liveCalls.loadAll()).map((call) => call.info.callId);
      expect(ids).toEqual(['call-kept']);
    } finally {
      await stores.close();
    }
  }, 60_000);
});

describe('PostgreSQL call writes', () => {
  it('write a batch its one statement refuses group by group: only the bad entry is lost', async () => {
    const url = await server.createDatabase('bulk');
    const log = captureLogger();
    const stores = await openPostgresStores({ url, logger: log.logger });
    try {
      // A row the database refuses (here a trigger's doing) fails the batch's one statement for
      // every live call; written again group by group, only its own call is lost.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.call_id = 'call-bad' THEN RAISE EXCEPTION 'refused %', NEW.call_id; END IF;
          RETURN NEW;
        END $$`);
      await admin.query(`CREATE TRIGGER refuse_bad BEFORE INSERT ON live_calls
        FOR EACH ROW EXECUTE FUNCTION refuse_bad()`);
      await admin.end();
      stores.liveCalls.save(makeCall({ callId: 'call-good-1' }));
      stores.liveCalls.save(makeCall({ callId: 'call-bad' }));
      stores.liveCalls.save(makeCall({ callId: 'call-good-2' }));
      await stores.liveCalls.flush();
      const ids = (await stores.liveCalls.loadAll()).map((call) => call.info.callId);
      expect(ids).toEqual(['call-good-1', 'call-good-2']);
      expect(log.lines).toContainEqual(
        expect.objectContaining({ msg: 'write-behind entry dropped', callId: 'call-bad' }),
      );
    } finally {
      await stores.close();
    }
  }, 60_000);
});
