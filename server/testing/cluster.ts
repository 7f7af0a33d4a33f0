import { CrashableServer } from './crashable-server.js';
import { PostgresInstance } from './postgres-instance.js';
import { RedisInstance } from './redis-instance.js';
import { TcpProxy } from './tcp-proxy.js';

/**
 * A cluster for tests: a private Redis, a private PostgreSQL (the store every node shares) and
 * N signaling nodes, each its own process (CrashableServer: `kill()` is a kill -9), named
 * node-1…node-N. Each node has its own data directory (only the JWT secret would go there; it
 * is configured).
 */
export class TestCluster {
  private constructor(
    readonly redis: RedisInstance,
    readonly postgres: PostgresInstance,
    readonly nodes: CrashableServer[],
    /** Each node's relay to Redis (`partition()` cuts that node off), when asked for. */
    readonly proxies: TcpProxy[],
  ) {}

  static async start(
    count: number,
    options: { leaseMs?: number; proxied?: boolean; config?: Record<string, unknown> } = {},
  ): Promise<TestCluster> {
    const redis = await RedisInstance.start();
    const postgres = await PostgresInstance.start();
    const nodes: CrashableServer[] = [];
    const proxies: TcpProxy[] = [];
    const cluster = new TestCluster(redis, postgres, nodes, proxies);
    try {
      for (let i = 1; i <= count; i++) {
        const proxy = options.proxied ? await TcpProxy.start(redis.port) : undefined;
        if (proxy) proxies.push(proxy);
        const node = await CrashableServer.create({
          store: 'postgres',
          postgres: { url: postgres.url },
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
        // One at a time: the first migrates the shared database.
        await node.start();
      }
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
    await this.postgres.stop();
  }
}
