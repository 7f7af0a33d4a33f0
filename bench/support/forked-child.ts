import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** What every forked bench process understands and may answer. */
export interface ChildMessages {
  to: { type: string };
  from: { type: string };
}
type ToChild<M extends ChildMessages> = M['to'] | { type: 'exit' };
type FromChild<M extends ChildMessages> = M['from'] | { type: 'fatal'; message: string };
type Message<From, T> = Extract<From, { type: T }>;

interface Waiter<From> {
  type: string;
  resolve: (message: From) => void;
  reject: (error: Error) => void;
}

/**
 * A forked bench process (a load generator, a chaos shard) seen from the process that drives
 * it: send commands, await its reports by type. It exits on `exit`, and a `fatal` report or its
 * exit fails everything still awaited. Messages come from our own child over its IPC channel,
 * in the shapes of `M`.
 */
export class ForkedChild<M extends ChildMessages> {
  private readonly inbox: FromChild<M>[] = [];
  private readonly waiters = new Set<Waiter<FromChild<M>>>();
  private failure: Error | undefined;
  private exited = false;
  private readonly listeners = new Map<string, (message: FromChild<M>) => void>();

  constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (raw) => {
      this.receive(raw as FromChild<M>);
    });
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.failAll(new Error(`${label} exited (code ${code}, signal ${signal})`));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  send(message: ToChild<M>): void {
    if (this.failure) throw this.failure;
    this.child.send(message);
  }

  /** The next report of this type (already received or to come), or an error after `timeoutMs`. */
  async next<T extends FromChild<M>['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Message<FromChild<M>, T>> {
    const index = this.inbox.findIndex((m) => m.type === type);
    if (index >= 0) return this.inbox.splice(index, 1)[0] as Message<FromChild<M>, T>;
    if (this.failure) throw this.failure;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter<FromChild<M>> | undefined;
    try {
      return await new Promise<Message<FromChild<M>, T>>((resolve, reject) => {
        waiter = {
          type,
          resolve: (m) => {
            resolve(m as Message<FromChild<M>, T>);
          },
          reject,
        };
        this.waiters.add(waiter);
        timer = setTimeout(() => {
          reject(new Error(`${this.label}: no ${type} within ${timeoutMs} ms`));
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
  }

  /** Every report of this type goes to `handle` as it comes (never to `next`). */
  on<T extends FromChild<M>['type']>(type: T, handle: (m: Message<FromChild<M>, T>) => void): void {
    this.listeners.set(type, handle as (m: FromChild<M>) => void);
  }

  /** Asks it to exit, then kills it if it has not after `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.exited) return;
    try {
      this.child.send({ type: 'exit' });
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

  private receive(message: FromChild<M>): void {
    if (message.type === 'fatal') {
      const { message: text } = message as { message: string };
      this.failAll(new Error(`${this.label} failed: ${text}`));
      return;
    }
    const listener = this.listeners.get(message.type);
    if (listener) {
      listener(message);
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
