import type { z } from 'zod';
import {
  type IpcResponse,
  type IpcRejectionCode,
  type ShellArgs,
  type ShellCommand,
  type ShellResult,
  type SoftphoneApi,
  type SoftphoneCommand,
  SHELL_COMMANDS,
  SOFTPHONE_COMMANDS,
  SoftphoneError,
  shellCommands,
  softphoneCommands,
} from '../../protocol/index.js';
import type { Log } from '../log/log.js';
import type { SenderFrame } from '../security/origins.js';

/**
 * The main process's IPC door. Each `invoke` goes through `handle`, which (1) checks that the
 * sender is our own renderer's main frame, (2) parses the payload against the channel's schema,
 * and only then (3) runs the command. Refusals come back as a typed `{ ok: false, error }` and run
 * nothing; failures of the command itself keep their `SoftphoneError` code.
 */

export type ShellHandlers = {
  [C in ShellCommand]: (args: ShellArgs<C>) => Promise<ShellResult<C>>;
};

export interface IpcRouterDeps {
  softphone: SoftphoneApi;
  shell: ShellHandlers;
  isTrustedSender: (frame: SenderFrame | null) => boolean;
  log: Log;
}

type Route = { schema: z.ZodType; run: (args: never) => Promise<unknown> };

const reject = (code: IpcRejectionCode, message: string): IpcResponse => ({
  ok: false,
  error: { code, message },
});

export class IpcRouter {
  private readonly routes = new Map<string, Route>();

  constructor(private readonly deps: IpcRouterDeps) {
    for (const command of SOFTPHONE_COMMANDS) this.addSoftphone(command);
    for (const command of SHELL_COMMANDS) {
      this.routes.set(command, {
        schema: shellCommands[command].args,
        run: (args: never) => deps.shell[command](args),
      });
    }
  }

  /** Every channel to register with `ipcMain.handle`. */
  channels(): string[] {
    return [...this.routes.keys()];
  }

  async handle(
    channel: string,
    sender: SenderFrame | null,
    payload: unknown,
  ): Promise<IpcResponse> {
    const route = this.routes.get(channel);
    if (!route) return reject('unknown-channel', `no IPC channel ${channel}`);
    if (!this.deps.isTrustedSender(sender)) {
      this.deps.log.warn(
        { channel, sender: sender?.url ?? null },
        'IPC from a foreign frame refused',
      );
      return reject('forbidden-sender', `${channel} is only for the Trayphone window`);
    }
    const parsed = route.schema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.deps.log.warn({ channel, path: issue?.path.join('.') }, 'IPC payload refused');
      return reject(
        'invalid-argument',
        `${channel}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
      );
    }
    try {
      const data: unknown = await route.run(parsed.data as never);
      return { ok: true, data: data ?? null };
    } catch (error) {
      if (error instanceof SoftphoneError) {
        return { ok: false, error: { code: error.code, message: error.message } };
      }
      this.deps.log.error({ channel, err: error }, 'IPC command failed unexpectedly');
      return { ok: false, error: { code: 'internal', message: String(error) } };
    }
  }

  private addSoftphone(command: SoftphoneCommand): void {
    this.routes.set(`softphone:${command}`, {
      schema: softphoneCommands[command].args,
      run: (args: never) => {
        const method = this.deps.softphone[command] as (args: unknown) => Promise<unknown>;
        return method.call(this.deps.softphone, args);
      },
    });
  }
}
