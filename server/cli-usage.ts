import { parseArgs } from 'node:util';
import { QUEUE_USAGE, type QueueCliValues } from './contact-center/cli.js';

/**
 * The server's command line, parsed without side effects: `--help` (or `-h`, or `help [COMMAND]`)
 * prints usage and exits 0; no command, an unknown command or an unknown option prints usage to
 * stderr and exits 2. Only `serve` starts a server: a mistyped command must not open a port.
 */

export type CliCommand = 'serve' | 'user' | 'queue';

export type CliValues = {
  config?: string;
  dev?: boolean;
  name?: string;
  password?: string;
  role?: string;
} & QueueCliValues;

export type CommandLine =
  /** Usage asked for: print `text` on stdout, exit 0. */
  | { kind: 'help'; text: string }
  /** Not a command line this CLI takes: print `text` on stderr, exit 2. */
  | { kind: 'usage-error'; text: string }
  | { kind: 'run'; command: CliCommand; args: string[]; values: CliValues };

const SERVE_USAGE = `serve [--dev] [--config FILE] [--role all|signaling|sfu]
  Runs the server (HTTP, /ws signaling, /sfu media) on host:port from the configuration
  (default 127.0.0.1:8480). --dev: a development start (demo users on an empty database).
  --role: all (default: signaling and media in one process), signaling (media on the SFU
  nodes registered in Redis), sfu (an SFU node: media only; needs cluster.redisUrl).
  Configuration: FILE (or TRAYPHONE_CONFIG), then TRAYPHONE_* variables, over the defaults
  (docs/generated/configuration.md lists every key).`;

const USER_USAGE = `user add ID --name NAME [--password PW]   create an account (a password is generated if omitted)
  user list                                   every account: id, name, active or disabled
  user disable ID | user enable ID            disabling ends the user's calls and sessions and revokes their sign-ins
  user passwd ID [--password PW]              set a password (generated if omitted); revokes every sign-in`;

const COMMAND_USAGE: Record<CliCommand, string> = {
  serve: SERVE_USAGE,
  user: USER_USAGE,
  queue: QUEUE_USAGE,
};

const isCommand = (word: string | undefined): word is CliCommand =>
  word === 'serve' || word === 'user' || word === 'queue';

/** The usage of one command, or of all of them. */
export function usage(command?: CliCommand): string {
  const commands = command === undefined ? (['serve', 'user', 'queue'] as const) : [command];
  const body = commands.map((c) => `  ${COMMAND_USAGE[c]}`).join('\n\n');
  const options = '  --config FILE   the configuration file (every command reads it: dataDir)';
  return `usage: npm run server -- COMMAND ...\n\n${body}\n\n${options}\n  --help, -h      this text (after a command: that command's)`;
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string' },
        dev: { type: 'boolean' },
        name: { type: 'string' },
        password: { type: 'string' },
        role: { type: 'string' },
        strategy: { type: 'string' },
        tier: { type: 'string' },
        skill: { type: 'string' },
        set: { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    // parseArgs throws a TypeError naming the option (unknown, or missing its value).
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'usage-error', text: `${reason}\n\n${usage()}` };
  }
  const { help, ...values } = parsed.values;
  const [first, ...rest] = parsed.positionals;
  if (first === 'help') {
    const topic = rest[0];
    return { kind: 'help', text: usage(isCommand(topic) ? topic : undefined) };
  }
  if (help === true) return { kind: 'help', text: usage(isCommand(first) ? first : undefined) };
  if (first === undefined) {
    return {
      kind: 'usage-error',
      text: `no command given (a server starts with serve)\n\n${usage()}`,
    };
  }
  if (!isCommand(first)) {
    return { kind: 'usage-error', text: `unknown command ${first}\n\n${usage()}` };
  }
  return { kind: 'run', command: first, args: rest, values };
}
