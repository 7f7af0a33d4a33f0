import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CrashableServer } from '../testing/crashable-server.js';
import { PostgresInstance } from '../testing/postgres-instance.js';
import { TestClient } from '../testing/test-client.js';

/**
 * Acknowledged means durable: each test acknowledges a step to a client and kills the server
 * with SIGKILL the moment the client has the answer (well inside what was, before group commit,
 * a 20 ms write-behind window), then restarts it on the same data and checks what survived.
 * Once with each store: SQLite files, and a private PostgreSQL (a fresh database per test).
 */

let server: CrashableServer;
const clients: TestClient[] = [];

async function signIn(
  userId: string,
  device: string,
): Promise<Awaited<ReturnType<typeof TestClient.signIn>>> {
  const signedIn = await TestClient.signIn(server.wsUrl, await server.token(userId), {
    id: device,
  });
  clients.push(signedIn.client);
  return signedIn;
}

/** alice calls bob (one device each) and bob's device rings. */
async function aliceRingsBob(callId: string): Promise<{ alice: TestClient; bob: TestClient }> {
  const { client: alice } = await signIn('alice', 'alice-laptop');
  const { client: bob } = await signIn('bob', 'bob-laptop');
  await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
  await bob.waitFor('call.incoming');
  return { alice, bob };
}

async function countUsers(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

async function crashAndRestart(): Promise<number> {
  const killedAt = await server.kill();
  await server.start();
  return killedAt;
}

describe.each(['sqlite', 'postgres'] as const)(
  'a kill -9 right after an acknowledgement (%s)',
  (store) => {
    let postgres: PostgresInstance | undefined;
    let databaseUrl: string | undefined;
    if (store === 'postgres') {
      beforeAll(async () => {
        postgres = await PostgresInstance.start();
      }, 60_000);
      afterAll(async () => {
        await postgres?.stop();
      });
    }

    beforeEach(async () => {
      databaseUrl = postgres ? await postgres.createDatabase('crash') : undefined;
      const storeConfig = databaseUrl ? { store, postgres: { url: databaseUrl } } : { store };
      server = await CrashableServer.create({
        calls: { defaultRingTimeoutMs: 30_000 },
        ...storeConfig,
      });
      await server.start();
      for (const user of ['alice', 'bob']) await server.addUser(user);
      // The accounts are in PostgreSQL, not in a SQLite file beside it.
      if (databaseUrl) expect(await countUsers(databaseUrl)).toBe(2);
    });
    afterEach(async () => {
      for (const client of clients.splice(0)) client.socket.terminate();
      await server.dispose();
    });

    it('keeps an answered hang-up: the record says completed, and nothing rings again', async () => {
      const { alice, bob } = await aliceRingsBob('crash-hangup');
      await bob.request('call.accept', { callId: 'crash-hangup' });
      const hungUp = await alice.request('call.hangup', { callId: 'crash-hangup' });
      const killedAt = await crashAndRestart();

      const record = await server.record('crash-hangup');
      expect(record?.endReason).toBe('completed');
      expect(record?.endedAt).toBe(hungUp.call.endedAt);
      expect(record?.endedAt).toBeLessThanOrEqual(killedAt);
      const back = await signIn('alice', 'alice-laptop');
      expect(back.hello.calls).toEqual([]);
    });

    it('keeps an answered cancel: a record, and the callee is not rung again', async () => {
      const { alice } = await aliceRingsBob('crash-cancel');
      await alice.request('call.cancel', { callId: 'crash-cancel' });
      await crashAndRestart();

      expect((await server.record('crash-cancel'))?.endReason).toBe('canceled');
      const bobBack = await signIn('bob', 'bob-laptop');
      expect(bobBack.hello.calls).toEqual([]);
      await expect(bobBack.client.waitFor('call.incoming', () => true, 500)).rejects.toThrow();
    });

    it('keeps an answered refusal as refused, not as a later timeout', async () => {
      const { bob } = await aliceRingsBob('crash-refuse');
      await bob.request('call.refuse', { callId: 'crash-refuse' });
      await crashAndRestart();

      const record = await server.record('crash-refuse');
      expect(record?.endReason).toBe('refused');
    });

    it('keeps an acknowledged invitation ringing: the caller resyncs it, the callee rings', async () => {
      const { client: alice } = await signIn('alice', 'alice-laptop');
      await signIn('bob', 'bob-laptop');
      await alice.request('call.invite', {
        callId: 'crash-invite',
        callees: ['bob'],
        media: 'audio',
      });
      await crashAndRestart();

      const aliceBack = await signIn('alice', 'alice-laptop');
      expect(aliceBack.hello.calls.map((call) => call.callId)).toEqual(['crash-invite']);
      const bobBack = await signIn('bob', 'bob-laptop');
      const incoming = await bobBack.client.waitFor('call.incoming');
      expect(incoming.call.callId).toBe('crash-invite');
    });

    it('ends a call cut by the crash with server-failure, dated before the kill', async () => {
      const { bob } = await aliceRingsBob('crash-active');
      const accepted = await bob.request('call.accept', { callId: 'crash-active' });
      // Long enough for the server's alive note to move past the answer.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const killedAt = await crashAndRestart();

      const record = await server.record('crash-active');
      expect(record?.endReason).toBe('server-failure');
      expect(record?.endedAt).toBeLessThanOrEqual(killedAt);
      expect(record?.endedAt).toBeGreaterThan(killedAt - 1_500);
      expect(record?.answeredAt).toBe(accepted.call.legs[0]?.answeredAt);
      expect(record?.durationSec).toBeGreaterThanOrEqual(1);
    });

    it('keeps what an account was told: its settings and its block list', async () => {
      const { client: alice } = await signIn('alice', 'alice-laptop');
      await alice.request('block.add', { userId: 'bob' });
      await alice.request('settings.update', { callWaiting: true });
      await crashAndRestart();

      const back = await signIn('alice', 'alice-laptop');
      expect(back.hello.settings.callWaiting).toBe(true);
      expect(await back.client.request('block.list', {})).toEqual({ userIds: ['bob'] });
    });
  },
);
