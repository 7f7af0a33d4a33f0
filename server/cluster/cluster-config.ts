import { z } from 'zod';

/**
 * Cluster mode: several signaling nodes sharing one Redis (routing between nodes, presence,
 * call ownership, leases). Its presence in the configuration means cluster mode; unset, the
 * server runs embedded and none of server/cluster is constructed.
 */
export const clusterConfigSchema = z
  .object({
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL')
      .describe('The Redis every node of the cluster shares (append-only, fsync always).'),
    nodeId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, `.`, `_` and `-`, at most 64')
      .optional()
      .describe("This node's id in the cluster; `${hostname}-${pid}` when unset."),
    leaseMs: z
      .number()
      .int()
      .min(500)
      .max(60_000)
      .default(3_000)
      .describe(
        "A node's lease in Redis, renewed every third of it: a node that cannot renew stops deciding and closes its clients' sockets; its calls are taken over by another node once it expires.",
      ),
    forwardTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(30_000)
      .default(3_000)
      .describe("How long a request forwarded to a call's owner node waits for its answer."),
  })
  .strict()
  .optional()
  .describe('Cluster mode (several signaling nodes on one Redis); embedded when unset.');

export type ClusterConfig = NonNullable<z.infer<typeof clusterConfigSchema>>;

/** Cluster mode keeps its data in the one database every node shares: PostgreSQL. */
export function checkClusterStore(
  config: { store: 'sqlite' | 'postgres'; role: string; cluster?: ClusterConfig | undefined },
  context: z.RefinementCtx,
): void {
  // An SFU node keeps no data: it only meets the others in the cluster's Redis.
  if (config.cluster !== undefined && config.role !== 'sfu' && config.store !== 'postgres') {
    context.addIssue({
      code: 'custom',
      path: ['store'],
      message:
        'cluster mode needs store "postgres" (every node shares one PostgreSQL database; SQLite files belong to one process)',
    });
  }
}
