import { SOFTPHONE_COMMANDS, type SoftphoneApi } from '../../protocol/index.js';
import type { SettingsWatch } from '../settings/settings-watch.js';

/**
 * The softphone as the IPC router runs it: plain delegation (the softphone's methods keep their
 * own `this`), with every settings result copied into main's `SettingsWatch`.
 */
export function withSettingsWatch(softphone: SoftphoneApi, watch: SettingsWatch): SoftphoneApi {
  const facade = { shell: softphone.shell, on: softphone.on.bind(softphone) } as Record<
    string,
    unknown
  >;
  for (const command of SOFTPHONE_COMMANDS) {
    const method = softphone[command] as (args: unknown) => Promise<unknown>;
    facade[command] = (args: unknown) => method.call(softphone, args);
  }
  const api = facade as SoftphoneApi;
  const refresh = async (): Promise<void> => {
    watch.set(await softphone.getSettings({}));
  };
  api.getSettings = async (args) => {
    const view = await softphone.getSettings(args);
    watch.set(view);
    return view;
  };
  api.updateSettings = async (patch) => {
    const view = await softphone.updateSettings(patch);
    watch.set(view);
    return view;
  };
  api.signIn = async (args) => {
    try {
      return await softphone.signIn(args);
    } finally {
      await refresh(); // signing in stores the server URL
    }
  };
  return api;
}
