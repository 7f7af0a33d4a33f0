/**
 * The server's command line (usage and parsing: cli-usage.ts, `--help` prints it): `serve`
 * runs the server, `user ...` and `queue ...` change the database. Configuration comes from the
 * file, TRAYPHONE_* variables and built-in defaults (docs/generated/configuration.md).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { passwordSchema, userIdSchema } from '../protocol/index.js';
import { startServer } from './app.js';
import { ConfigError, type ServerConfig, loadConfig } from './config.js';
import { type CliValues, parseCommandLine, usage } from './cli-usage.js';
import { queueCommand } from './contact-center/cli.js';
import { type Logger, createLogger } from './logger.js';
import { openStores } from './store/open-stores.js';
import type { Stores } from './store/types.js';

/** The CLI talks to a person: plain lines on stdout/stderr, not log records. */
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const fail = (line: string): never => {
  process.stderr.write(`${line}\n`);
  process.exit(1);
};

const generatedPassword = (): string => randomBytes(12).toString('base64url');

async function withStores<T>(
  config: ServerConfig,
  work: (stores: Stores) => Promise<T>,
): Promise<T> {
  const logger = createLogger({ level: 'warn', destination: 2 });
  const stores = await openStores(config, logger);
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

/** A development start on an empty database gets two demo users so a call can be placed at once. */
async function seedDemoUsers(stores: Stores): Promise<void> {
  if ((await stores.users.list({ limit: 1 })).length > 0) return;
  say('Empty database: created two demo users (passwords are shown only this once):');
  for (const [userId, displayName] of [
    ['alice', 'Alice'],
    ['bob', 'Bob'],
  ] as const) {
    const password = generatedPassword();
    await stores.users.create({ userId, displayName, password });
    say(`  ${userId} / ${password}`);
  }
}

/**
 * `npm start` runs the server and the web client only; the desktop app needs Electron's binary,
 * which this machine may not have (the `electron` package resolves to its path, or throws).
 */
function desktopNote(): string {
  try {
    const electronPath = createRequire(import.meta.url)('electron') as unknown;
    if (typeof electronPath === 'string' && existsSync(electronPath)) {
      return `Desktop app: \`npm run dev:desktop\` opens it (Electron at ${electronPath}).`;
    }
  } catch {
    // No binary: node_modules/electron was installed without its download.
  }
  return 'No desktop window opened: no Electron binary is installed here. The web client at the URL above is the same app.';
}

/**
 * Keeps a serving process alive through what a handler throws outside any request's own
 * try/catch. Node's default is to exit, and one exit cuts every call and signs every user out:
 * one bug in one handler (or one input nobody thought of) must not take all calls down. The
 * guard logs at fatal/error with the stack, so the bug is seen and fixed, not hidden.
 */
function guardProcess(logger: Logger): void {
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin }, 'uncaught exception: kept serving');
  });
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection: kept serving');
  });
}

async function serve(config: ServerConfig): Promise<void> {
  const logger = createLogger({ level: config.logLevel });
  const server = await startServer({ config, logger });
  guardProcess(logger);
  const { users } = server.services.stores;
  if (config.dev) await seedDemoUsers(server.services.stores);
  else if ((await users.list({ limit: 1 })).length === 0) {
    logger.warn(
      'no accounts yet: add one with `npm run server -- user add ID --name NAME` or the admin API',
    );
  }
  say(`Trayphone server: ${server.httpUrl}  (signaling ${server.signalingUrl})`);
  if (config.dev) say(desktopNote());
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
}

async function userCommand(config: ServerConfig, args: string[], values: CliValues): Promise<void> {
  const [verb, rawId] = args;
  await withStores(config, async ({ users }) => {
    if (verb === 'list') {
      for (const u of await users.list({ limit: 1000 })) {
        say(`${u.userId}\t${u.displayName}\t${u.disabled ? 'disabled' : 'active'}`);
      }
      return;
    }
    const id = userIdSchema.safeParse(rawId);
    if (!id.success) {
      fail(`user ${verb ?? ''}: give a valid user id (${id.error.issues[0]?.message ?? ''})`);
      return;
    }
    const userId = id.data;
    if (verb === 'add') {
      const password = values.password ?? generatedPassword();
      const valid = passwordSchema.safeParse(password);
      if (!valid.success) fail(valid.error.issues[0]?.message ?? 'bad password');
      await users.create({ userId, displayName: values.name ?? userId, password });
      say(`created ${userId}${values.password ? '' : ` with password ${password}`}`);
    } else if (verb === 'disable' || verb === 'enable') {
      if (!(await users.get(userId))) fail(`no such user: ${userId}`);
      await users.setDisabled(userId, verb === 'disable');
      // A running server notices within auth.accountCheckIntervalMs and ends the user's calls
      // and sessions (server/signaling/account-guard.ts).
      say(`${userId} ${verb}d`);
    } else if (verb === 'passwd') {
      if (!(await users.get(userId))) fail(`no such user: ${userId}`);
      const password = values.password ?? generatedPassword();
      await users.setPassword(userId, password);
      say(`password of ${userId} set${values.password ? '' : ` to ${password}`}`);
    } else {
      fail(usage('user'));
    }
  });
}

async function main(): Promise<void> {
  const line = parseCommandLine(process.argv.slice(2));
  if (line.kind === 'help') {
    say(line.text);
    return;
  }
  if (line.kind === 'usage-error') {
    process.stderr.write(`${line.text}\n`);
    process.exit(2);
  }
  const { command, args, values } = line;
  let config: ServerConfig;
  try {
    config = loadConfig({
      env: process.env,
      ...(values.config ? { file: values.config } : {}),
      overrides: values.dev ? { dev: true } : {},
    });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (command === 'serve') await serve(config);
  else if (command === 'user') await userCommand(config, args, values);
  else {
    await withStores(config, (stores) => queueCommand(stores, args, values, say)).catch(
      (error: unknown) => {
        fail(`queue: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
