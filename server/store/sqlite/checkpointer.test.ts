import { existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, makeRecord, makeTempDir } from '../test-support.js';
import { openSqliteStores } from './index.js';

let temp: ReturnType<typeof makeTempDir>;

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => {
  temp.remove();
});

const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

describe('WAL checkpoints in a worker thread', () => {
  it('copies committed pages into the database file without the writer doing it', async () => {
    const log = captureLogger();
    const stores = openSqliteStores({ file: temp.file, logger: log.logger });
    try {
      const before = size(temp.file);
      for (let i = 0; i < 400; i++) {
        stores.records.add(makeRecord({ callId: `call-${String(i).padStart(4, '0')}` }));
      }
      await stores.records.flush();
      // The server's connection never checkpoints (wal_autocheckpoint = 0): only the worker
      // can have grown the database file.
      const deadline = Date.now() + 5_000;
      while (size(temp.file) <= before && Date.now() < deadline) await sleep(50);
      expect(size(temp.file)).toBeGreaterThan(before);
      expect(await stores.records.query({ limit: 1000 })).toHaveLength(400);
    } finally {
      await stores.close();
    }
    expect(log.lines.filter((line) => line.level >= 40)).toEqual([]);
    // The last connection to close checkpoints everything and removes the WAL.
    expect(existsSync(`${temp.file}-wal`)).toBe(false);
  });

  it('closes once however often close() is called', async () => {
    const { logger } = captureLogger();
    const stores = openSqliteStores({ file: temp.file, logger });
    await Promise.all([stores.close(), stores.close()]);
    await stores.close();
  });
});
