import type { SettingsView } from '../../protocol/index.js';
import type { SettingsWatch } from '../settings/settings-watch.js';
import type { HotkeyRegistry } from '../shell/hotkeys.js';
import { type LoginItemPlan, loginItemPlan } from '../shell/login-item.js';
import type { ProtocolClaims } from '../shell/protocol-claims.js';
import type { ApplicationMenuPort, PlatformInfo } from './ports.js';

/**
 * The settings that change the desktop shell rather than the softphone: global hotkeys, start
 * at login, the click-to-call scheme claims and the application menu's language. Applied once
 * at start, then each only when its own setting changes.
 */
export class ShellSettings {
  constructor(
    private readonly deps: {
      settings: SettingsWatch;
      hotkeys: HotkeyRegistry;
      applyLoginItem: (plan: LoginItemPlan) => void;
      platform: PlatformInfo;
      clickToCall?: ProtocolClaims | undefined;
      applicationMenu?: ApplicationMenuPort | undefined;
    },
  ) {}

  applyAll(): void {
    const current = this.deps.settings.current();
    this.applyHotkeysAndLoginItem(true);
    this.deps.applicationMenu?.(current.language);
    this.deps.clickToCall?.apply(current.clickToCall);
  }

  changed(view: SettingsView, previous: SettingsView): void {
    const [now, before] = [view.settings, previous.settings];
    this.applyHotkeysAndLoginItem(now.launchAtLogin !== before.launchAtLogin);
    if (now.clickToCall !== before.clickToCall) this.deps.clickToCall?.apply(now.clickToCall);
    if (now.language !== before.language) this.deps.applicationMenu?.(now.language);
  }

  private applyHotkeysAndLoginItem(loginItemToo: boolean): void {
    const { settings, platform } = this.deps;
    const current = settings.current();
    this.deps.hotkeys.configure(current.hotkeys);
    if (!loginItemToo) return;
    this.deps.applyLoginItem(
      loginItemPlan({
        platform: platform.os,
        enabled: current.launchAtLogin,
        execPath: platform.execPath,
        appImage: platform.appImage,
        configHome: platform.configHome,
        appArgs: platform.appArgs,
      }),
    );
  }
}
