import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseAddressRange } from './http/client-address.js';
import { checkClusterStore, clusterConfigSchema } from './cluster/cluster-config.js';
import { sfuConfigSchema } from './sfu/sfu-config.js';
import { roleProblems, serverRoleSchema, sfuNodesSchema } from './sfu-node/sfu-node-config.js';
import { checkStoreConfig, storeConfigShape } from './store/store-config.js';

/**
 * Server configuration: built-in defaults, overridden by a JSON file (`--config` or
 * TRAYPHONE_CONFIG), overridden by TRAYPHONE_* environment variables. Validated as a whole; an
 * invalid configuration stops the start with every problem listed.
 */
export const configSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Address to listen on.'),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8480)
      .describe(
        'HTTP and WebSocket port (`/ws` signaling, `/sfu` media, the REST API, the web client).',
      ),
    publicUrl: z
      .url()
      .optional()
      .describe(
        'Public base URL clients use (links, SFU tickets); derived from host and port if unset.',
      ),
    dataDir: z
      .string()
      .default('.data')
      .describe(
        'SQLite files (`trayphone.sqlite`: accounts, sign-ins, settings, queues; `trayphone-calls.sqlite`: live calls, call records, the webhook outbox) and the generated JWT secret.',
      ),
    webRoot: z
      .string()
      .default('dist/web')
      .describe(
        'The built web client served at `/` (`npm run build:web`); relative to the working directory.',
      ),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level.'),
    dev: z
      .boolean()
      .default(false)
      .describe('Development start (`serve --dev`): creates two demo users on an empty database.'),
    tls: z
      .object({
        certFile: z.string().describe('PEM certificate chain file.'),
        keyFile: z.string().describe('PEM private key file.'),
      })
      .optional()
      .describe('Serve `https` and `wss`; plain HTTP when unset.'),
    auth: z
      .object({
        jwtSecret: z
          .string()
          .min(32)
          .optional()
          .describe('HS256 key of access and refresh tokens; generated into `dataDir` when unset.'),
        accessTokenTtlSec: z
          .number()
          .int()
          .min(60)
          .default(3600)
          .describe('Access token lifetime.'),
        sessionRenewGraceSec: z
          .number()
          .int()
          .min(0)
          .max(3600)
          .default(60)
          .describe(
            'A signaling session lives until its access token expires (`session.renew` moves that); one not renewed is closed with `token-expired` this much later: time for a client that was asleep or offline for a moment to refresh.',
          ),
        refreshTokenTtlSec: z
          .number()
          .int()
          .min(300)
          .default(30 * 86_400)
          .describe('Refresh token lifetime; each refresh issues a new one (rotation).'),
        refreshReuseGraceSec: z
          .number()
          .int()
          .min(0)
          .max(300)
          .default(30)
          .describe(
            'Refresh tokens rotate, and a used one presented again revokes its sign-in. The token just replaced is accepted again this long after its use and answered with the same new token: a retry after a lost answer, or browser tabs sharing a sign-in that refresh at once. 0 turns the grace off.',
          ),
        adminApiKey: z
          .string()
          .min(24)
          .optional()
          .describe('Bearer key of the admin REST API; the admin API is off when unset.'),
        signInPerAccountPerMinute: z
          .number()
          .int()
          .min(1)
          .default(10)
          .describe('Sign-in attempts a minute for one account (then 429 with `Retry-After`).'),
        signInPerAddressPerMinute: z
          .number()
          .int()
          .min(1)
          .default(120)
          .describe(
            'Sign-in, refresh and sign-out attempts a minute from one client address (then 429). Higher than the account limit: an office behind one NAT address signs all its agents in at shift start.',
          ),
        accountCheckIntervalMs: z
          .number()
          .int()
          .min(100)
          .default(5_000)
          .describe(
            'Signed-in users are checked against the store this often: an account disabled, or a sign-in revoked, by another process (the CLI) loses its calls and sessions within it.',
          ),
      })
      .default({
        accessTokenTtlSec: 3600,
        sessionRenewGraceSec: 60,
        refreshTokenTtlSec: 30 * 86_400,
        refreshReuseGraceSec: 30,
        signInPerAccountPerMinute: 10,
        signInPerAddressPerMinute: 120,
        accountCheckIntervalMs: 5_000,
      }),
    signaling: z
      .object({
        heartbeatIntervalMs: z
          .number()
          .int()
          .min(100)
          .default(10_000)
          .describe(
            'The server pings a connection quiet for half of this; given to clients in `hello`.',
          ),
        deadAfterMs: z
          .number()
          .int()
          .min(200)
          .default(30_000)
          .describe('A connection silent this long is declared gone.'),
        authTimeoutMs: z
          .number()
          .int()
          .min(100)
          .default(10_000)
          .describe('Sockets without a valid `hello` by then are closed (4001).'),
        maxFrameBytes: z
          .number()
          .int()
          .min(1024)
          .default(64 * 1024)
          .describe(
            'Frames above get `payload-too-large`; above 16 times this the socket closes (1009).',
          ),
        rateLimitPerSec: z
          .number()
          .min(1)
          .default(50)
          .describe(
            'Token bucket per connection: sustained requests a second (then `rate-limited`).',
          ),
        rateLimitBurst: z
          .number()
          .int()
          .min(1)
          .default(100)
          .describe('Token bucket per connection: requests at once.'),
      })
      .default({
        heartbeatIntervalMs: 10_000,
        deadAfterMs: 30_000,
        authTimeoutMs: 10_000,
        maxFrameBytes: 64 * 1024,
        rateLimitPerSec: 50,
        rateLimitBurst: 100,
      }),
    limits: z
      .object({
        connectionsPerAddress: z
          .number()
          .int()
          .min(1)
          .default(2_000)
          .describe(
            'Open connections (HTTP and WebSocket) from one client address; over it 429 (503 on an upgrade). High: every device of an office behind one NAT address shares it.',
          ),
        trustedProxies: z
          .array(
            z.string().refine((entry) => parseAddressRange(entry) !== undefined, {
              message: 'an IP address or CIDR range, e.g. 10.0.0.5 or 10.0.0.0/24',
            }),
          )
          .default([])
          .describe(
            'Load balancers in front of the server (addresses or CIDR ranges). Connections from them are counted, and sign-in attempts limited, by the client address they forward in X-Forwarded-For (its rightmost untrusted entry) instead of their own. Leave empty when clients connect directly: the header is then ignored.',
          ),
        devicesPerUser: z
          .number()
          .int()
          .min(1)
          .default(20)
          .describe(
            'Devices signed in at once on one account; one more gets `too-many-sessions` (the same device signing in again replaces its session).',
          ),
        headersTimeoutMs: z
          .number()
          .int()
          .min(100)
          .default(20_000)
          .describe(
            'An HTTP request (an upgrade too) whose headers are not complete by then is cut off: a client trickling a header every few seconds holds no connection for long. At most `requestTimeoutMs`.',
          ),
        requestTimeoutMs: z
          .number()
          .int()
          .min(100)
          .default(60_000)
          .describe(
            'The same for the whole request, body included (a body trickled byte by byte).',
          ),
      })
      .refine((l) => l.headersTimeoutMs <= l.requestTimeoutMs, {
        message: 'headersTimeoutMs must not be above requestTimeoutMs',
        path: ['headersTimeoutMs'],
      })
      .default({
        connectionsPerAddress: 2_000,
        trustedProxies: [],
        devicesPerUser: 20,
        headersTimeoutMs: 20_000,
        requestTimeoutMs: 60_000,
      }),
    calls: z
      .object({
        defaultRingTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(60_000)
          .describe('Ring timeout of an invitation whose caller gives none.'),
        connectTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(30_000)
          .describe(
            'After an answer, media must connect within this (the SFU enforces it; an answered call without media ends).',
          ),
        rejoinWindowMs: z
          .number()
          .int()
          .min(100)
          .default(30_000)
          .describe(
            'A participant with no live device in a call (signaling gone, or media transport closed or silent) leaves with `connection-lost` after this; within it a reconnecting device rejoins without a new ring.',
          ),
      })
      .default({ defaultRingTimeoutMs: 60_000, connectTimeoutMs: 30_000, rejoinWindowMs: 30_000 }),
    webhook: z
      .object({
        url: z
          .url()
          .optional()
          .describe(
            'Where `call.invite` (push) and `call.ended` are POSTed; no webhooks when unset.',
          ),
        secret: z
          .string()
          .min(16)
          .optional()
          .describe('HMAC-SHA256 key of `X-Trayphone-Signature`.'),
      })
      .default({}),
    media: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'The mediasoup SFU in this process; off only for signaling-only deployments and tests (calls then never get media, see docs/protocol.md).',
          ),
      })
      .prefault({}),
    sfu: sfuConfigSchema.prefault({}),
    // ---- the durable store (server/store/store-config.ts) ----
    ...storeConfigShape,
    // ---- SFU nodes (server/sfu-node): roles and the node registry.
    role: serverRoleSchema,
    sfuNodes: sfuNodesSchema,
    // ---- cluster mode (server/cluster/cluster-config.ts) ----
    cluster: clusterConfigSchema,
  })
  .superRefine(checkStoreConfig)
  .superRefine(checkClusterStore);
