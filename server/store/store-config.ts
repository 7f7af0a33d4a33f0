import { z } from 'zod';

/**
 * Where the durable data lives (issue 17): `sqlite`, files in `dataDir` (embedded mode, the
 * default), or `postgres`, one database that every node of a cluster shares.
 */
export const storeConfigShape = {
  store: z
    .enum(['sqlite', 'postgres'])
    .default('sqlite')
    .describe(
      'Durable store: `sqlite` (files in `dataDir`, one process) or `postgres` (one database every node of a cluster shares; needs `postgres.url`).',
    ),
  postgres: z
    .object({
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL')
        .describe(
          'Connection URL of the PostgreSQL database, e.g. `postgres://trayphone@db:5432/trayphone` (a password in it, or PGPASSWORD).',
        ),
      poolSize: z
        .number()
        .int()
        .min(1)
        .max(200)
        .default(10)
        .describe('Connections to PostgreSQL this process keeps at most.'),
    })
    // No description of its own: the reference lists sections only as their keys (tls aside).
    .optional(),
};

/** store=postgres needs a URL: said at start, with the other configuration problems. */
export function checkStoreConfig(
  config: { store: 'sqlite' | 'postgres'; postgres?: { url: string } | undefined },
  context: z.RefinementCtx,
): void {
  if (config.store === 'postgres' && config.postgres === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['postgres', 'url'],
      message:
        'store is "postgres" but no postgres.url is set (config file, or TRAYPHONE_POSTGRES_URL)',
    });
  }
}
