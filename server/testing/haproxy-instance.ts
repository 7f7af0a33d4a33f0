import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

const SHIPPED = path.resolve(import.meta.dirname, '../../deploy/haproxy/haproxy.cfg');

/**
 * Debian's HAProxy with the shipped configuration (deploy/haproxy/haproxy.cfg) in front of test
 * servers: only the bind line and the lines between `# BEGIN nodes` and `# END nodes` are
 * replaced, so what is tested is what IT installs. Foreground (`-db`), stopped by PID.
 */
export class HaproxyInstance {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  get httpUrl(): string {
    return `http://127.0.0.1:${String(this.port)}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${String(this.port)}/ws`;
  }

  static async start(nodes: readonly { name: string; port: number }[]): Promise<HaproxyInstance> {
    const dir = mkdtempSync(path.join(tmpdir(), 'trayphone-haproxy-'));
    const port = await freePort();
    const file = path.join(dir, 'haproxy.cfg');
    writeFileSync(file, testConfig(port, nodes));
    const child = spawn('haproxy', ['-db', '-f', file], { stdio: 'ignore' });
    const instance = new HaproxyInstance(port, dir, child);
    await instance.waitForListening();
    return instance;
  }

  async stop(): Promise<void> {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitForListening(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.child.exitCode !== null) break;
      const open = await new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port: this.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => {
          resolve(false);
        });
      });
      if (open) return;
      await sleep(50);
    }
    throw new Error(`haproxy did not listen on ${String(this.port)}`);
  }
}

/** The shipped file with this test's bind address and nodes; everything else as shipped. */
export function testConfig(port: number, nodes: readonly { name: string; port: number }[]): string {
  const shipped = readFileSync(SHIPPED, 'utf8');
  const bind = /^ {4}bind :8080$/m;
  const region = /^ {4}# BEGIN nodes\n[\s\S]*?^ {4}# END nodes$/m;
  if (!bind.test(shipped) || !region.test(shipped)) {
    throw new Error(`${SHIPPED}: the bind line or the BEGIN/END nodes lines moved`);
  }
  const servers = nodes.map((n) => `    server ${n.name} 127.0.0.1:${String(n.port)} check`);
  return shipped
    .replace(bind, `    bind 127.0.0.1:${String(port)}`)
    .replace(region, ['    # BEGIN nodes', ...servers, '    # END nodes'].join('\n'));
}