export type ServerConfig = z.infer<typeof configSchema>;
/** What a caller may pass in code (tests, the CLI): any subset, validated like a file. */
export type ServerConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const text = (v: string): unknown => v;
const number = (v: string): unknown => Number(v);
const flag = (v: string): unknown => v !== 'false' && v !== '0';

/** The environment variables, each the configuration key it sets (the reference lists them). */
export const ENV_VARIABLES: readonly {
  name: string;
  path: readonly string[];
  parse: (value: string) => unknown;
}[] = [
  { name: 'TRAYPHONE_HOST', path: ['host'], parse: text },
  { name: 'TRAYPHONE_PORT', path: ['port'], parse: number },
  { name: 'TRAYPHONE_PUBLIC_URL', path: ['publicUrl'], parse: text },
  { name: 'TRAYPHONE_DATA_DIR', path: ['dataDir'], parse: text },
  { name: 'TRAYPHONE_WEB_ROOT', path: ['webRoot'], parse: text },
  { name: 'TRAYPHONE_LOG_LEVEL', path: ['logLevel'], parse: text },
  { name: 'TRAYPHONE_JWT_SECRET', path: ['auth', 'jwtSecret'], parse: text },
  { name: 'TRAYPHONE_ADMIN_API_KEY', path: ['auth', 'adminApiKey'], parse: text },
  { name: 'TRAYPHONE_WEBHOOK_URL', path: ['webhook', 'url'], parse: text },
  { name: 'TRAYPHONE_WEBHOOK_SECRET', path: ['webhook', 'secret'], parse: text },
  { name: 'TRAYPHONE_TLS_CERT', path: ['tls', 'certFile'], parse: text },
  { name: 'TRAYPHONE_TLS_KEY', path: ['tls', 'keyFile'], parse: text },
  { name: 'TRAYPHONE_MEDIA_ENABLED', path: ['media', 'enabled'], parse: flag },
  { name: 'TRAYPHONE_SFU_LISTEN_IP', path: ['sfu', 'listenIp'], parse: text },
  { name: 'TRAYPHONE_SFU_ANNOUNCED_IP', path: ['sfu', 'announcedIp'], parse: text },
  { name: 'TRAYPHONE_SFU_WORKERS', path: ['sfu', 'workers'], parse: number },
  { name: 'TRAYPHONE_ROLE', path: ['role'], parse: text },
  { name: 'TRAYPHONE_REDIS_URL', path: ['cluster', 'redisUrl'], parse: text },
  { name: 'TRAYPHONE_SFU_REDIS_URL', path: ['sfuNodes', 'redisUrl'], parse: text },
  { name: 'TRAYPHONE_SFU_NODE_ID', path: ['sfuNodes', 'id'], parse: text },
  { name: 'TRAYPHONE_SFU_PUBLIC_URL', path: ['sfuNodes', 'publicUrl'], parse: text },
  { name: 'TRAYPHONE_SFU_TICKET_SECRET', path: ['sfuNodes', 'ticketSecret'], parse: text },
  { name: 'TRAYPHONE_STORE', path: ['store'], parse: text },
  { name: 'TRAYPHONE_POSTGRES_URL', path: ['postgres', 'url'], parse: text },
  { name: 'TRAYPHONE_POSTGRES_POOL_SIZE', path: ['postgres', 'poolSize'], parse: number },
];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = isObject(next) ? next : (node[key] = {});
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isObject(prev) && isObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

/** Reads, merges and validates the configuration. Throws ConfigError listing every problem. */
export function loadConfig(options: {
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: ServerConfigInput;
}): ServerConfig {
  const env = options.env ?? {};
  let fromFile: Json = {};
  const file = options.file ?? env.TRAYPHONE_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
    }
    if (!isObject(parsed)) throw new ConfigError(`config file ${file} must hold a JSON object`);
    fromFile = parsed;
  }
  const fromEnv: Json = {};
  for (const { name, path, parse } of ENV_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(fromEnv, [...path], parse(value));
  }
  const merged = deepMerge(deepMerge(fromFile, fromEnv), options.overrides ?? {});
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const problems = roleProblems(result.data);
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return result.data;
}
