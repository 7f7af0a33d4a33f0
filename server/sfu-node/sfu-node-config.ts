import { z } from 'zod';

/**
 * Separate SFU nodes (issue 17): which part of the server this process runs, and how SFU nodes
 * and signaling nodes find each other through Redis. Embedded mode (`role: 'all'`, no Redis)
 * never reads more than `role`.
 */
export const serverRoleSchema = z
  .enum(['all', 'signaling', 'sfu'])
  .default('all')
  .describe(
    'What this process runs (`serve --role`): `all` (signaling and the in-process SFU, as one process does by default), `signaling` (accounts and calls; media on the SFU nodes registered in Redis), `sfu` (only the media plane: mediasoup, `/sfu`, `/healthz`).',
  );
export type ServerRole = z.infer<typeof serverRoleSchema>;

export const sfuNodesSchema = z
  .object({
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional()
      .describe(
        'The Redis of the SFU node registry and commands (`tp:sfu:*`); `cluster.redisUrl` when unset. Its own key so that one signaling node on SQLite can use SFU nodes without being a cluster.',
      ),
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional()
      .describe('This SFU node’s id in Redis (`tp:sfu:node:<id>`); `<hostname>-<pid>` when unset.'),
    publicUrl: z
      .string()
      .regex(/^wss?:\/\/[^/?#]+(\/[A-Za-z0-9._~-]+)*\/sfu$/, 'a ws:// or wss:// URL ending in /sfu')
      .optional()
      .describe(
        'Role `sfu`: the `/sfu` URL clients reach this node at; media tickets name it (their audience).',
      ),
    ticketSecret: z
      .string()
      .min(32)
      .optional()
      .describe(
        'HS256 key of media tickets between signaling nodes and SFU nodes (the same on all of them); not the key of access tokens, which SFU nodes never hold.',
      ),
    heartbeatIntervalMs: z
      .number()
      .int()
      .min(100)
      .default(1_000)
      .describe('An SFU node renews its registration (with its load) this often.'),
    registrationTtlMs: z
      .number()
      .int()
      .min(300)
      .default(3_000)
      .describe(
        'A registration not renewed for this long expires: its node counts as lost and its calls move to another node.',
      ),
  })
  .prefault({});

interface RoleConfig {
  role: ServerRole;
  cluster?: { redisUrl: string } | undefined;
  sfuNodes: z.infer<typeof sfuNodesSchema>;
}

/** The Redis SFU nodes and signaling meet in: their own, else the signaling cluster's. */
export function sfuRedisUrl(config: RoleConfig): string | undefined {
  return config.sfuNodes.redisUrl ?? config.cluster?.redisUrl;
}

/** What a role needs and this configuration lacks, one line each (empty: it starts). */
export function roleProblems(config: RoleConfig): string[] {
  if (config.role === 'all') return [];
  const problems: string[] = [];
  const { sfuNodes } = config;
  if (!sfuRedisUrl(config)) {
    problems.push(`sfuNodes.redisUrl (or cluster.redisUrl): role ${config.role} needs Redis`);
  }
  if (!sfuNodes.ticketSecret) {
    problems.push(
      `sfuNodes.ticketSecret: role ${config.role} signs or checks media tickets with a secret shared by signaling and SFU nodes`,
    );
  }
  if (config.role === 'sfu' && !sfuNodes.publicUrl) {
    problems.push('sfuNodes.publicUrl: role sfu needs the ws(s)://…/sfu URL clients reach it at');
  }
  if (sfuNodes.registrationTtlMs < 2 * sfuNodes.heartbeatIntervalMs) {
    problems.push('sfuNodes.registrationTtlMs: must be at least twice heartbeatIntervalMs');
  }
  return problems;
}
