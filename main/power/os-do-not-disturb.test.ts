import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { FakeTimers } from '../testing/fakes.js';
import {
  DND_POLL_MS,
  type ExecPort,
  OsDoNotDisturb,
  doNotDisturbProbe,
  execFilePort,
  gnomeDoNotDisturbProbe,
  inhibitedNotificationsProbe,
} from './os-do-not-disturb.js';

/** An exec that answers from a table (what each desktop's command prints) and records calls. */
function execOf(outputs: Record<string, string | Error>) {
  const ran: string[] = [];
  const exec: ExecPort = (file) => {
    ran.push(file);
    const out = outputs[file];
    if (out === undefined) return Promise.reject(new Error(`spawn ${file} ENOENT`));
    return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
  };
  return { exec, ran };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe("the desktop's do-not-disturb probes", () => {
  it('GNOME: show-banners false is do not disturb; anything else cannot be known', async () => {
    expect(await gnomeDoNotDisturbProbe(execOf({ gsettings: 'false\n' }).exec)()).toBe(true);
    expect(await gnomeDoNotDisturbProbe(execOf({ gsettings: 'true\n' }).exec)()).toBe(false);
    expect(await gnomeDoNotDisturbProbe(execOf({ gsettings: 'No such schema' }).exec)()).toBe(
      undefined,
    );
    expect(await gnomeDoNotDisturbProbe(execOf({}).exec)()).toBeUndefined();
  });

  it("KDE: the notification server's Inhibited property as gdbus prints it", async () => {
    expect(await inhibitedNotificationsProbe(execOf({ gdbus: '(<true>,)\n' }).exec)()).toBe(true);
    expect(await inhibitedNotificationsProbe(execOf({ gdbus: '(<false>,)\n' }).exec)()).toBe(false);
    const noProperty = new Error('GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs');
    expect(await inhibitedNotificationsProbe(execOf({ gdbus: noProperty }).exec)()).toBe(undefined);
    expect(await inhibitedNotificationsProbe(execOf({ gdbus: '(<1>,)' }).exec)()).toBeUndefined();
  });

  it('chosen by the desktop, none on Windows, macOS or an unknown desktop', async () => {
    const { exec, ran } = execOf({ gsettings: 'false', gdbus: '(<true>,)' });
    await doNotDisturbProbe('linux', { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }, exec)?.();
    await doNotDisturbProbe('linux', { XDG_CURRENT_DESKTOP: 'KDE' }, exec)?.();
    expect(ran).toEqual(['gsettings', 'gdbus']);
    expect(doNotDisturbProbe('linux', { XDG_CURRENT_DESKTOP: 'XFCE' }, exec)).toBeUndefined();
    expect(doNotDisturbProbe('linux', {}, exec)).toBeUndefined();
    expect(doNotDisturbProbe('win32', { XDG_CURRENT_DESKTOP: 'GNOME' }, exec)).toBeUndefined();
    expect(doNotDisturbProbe('darwin', {}, exec)).toBeUndefined();
  });

  it('execFilePort runs a real program and rejects when it fails', async () => {
    expect(await execFilePort(process.execPath, ['-e', 'process.stdout.write("false")'])).toBe(
      'false',
    );
    await expect(execFilePort(process.execPath, ['-e', 'process.exit(3)'])).rejects.toThrow();
    await expect(execFilePort('/nonexistent/gsettings', [])).rejects.toThrow();
  });
});

describe('OsDoNotDisturb (followed on opt-in)', () => {
  function setup(initial: boolean | undefined) {
    const state = { enabled: true, dnd: initial, probes: 0 };
    const timers = new FakeTimers();
    const dnd = new OsDoNotDisturb({
      probe: () => {
        state.probes += 1;
        return Promise.resolve(state.dnd);
      },
      enabled: () => state.enabled,
      timers,
      log: memoryLog(),
    });
    return { dnd, state, timers };
  }

  it('reads at start and every few seconds; active only while the setting is on', async () => {
    const { dnd, state, timers } = setup(true);
    dnd.start();
    dnd.start();
    await flush();
    expect(dnd.active()).toBe(true);
    state.dnd = false;
    timers.advance(DND_POLL_MS);
    await flush();
    expect(dnd.active()).toBe(false);
    state.dnd = undefined; // cannot tell: rings as usual
    timers.advance(DND_POLL_MS);
    await flush();
    expect(dnd.active()).toBe(false);
    expect(state.probes).toBe(3);
    dnd.dispose();
    expect(timers.active).toBe(0);
  });

  it('spawns nothing while the setting is off, and forgets the old reading', async () => {
    const { dnd, state, timers } = setup(true);
    dnd.start();
    await flush();
    state.enabled = false;
    expect(dnd.active()).toBe(false);
    timers.advance(DND_POLL_MS * 3);
    await flush();
    expect(state.probes).toBe(1);
    state.enabled = true;
    state.dnd = false;
    expect(dnd.active()).toBe(false);
    await dnd.read();
    expect(dnd.active()).toBe(false);
  });

  it('without a probe (Windows, macOS) it is never active and sets no timer', () => {
    const timers = new FakeTimers();
    const dnd = new OsDoNotDisturb({
      probe: undefined,
      enabled: () => true,
      timers,
      log: memoryLog(),
    });
    dnd.start();
    expect(timers.active).toBe(0);
    expect(dnd.active()).toBe(false);
  });
});
