import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, usage } from './cli-usage.js';

/** Runs the real CLI (`npm run server -- ...` without npm) and collects what it printed. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
      // An empty environment of ours: no TRAYPHONE_* variable of the machine changes the outcome.
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A CLI that started a server instead would never exit: fail rather than hang.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server/main.ts ${args.join(' ')} did not exit; stdout: ${stdout}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('parseCommandLine', () => {
  it('gives usage for --help, -h and help, of one command when named', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', text: usage() });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help', text: usage() });
    expect(parseCommandLine(['help'])).toEqual({ kind: 'help', text: usage() });
    expect(parseCommandLine(['user', '--help'])).toEqual({ kind: 'help', text: usage('user') });
    expect(parseCommandLine(['help', 'queue'])).toEqual({ kind: 'help', text: usage('queue') });
    expect(parseCommandLine(['serve', '-h'])).toEqual({ kind: 'help', text: usage('serve') });
  });

  it('every command has its usage, and the whole usage names them all', () => {
    for (const command of ['serve', 'user', 'queue'] as const) {
      expect(usage(command)).toContain(command === 'serve' ? 'serve [--dev]' : `${command} list`);
      expect(usage()).toContain(usage(command).split('\n\n')[1] ?? 'missing');
    }
    for (const verb of ['add', 'list', 'disable', 'enable', 'passwd']) {
      expect(usage('user')).toContain(`user ${verb}`);
    }
  });

  it('refuses no command, an unknown command and an unknown option, with the usage', () => {
    for (const argv of [[], ['srve'], ['serve', '--port', '9']]) {
      const line = parseCommandLine(argv);
      expect(line.kind).toBe('usage-error');
      expect(line.kind === 'usage-error' && line.text).toContain(usage());
    }
    expect(parseCommandLine(['srve'])).toMatchObject({ text: /^unknown command srve/ });
    expect(parseCommandLine(['serve', '--port', '9'])).toMatchObject({ text: /--port/ });
  });

  it('passes a command, its arguments and options on', () => {
    expect(parseCommandLine(['user', 'add', 'ann', '--name', 'Ann', '--config', 'c.json'])).toEqual(
      {
        kind: 'run',
        command: 'user',
        args: ['add', 'ann'],
        values: { name: 'Ann', config: 'c.json' },
      },
    );
    expect(parseCommandLine(['serve', '--dev'])).toEqual({
      kind: 'run',
      command: 'serve',
      args: [],
      values: { dev: true },
    });
  });
});

describe('the server CLI as a process', () => {
  it('--help prints the usage and exits 0; user --help prints the user commands', async () => {
    const all = await runCli(['--help']);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout).toBe(`${usage()}\n`);
    const user = await runCli(['user', '--help']);
    expect(user).toMatchObject({ code: 0, stdout: `${usage('user')}\n` });
  });

  it('no command starts no server: the usage on stderr, exit 2', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('no command given');
  });
});
