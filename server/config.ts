import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { sfuConfigSchema } from './sfu/sfu-config.js';

/**
 * Server configuration: built-in defaults, overridden by a JSON file (`--config` or
 * TRAYPHONE_CONFIG), overridden by TRAYPHONE_* environment variables. Validated as a whole; an
 * invalid configuration stops the start with every problem listed.
 */
export const configSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8480),
  /** Public base URL clients use (for links and SFU tickets); derived from host/port if unset. */
  publicUrl: z.url().optional(),
  dataDir: z.string().default('.data'),
  /** The built web client served at `/` (npm run build:web); relative to the working directory. */
  webRoot: z.string().default('dist/web'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Development start: may create demo users on an empty database. */
  dev: z.boolean().default(false),
  tls: z.object({ certFile: z.string(), keyFile: z.string() }).optional(),
  auth: z
    .object({
      /** HMAC secret for JWTs; generated and kept in the data dir when unset. */
      jwtSecret: z.string().min(32).optional(),
      accessTokenTtlSec: z.number().int().min(60).default(3600),
      /**
       * A signaling session lives until its access token expires (`session.renew` moves that);
       * one not renewed by then is closed with `token-expired` this much later: time for a
       * client that was asleep or offline for a moment to refresh.
       */
      sessionRenewGraceSec: z.number().int().min(0).max(3600).default(60),
      refreshTokenTtlSec: z
        .number()
        .int()
        .min(300)
        .default(30 * 86_400),
      /**
       * Refresh tokens rotate, and an already-used one revokes its sign-in. The token just
       * replaced is accepted again this long after its use, answering the same new refresh
       * token: a retry after a lost answer, or browser tabs sharing a sign-in that refresh at
       * the same moment. 0 turns the grace off.
       */
      refreshReuseGraceSec: z.number().int().min(0).max(300).default(30),
      /** Bearer key for the admin REST API; the admin API is off when unset. */
      adminApiKey: z.string().min(24).optional(),
      /** Sign-in attempts a minute for one account: makes guessing its password useless. */
      signInPerAccountPerMinute: z.number().int().min(1).default(10),
      /**
       * Sign-in and refresh attempts a minute from one client address. Higher than the account
       * limit: an office behind one NAT address signs all its agents in from it at shift start.
       */
      signInPerAddressPerMinute: z.number().int().min(1).default(120),
      /**
       * Signed-in users are checked against the store this often, so that an account disabled
       * by another process (the `user disable` CLI) loses its calls and sessions within it.
       */
      accountCheckIntervalMs: z.number().int().min(100).default(5_000),
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
      heartbeatIntervalMs: z.number().int().min(100).default(10_000),
      /** A connection silent this long is declared gone. */
      deadAfterMs: z.number().int().min(200).default(30_000),
      /** Sockets that have not said a valid `hello` by then are closed. */
      authTimeoutMs: z.number().int().min(100).default(10_000),
      maxFrameBytes: z
        .number()
        .int()
        .min(1024)
        .default(64 * 1024),
      /** Token bucket per connection: sustained rate and burst. */
      rateLimitPerSec: z.number().min(1).default(50),
      rateLimitBurst: z.number().int().min(1).default(100),
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
      /**
       * Open connections (HTTP and WebSocket) from one client address; over it, 429 / 503.
       * High: every device of an office behind one NAT address shares that address.
       */
      connectionsPerAddress: z.number().int().min(1).default(2_000),
      /** Devices signed in at once on one account; one more gets `too-many-sessions`. */
      devicesPerUser: z.number().int().min(1).default(20),
      /**
       * An HTTP request (an upgrade too) whose headers are not complete by then is cut off:
       * a client that trickles a header every few seconds holds no connection for long.
       */
      headersTimeoutMs: z.number().int().min(100).default(20_000),
      /** The same for the whole request, body included (a body trickled byte by byte). */
      requestTimeoutMs: z.number().int().min(100).default(60_000),
    })
    .refine((l) => l.headersTimeoutMs <= l.requestTimeoutMs, {
      message: 'headersTimeoutMs must not be above requestTimeoutMs',
      path: ['headersTimeoutMs'],
    })
    .default({
      connectionsPerAddress: 2_000,
      devicesPerUser: 20,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 60_000,
    }),
  calls: z
    .object({
      defaultRingTimeoutMs: z.number().int().min(1000).default(60_000),
      /** After an acceptance, media must connect within this bound (enforced with the SFU). */
      connectTimeoutMs: z.number().int().min(1000).default(30_000),
      /**
       * A participant with no live device in a call (signaling gone, or their media transport
       * closed or silent) leaves with `connection-lost` after this; within it they may rejoin.
       */
      rejoinWindowMs: z.number().int().min(100).default(30_000),
    })
    .default({ defaultRingTimeoutMs: 60_000, connectTimeoutMs: 30_000, rejoinWindowMs: 30_000 }),
  webhook: z.object({ url: z.url().optional(), secret: z.string().min(16).optional() }).default({}),
  /** The mediasoup SFU in this process; off only for signaling-only deployments and tests. */
  media: z.object({ enabled: z.boolean().default(true) }).prefault({}),
  sfu: sfuConfigSchema.prefault({}),
});
export type ServerConfig = z.infer<typeof configSchema>;
/** What a caller may pass in code (tests, the CLI): any subset, validated like a file. */
export type ServerConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const ENV_MAP: Record<string, (v: string) => [string[], unknown]> = {
  TRAYPHONE_HOST: (v) => [['host'], v],
  TRAYPHONE_PORT: (v) => [['port'], Number(v)],
  TRAYPHONE_PUBLIC_URL: (v) => [['publicUrl'], v],
  TRAYPHONE_DATA_DIR: (v) => [['dataDir'], v],
  TRAYPHONE_WEB_ROOT: (v) => [['webRoot'], v],
  TRAYPHONE_LOG_LEVEL: (v) => [['logLevel'], v],
  TRAYPHONE_JWT_SECRET: (v) => [['auth', 'jwtSecret'], v],
  TRAYPHONE_ADMIN_API_KEY: (v) => [['auth', 'adminApiKey'], v],
  TRAYPHONE_WEBHOOK_URL: (v) => [['webhook', 'url'], v],
  TRAYPHONE_WEBHOOK_SECRET: (v) => [['webhook', 'secret'], v],
  TRAYPHONE_TLS_CERT: (v) => [['tls', 'certFile'], v],
  TRAYPHONE_TLS_KEY: (v) => [['tls', 'keyFile'], v],
  TRAYPHONE_MEDIA_ENABLED: (v) => [['media', 'enabled'], v !== 'false' && v !== '0'],
  TRAYPHONE_SFU_LISTEN_IP: (v) => [['sfu', 'listenIp'], v],
  TRAYPHONE_SFU_ANNOUNCED_IP: (v) => [['sfu', 'announcedIp'], v],
  TRAYPHONE_SFU_WORKERS: (v) => [['sfu', 'workers'], Number(v)],
};

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
  for (const [name, map] of Object.entries(ENV_MAP)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(fromEnv, ...map(value));
  }
  const merged = deepMerge(deepMerge(fromFile, fromEnv), options.overrides ?? {});
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
