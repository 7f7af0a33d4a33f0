import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { FromGenerator, ToGenerator } from './messages.js';

const GENERATOR_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generator.ts');

type Message<T extends FromGenerator['type']> = Extract<FromGenerator, { type: T }>;

interface Waiter {
  type: FromGenerator['type'];
  resolve: (message: FromGenerator) => void;
  reject: (error: Error) => void;
}

/** One forked load generator, seen from the orchestrator: send commands, await its reports. */
export class GeneratorHandle {
  private readonly inbox: FromGenerator[] = [];
  private readonly waiters = new Set<Waiter>();
  private failure: Error | undefined;
  private exited = false;

  private constructor(
    readonly index: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (raw) => {
      this.receive(raw as FromGenerator);
    });
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.failAll(new Error(`generator ${index} exited (code ${code}, signal ${signal})`));
    });
  }

  static start(index: number, options: { profileDir?: string } = {}): GeneratorHandle {
    const profile = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
    const child = fork(GENERATOR_FILE, [], {
      // A larger young generation: fewer scavenges, each a pause of the generator's own event
      // loop that would show up as server latency (5-15 ms pauses, twice a second, at 16 MB).
      // --expose-gc: each generator collects its set-up garbage before a step (generator.ts).
      execArgv: ['--import', 'tsx', '--max-semi-space-size=64', '--expose-gc', ...profile],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new GeneratorHandle(index, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  send(message: ToGenerator): void {
    if (this.failure) throw this.failure;
    this.child.send(message);
  }

  /** The next report of this type (already received or to come), or an error after `timeoutMs`. */
  async next<T extends FromGenerator['type']>(type: T, timeoutMs: number): Promise<Message<T>> {
    const index = this.inbox.findIndex((m) => m.type === type);
    if (index >= 0) return this.inbox.splice(index, 1)[0] as Message<T>;
    if (this.failure) throw this.failure;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    try {
      return await new Promise<Message<T>>((resolve, reject) => {
        waiter = {
          type,
          resolve: (m) => {
            resolve(m as Message<T>);
          },
          reject,
        };
        this.waiters.add(waiter);
        timer = setTimeout(() => {
          reject(new Error(`generator ${this.index}: no ${type} within ${timeoutMs} ms`));
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
  }

  /** Asks it to exit, then kills it if it has not after `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.exited) return;
    try {
      this.child.send({ type: 'exit' } satisfies ToGenerator);
    } catch {
      // The channel is already closed.
    }
    const deadline = performance.now() + graceMs;
    while (!this.hasExited() && performance.now() < deadline) await sleep(25);
    this.killNow();
  }

  /** Read through a method: the flag changes in an event handler, behind the compiler's back. */
  hasExited(): boolean {
    return this.exited;
  }

  killNow(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private receive(message: FromGenerator): void {
    if (message.type === 'fatal') {
      this.failAll(new Error(`generator ${this.index} failed: ${message.message}`));
      return;
    }
    for (const waiter of this.waiters) {
      if (waiter.type !== message.type) continue;
      this.waiters.delete(waiter);
      waiter.resolve(message);
      return;
    }
    this.inbox.push(message);
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
  }
}
