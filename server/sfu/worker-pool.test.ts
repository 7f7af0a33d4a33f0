import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { MEDIA_CODECS } from './transports.js';
import { type DeadWorkerReport, WorkerPool } from './worker-pool.js';

describe('WorkerPool', () => {
  let pool: WorkerPool | undefined;
  afterEach(async () => {
    await pool?.close();
  });

  function newPool(size: number, died: DeadWorkerReport[] = []): WorkerPool {
    pool = new WorkerPool({
      size,
      rtcMinPort: 40000,
      rtcMaxPort: 49999,
      logger: silentLogger(),
      onWorkerDied: (report) => {
        died.push(report);
      },
    });
    return pool;
  }

  it('spreads routers over the least-loaded workers', async () => {
    const p = newPool(2);
    await p.start();
    expect(p.counts()).toEqual({ workers: 2, routers: 0 });
    const a = await p.createRouter('call-pool-a', MEDIA_CODECS);
    const b = await p.createRouter('call-pool-b', MEDIA_CODECS);
    const c = await p.createRouter('call-pool-c', MEDIA_CODECS);
    expect(p.counts()).toEqual({ workers: 2, routers: 3 });
    const perWorker = p.workers().map((w) => w.routersForTesting.size);
    expect(perWorker.sort()).toEqual([1, 2]);
    // The worker with one router is now the least loaded.
    const least = p.leastLoaded();
    expect(least.routersForTesting.size).toBe(1);
    a.close();
    b.close();
    c.close();
    expect(p.counts()).toEqual({ workers: 2, routers: 0 });
  });

  it('replaces a dead worker and reports the calls it hosted', async () => {
    const died: DeadWorkerReport[] = [];
    const p = newPool(1, died);
    await p.start();
    await p.createRouter('call-pool-d', MEDIA_CODECS);
    await p.createRouter('call-pool-e', MEDIA_CODECS);
    const [worker] = p.workers();
    if (!worker) throw new Error('no worker');
    process.kill(worker.pid, 'SIGKILL');
    await expect.poll(() => died.length).toBe(1);
    expect(died[0]).toMatchObject({ pid: worker.pid });
    expect(died[0]?.callIds.sort()).toEqual(['call-pool-d', 'call-pool-e']);
    await expect.poll(() => p.counts()).toEqual({ workers: 1, routers: 0 });
    expect(p.leastLoaded().pid).not.toBe(worker.pid);
  });

  it('closes its workers and starts no more', async () => {
    const p = newPool(2);
    await p.start();
    const workers = [...p.workers()];
    await p.close();
    expect(workers.every((w) => w.closed)).toBe(true);
    expect(p.counts()).toEqual({ workers: 0, routers: 0 });
    await expect(p.createRouter('call-pool-f', MEDIA_CODECS)).rejects.toThrow(/closed/);
  });
});
