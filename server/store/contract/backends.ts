import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { PostgresInstance } from '../../testing/postgres-instance.js';
import type { Logger } from '../../logger.js';
import { openPostgresStores } from '../postgres/index.js';
import { openSqliteStores } from '../sqlite/index.js';
import { TEST_SCRYPT_COST, captureLogger, makeTempDir } from '../test-support.js';
import type { Stores } from '../types.js';

/**
 * The store contract: the same cases against each implementation of server/store/types.ts.
 * A case gets a fresh, empty place (a temp SQLite file, a new PostgreSQL database on the test
 * file's private server) and opens stores on it, as often as it likes: reopening after `close`
 * is how a case checks what a restart reads back.
 */
export interface StorePlace {
  open(logger?: Logger): Promise<Stores>;
}

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh place; everything it opened is closed and removed after the case. */
  place(): Promise<StorePlace>;
}

type Cleanup = () => Promise<void>;

function sqliteBackend(cleanups: Cleanup[]): Backend {
  return {
    name: 'sqlite',
    place: () => {
      const temp = makeTempDir();
      cleanups.push(() => {
        temp.remove();
        return Promise.resolve();
      });
      return Promise.resolve({
        open: (logger = captureLogger().logger) => {
          const stores = openSqliteStores({
            file: temp.file,
            logger,
            scryptCost: TEST_SCRYPT_COST,
          });
          cleanups.unshift(() => stores.close());
          return Promise.resolve(stores);
        },
      });
    },
  };
}

function postgresBackend(server: () => PostgresInstance, cleanups: Cleanup[]): Backend {
  return {
    name: 'postgres',
    place: async () => {
      const url = await server().createDatabase('contract');
      return {
        open: async (logger = captureLogger().logger) => {
          const stores = await openPostgresStores({ url, logger, scryptCost: TEST_SCRYPT_COST });
          cleanups.unshift(() => stores.close());
          return stores;
        },
      };
    },
  };
}

/**
 * Runs `cases` once per backend. PostgreSQL runs as one private server per test file, started
 * before its cases and stopped after them.
 */
export function describeStoreContract(title: string, cases: (backend: Backend) => void): void {
  describe.each(['sqlite', 'postgres'] as const)(`${title} (%s)`, (name) => {
    let server: PostgresInstance | undefined;
    const cleanups: Cleanup[] = [];
    if (name === 'postgres') {
      beforeAll(async () => {
        server = await PostgresInstance.start();
      }, 60_000);
      afterAll(async () => {
        await server?.stop();
      });
    }
    const backend =
      name === 'sqlite'
        ? sqliteBackend(cleanups)
        : postgresBackend(() => {
            if (!server) throw new Error('the private PostgreSQL did not start');
            return server;
          }, cleanups);
    afterEach(async () => {
      // Stores first (each `open` put its close in front), then their places.
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });
    cases(backend);
  });
}
