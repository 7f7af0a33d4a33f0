import { execFile } from 'node:child_process';
import type { TimerPort } from '../app/ports.js';
import type { Log } from '../log/log.js';

/**
 * The desktop's own do-not-disturb, where the OS exposes it to an app, followed on opt-in (the
 * `followOsDoNotDisturb` setting): while it is on, an invitation gets no ringtone and no ringing
 * window, only the notification (silent anyway; the desktop files it quietly).
 *
 * Exposed: GNOME, as `gsettings get org.gnome.desktop.notifications show-banners` (false = do not
 * disturb), and KDE Plasma, as the notification server's `Inhibited` D-Bus property (read with
 * glib's `gdbus`, no D-Bus binding in the app); neither is watched without a D-Bus binding, so it
 * is read every few seconds while the setting is on. Not exposed: Windows' Focus assist / Do not
 * disturb (only `SHQueryUserNotificationState` in a native module, or undocumented WNF state),
 * macOS Focus (no public API for other apps' state besides an Intents entitlement for
 * communication apps, which Electron does not give). There the setting does nothing and the
 * settings screen says where it works.
 */

/** Runs a program and returns its standard output (rejects on failure or timeout). */
export type ExecPort = (file: string, args: string[]) => Promise<string>;

/** Reads the desktop's do-not-disturb: true / false, or undefined where it cannot be known. */
export type DoNotDisturbProbe = () => Promise<boolean | undefined>;

export function gnomeDoNotDisturbProbe(exec: ExecPort): DoNotDisturbProbe {
  return async () => {
    try {
      const out = (
        await exec('gsettings', ['get', 'org.gnome.desktop.notifications', 'show-banners'])
      ).trim();
      if (out === 'false') return true;
      if (out === 'true') return false;
      return undefined;
    } catch {
      return undefined; // no gsettings, or no such schema: not GNOME
    }
  };
}

/** KDE Plasma (and other servers with the property): `Inhibited` of org.freedesktop.Notifications. */
export function inhibitedNotificationsProbe(exec: ExecPort): DoNotDisturbProbe {
  return async () => {
    try {
      const out = await exec('gdbus', [
        'call',
        '--session',
        '--dest',
        'org.freedesktop.Notifications',
        '--object-path',
        '/org/freedesktop/Notifications',
        '--method',
        'org.freedesktop.DBus.Properties.Get',
        'org.freedesktop.Notifications',
        'Inhibited',
      ]);
      // gdbus prints the variant as `(<true>,)`.
      const value = /^\(<(true|false)>,\)$/.exec(out.trim())?.[1];
      return value === undefined ? undefined : value === 'true';
    } catch {
      return undefined; // no gdbus, no notification server, or no such property
    }
  };
}

/**
 * The probe for this desktop, or undefined where no do-not-disturb state is exposed. By
 * XDG_CURRENT_DESKTOP, because GNOME's schema is often installed (and always "show banners")
 * under other desktops too.
 */
export function doNotDisturbProbe(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
  exec: ExecPort,
): DoNotDisturbProbe | undefined {
  if (platform !== 'linux') return undefined;
  const desktops = (env.XDG_CURRENT_DESKTOP ?? '').toUpperCase().split(':');
  if (desktops.some((d) => d === 'GNOME' || d === 'UNITY' || d === 'UBUNTU')) {
    return gnomeDoNotDisturbProbe(exec);
  }
  if (desktops.includes('KDE')) return inhibitedNotificationsProbe(exec);
  return undefined;
}

/** `execFile` with a short timeout and a small output cap: a probe never hangs or floods. */
export const execFilePort: ExecPort = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 2_000, maxBuffer: 4_096, encoding: 'utf8' }, (error, out) => {
      if (error) reject(new Error(`${file}: ${error.message}`, { cause: error }));
      else resolve(out);
    });
  });

export const DND_POLL_MS = 5_000;

export class OsDoNotDisturb {
  private on = false;
  private poll: unknown;
  private reading = false;

  constructor(
    private readonly deps: {
      probe: DoNotDisturbProbe | undefined;
      /** The `followOsDoNotDisturb` setting. */
      enabled: () => boolean;
      timers: TimerPort;
      log: Log;
    },
  ) {}

  /** Whether invitations should be quiet now. */
  active(): boolean {
    return this.on && this.deps.enabled();
  }

  start(): void {
    if (!this.deps.probe || this.poll !== undefined) return;
    this.poll = this.deps.timers.setInterval(() => {
      void this.read();
    }, DND_POLL_MS);
    void this.read();
  }

  dispose(): void {
    if (this.poll !== undefined) this.deps.timers.clearInterval(this.poll);
    this.poll = undefined;
  }

  /** Reads the state once (only while the setting is on: no process spawned for nothing). */
  async read(): Promise<void> {
    const probe = this.deps.probe;
    if (!this.deps.enabled()) {
      this.on = false; // turned on again later, it starts from a fresh reading
      return;
    }
    if (!probe || this.reading) return;
    this.reading = true;
    try {
      // A probe that cannot tell (undefined) counts as off: an invitation rings as usual.
      const now = (await probe()) === true;
      if (now !== this.on) this.deps.log.info({ on: now }, 'desktop do-not-disturb');
      this.on = now;
    } finally {
      this.reading = false;
    }
  }
}
