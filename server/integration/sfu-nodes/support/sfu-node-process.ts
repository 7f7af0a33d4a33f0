import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerConfigInput } from '../../../config.js';
import { z } from 'zod';
import { type SfuLoad, sfuLoadSchema } from '../../../sfu-node/node-wire.js';
import { type ChildProbe, childAnswerSchema } from './probes.js';

const CHILD = fileURLToPath(new URL('./sfu-node-child.ts', import.meta.url));

/** An SFU node child process (`startSfuNode` in its own process), stopped by its PID. */
export class SfuNodeProcess {
  private nextReq = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly id: string,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        for (const p of this.pending.values()) p.reject(new Error(`sfu node ${id} exited`));
        this.pending.clear();
        resolve();
      });
    });
    child.on('message', (message: unknown) => {
      const answer = childAnswerSchema.parse(message);
      if (!('reqId' in answer)) return;
      const p = this.pending.get(answer.reqId);
      this.pending.delete(answer.reqId);
      if (answer.error !== undefined) p?.reject(new Error(answer.error));
      else p?.resolve(answer.result);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(id: string, config: ServerConfigInput): Promise<SfuNodeProcess> {
    const child = fork(CHILD, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        SFU_NODE_CONFIG: JSON.stringify({
          host: '127.0.0.1',
          port: 0,
          logLevel: 'silent',
          sfu: { workers: 1, statsIntervalMs: 300 },
          ...config,
          sfuNodes: { id, publicUrl: 'ws://127.0.0.1:0/sfu', ...config.sfuNodes },
        }),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<{ id: string; url: string }>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`sfu node ${id} did not start`));
      }, 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sfu node ${id} exited at start (${String(code)})`));
      });
      child.on('message', (message: unknown) => {
        const answer = childAnswerSchema.safeParse(message);
        if (answer.success && 'type' in answer.data) {
          clearTimeout(timer);
          resolve(answer.data);
        }
      });
    });
    child.removeAllListeners('exit');
    return new SfuNodeProcess(child, ready.id, ready.url);
  }

  probe(probe: Omit<ChildProbe, 'reqId'>): Promise<unknown> {
    const reqId = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      this.child.send({ ...probe, reqId });
    });
  }

  async load(): Promise<SfuLoad> {
    return sfuLoadSchema.parse(await this.probe({ op: 'load' }));
  }

  /** A plain RTP transport (send) for a peer: where the test's RTP goes in. */
  async plainTransport(
    callId: string,
    userId: string,
  ): Promise<{ transportId: string; ip: string; port: number }> {
    return z
      .object({ transportId: z.string(), ip: z.string(), port: z.number() })
      .parse(await this.probe({ op: 'plain', callId, userId }));
  }

  /** The users in the call's room on this node, or null when it has none. */
  async roomUsers(callId: string): Promise<string[] | null> {
    return z
      .array(z.string())
      .nullable()
      .parse(await this.probe({ op: 'room', callId }));
  }

  /** kill -9: no goodbye, its registration expires by itself. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
