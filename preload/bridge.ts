import {
  type InvokeChannel,
  SOFTPHONE_COMMANDS,
  SOFTPHONE_EVENT_NAMES,
  type ShellApi,
  type SoftphoneApi,
  type SoftphoneCommand,
  type SoftphoneEventName,
  hotkeyStatusSchema,
  ipcResponseSchema,
  shellViewSchema,
  sourcePickRequestSchema,
  softphoneEventChannel,
  updateStatusSchema,
} from '../protocol/index.js';

/**
 * What the preload exposes, built over a minimal IPC port so it runs (and is tested) without
 * Electron. Only named functions cross the bridge: no raw `ipcRenderer`, no channel parameter
 * the page could choose.
 */
export interface IpcPort {
  invoke(channel: InvokeChannel, payload: unknown): Promise<unknown>;
  /** Subscribes to a main → renderer channel; returns the unsubscribe function. */
  on(channel: string, listener: (payload: unknown) => void): () => void;
}

/**
 * A failed command, as the renderer receives it. A plain object on purpose: contextBridge copies
 * an Error with its message only, dropping `code`; a plain object keeps `name`, `code` and
 * `message` (protocol/softphone.ts: "across IPC as a plain object").
 */
export interface BridgedError {
  name: 'SoftphoneError';
  code: string;
  message: string;
  /** So that `String(error)` reads like an Error's (functions cross contextBridge as proxies). */
  toString(): string;
}

const bridgedError = (code: string, message: string): BridgedError => ({
  name: 'SoftphoneError',
  code,
  message,
  toString: () => `SoftphoneError: ${message}`,
});

async function call(ipc: IpcPort, channel: InvokeChannel, payload: unknown): Promise<unknown> {
  const raw = await ipc.invoke(channel, payload ?? {});
  const response = ipcResponseSchema.safeParse(raw);
  if (!response.success) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- see BridgedError
    throw bridgedError('internal', `bad answer on ${channel}`);
  }
  if (!response.data.ok) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- see BridgedError
    throw bridgedError(response.data.error.code, response.data.error.message);
  }
  return response.data.data;
}

export function createSoftphoneBridge(ipc: IpcPort): SoftphoneApi {
  const api: Record<string, unknown> = { shell: 'electron' };
  for (const command of SOFTPHONE_COMMANDS) {
    api[command] = (args: unknown) => call(ipc, `softphone:${command}` as const, args);
  }
  api.on = (event: SoftphoneEventName, listener: (data: unknown) => void): (() => void) => {
    if (!SOFTPHONE_EVENT_NAMES.includes(event)) throw new Error(`no softphone event ${event}`);
    return ipc.on(softphoneEventChannel(event), listener);
  };
  return api as SoftphoneApi & Record<SoftphoneCommand, unknown>;
}

export function createShellBridge(ipc: IpcPort): ShellApi {
  return {
    showWindow: () => call(ipc, 'window:show', {}) as Promise<null>,
    hideWindow: () => call(ipc, 'window:hide', {}) as Promise<null>,
    quit: () => call(ipc, 'app:quit', {}) as Promise<null>,
    openLogs: () => call(ipc, 'app:open-logs', {}) as Promise<null>,
    onPickSource: (listener) =>
      ipc.on('shell:pick-source', (payload) => {
        const request = sourcePickRequestSchema.safeParse(payload);
        if (request.success) listener(request.data);
      }),
    chooseSource: (requestId, sourceId) =>
      call(ipc, 'screen-share:choose', { requestId, sourceId }) as Promise<null>,
    onMuteToggle: (listener) =>
      ipc.on('shell:mute-toggle', () => {
        listener();
      }),
    onOpenView: (listener) =>
      ipc.on('shell:open-view', (payload) => {
        const view = shellViewSchema.safeParse((payload as { view?: unknown } | null)?.view);
        if (view.success) listener(view.data);
      }),
    hotkeyStatus: async () => {
      const status = hotkeyStatusSchema.safeParse(await call(ipc, 'hotkeys:status', {}));
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- see BridgedError
      if (!status.success) throw bridgedError('internal', 'bad answer on hotkeys:status');
      return status.data;
    },
    onHotkeyStatus: (listener) =>
      ipc.on('shell:hotkey-status', (payload) => {
        const status = hotkeyStatusSchema.safeParse(payload);
        if (status.success) listener(status.data);
      }),
    updateStatus: async () => {
      const status = updateStatusSchema.safeParse(await call(ipc, 'update:status', {}));
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- see BridgedError
      if (!status.success) throw bridgedError('internal', 'bad answer on update:status');
      return status.data;
    },
    onUpdateStatus: (listener) =>
      ipc.on('shell:update-status', (payload) => {
        const status = updateStatusSchema.safeParse(payload);
        if (status.success) listener(status.data);
      }),
  };
}
