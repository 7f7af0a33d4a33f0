/**
 * Start at login, hidden in the tray. Windows and macOS have `app.setLoginItemSettings`; Linux
 * has no such API in Electron, so the XDG autostart entry is written by hand.
 */
export const HIDDEN_ARG = '--hidden';

export type LoginItemPlan =
  | {
      kind: 'login-item';
      settings: { openAtLogin: boolean; openAsHidden: boolean; path: string; args: string[] };
    }
  | { kind: 'xdg-autostart'; file: string; content: string | null };

export function loginItemPlan(input: {
  platform: NodeJS.Platform;
  enabled: boolean;
  execPath: string;
  /** `$XDG_CONFIG_HOME` or `~/.config`. */
  configHome: string;
  /** Extra leading arguments when running unpackaged (`electron .`). */
  appArgs?: string[];
  /**
   * `$APPIMAGE`: an AppImage runs from a temporary mount (/tmp/.mount_XXX) that is gone at the
   * next login; the autostart entry must start the AppImage file itself.
   */
  appImage?: string | undefined;
}): LoginItemPlan {
  const args = [...(input.appArgs ?? []), HIDDEN_ARG];
  if (input.platform === 'linux') {
    const execPath =
      input.appImage !== undefined && input.appImage !== '' ? input.appImage : input.execPath;
    const file = `${input.configHome}/autostart/trayphone.desktop`;
    if (!input.enabled) return { kind: 'xdg-autostart', file, content: null };
    const exec = [execPath, ...args].map(desktopQuote).join(' ');
    const content = [
      '[Desktop Entry]',
      'Type=Application',
      'Name=Trayphone',
      `Exec=${exec}`,
      'X-GNOME-Autostart-enabled=true',
      'NoDisplay=true',
      '',
    ].join('\n');
    return { kind: 'xdg-autostart', file, content };
  }
  return {
    kind: 'login-item',
    // macOS reads openAsHidden (older releases) / the hidden flag; Windows passes `args`.
    settings: { openAtLogin: input.enabled, openAsHidden: true, path: input.execPath, args },
  };
}

/** Quoting for the Exec key of a .desktop file (freedesktop Desktop Entry spec). */
function desktopQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

/** Whether this start should stay in the tray. */
export const startsHidden = (argv: readonly string[], settingHidden: boolean): boolean =>
  settingHidden || argv.includes(HIDDEN_ARG);
