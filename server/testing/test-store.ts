import { afterAll } from 'vitest';
import type { ServerConfigInput } from '../config.js';
import { PostgresInstance } from './postgres-instance.js';

/**
 * Which store test servers run on: SQLite files (the default), or PostgreSQL when the run sets
 * TRAYPHONE_TEST_STORE=postgres, so that any integration suite can be run against it unchanged:
 *   TRAYPHONE_TEST_STORE=postgres npx vitest run server/integration/history.test.ts
 * One private PostgreSQL per test file, started on first use and stopped after the file's tests;
 * every test server gets a database of its own (kept across its `restart`).
 */
export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.TRAYPHONE_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

let instance: Promise<PostgresInstance> | undefined;

// Registered while the test file is collected (it imports this module): the file's last hook.
// Vitest ends its worker processes without running their 'exit' handlers.
if (TEST_STORE === 'postgres') {
  afterAll(async () => {
    const started = instance;
    instance = undefined;
    await (await started)?.stop();
  }, 60_000);
}

function sharedInstance(): Promise<PostgresInstance> {
  instance ??= PostgresInstance.start();
  return instance;
}

/** The store keys of a new test server's configuration. */
export async function testStoreConfig(): Promise<ServerConfigInput> {
  if (TEST_STORE === 'sqlite') return {};
  const server = await sharedInstance();
  return { store: 'postgres', postgres: { url: await server.createDatabase('it') } };
}
