import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CrashableServer } from './crashable-server.js';
import { RedisInstance } from './redis-instance.js';
import { TcpProxy } from './tcp-proxy.js';

/**
 * A cluster for tests: a private Redis and N signaling nodes, each its own process
 * (CrashableServer: `kill()` is a kill -9), named node-1…node-N.
 *
 * Until the PostgreSQL store is on main the nodes share one SQLite data directory: WAL makes
 * that safe across processes, and the user-row cache revalidates through `PRAGMA data_version`,
 * but each node's writer thread commits separately, and better-sqlite3 reads on a node's main
 * thread wait (synchronously) for another node's lock: a stalled event loop misses lease
 * renewals and fences the node. Each node also runs the webhook outbox and seat calling over
 * the same tables (not yet leased per cluster).
 */
export class TestCluster {
  private constructor(
    readonly redis: RedisInstance,
    readonly nodes: CrashableServer[],
    private readonly dataDir: string,
    /** Each node's relay to Redis (`partition()` cuts that node off), when asked for. */
    readonly proxies: TcpProxy[],
  ) {}

  static async start(
    count: number,
    options: { leaseMs?: number; proxied?: boolean; config?: Record<string, unknown> } = {},
  ): Promise<TestCluster> {
    const redis = await RedisInstance.start();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-cluster-'));
    const nodes: CrashableServer[] = [];
    const proxies: TcpProxy[] = [];
    const cluster = new TestCluster(redis, nodes, dataDir, proxies);
    try {
      for (let i = 1; i <= count; i++) {
        const proxy = options.proxied ? await TcpProxy.start(redis.port) : undefined;
        if (proxy) proxies.push(proxy);
        const node = await CrashableServer.create({
          dataDir,
          media: { enabled: false },
          calls: { defaultRingTimeoutMs: 30_000 },
          ...options.config,
          cluster: {
            redisUrl: proxy?.url ?? redis.url,
            nodeId: `node-${String(i)}`,
            ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
          },
        });
        nodes.push(node);
        // One at a time: the first opens (and migrates) the shared files.
        await node.start();
      }
      // A node's first moments on the shared SQLite files (checkpoints, its first journal
      // writes) can hold a lock the others' main threads wait on, synchronously: long enough,
      // on this shared machine, for a node to miss a lease renewal. Let that pass first.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  node(index: number): CrashableServer {
    const node = this.nodes[index];
    if (!node) throw new Error(`no node ${String(index)}`);
    return node;
  }

  async addUsers(...userIds: string[]): Promise<void> {
    for (const userId of userIds) await this.node(0).addUser(userId);
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await node.dispose();
    for (const proxy of this.proxies) await proxy.stop();
    await this.redis.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
