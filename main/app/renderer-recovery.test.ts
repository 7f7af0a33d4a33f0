import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { FakeSoftphone, FakeTimers, incoming, outgoing, snapshot } from '../testing/fakes.js';
import type { DialogSpec } from './ports.js';
import { CRASH_HANGUP_TIMEOUT_MS, CRASH_LOOP, RendererRecovery } from './renderer-recovery.js';

/** A dialog the test answers: each `ask` waits until `answer(i)` or its signal aborts. */
class FakeDialog {
  readonly asked: { spec: DialogSpec; aborted: () => boolean }[] = [];
  private readonly pending: ((index: number) => void)[] = [];
  ask(spec: DialogSpec, signal?: AbortSignal): Promise<number> {
    this.asked.push({ spec, aborted: () => signal?.aborted === true });
    return new Promise((resolve) => {
      this.pending.push(resolve);
      // Electron resolves an aborted box with its cancelId.
      signal?.addEventListener('abort', () => {
        resolve(spec.cancelId);
      });
    });
  }
  answer(index: number): void {
    this.pending.shift()?.(index);
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(options: { language?: 'en' | 'zh-CN'; dialog?: boolean } = {}) {
  const softphone = new FakeSoftphone();
  const timers = new FakeTimers();
  const log = memoryLog();
  const dialog = new FakeDialog();
  const window: string[] = [];
  const state = { quitting: false, quits: 0 };
  const recovery = new RendererRecovery({
    window: {
      show: () => window.push('show'),
      hide: () => window.push('hide'),
      isVisible: () => true,
      openView: () => undefined,
      muteToggle: () => undefined,
      reload: () => window.push('reload'),
      restartRenderer: () => {
        window.push('restart-renderer');
        // Electron: forcefullyCrashRenderer ends the process, `render-process-gone` (killed).
        recovery.gone({ reason: 'killed', exitCode: 0 });
      },
    },
    dialog: options.dialog === false ? undefined : dialog,
    softphone: softphone.asHost(),
    snapshot: () => softphone.current,
    language: () => options.language ?? 'en',
    quitting: () => state.quitting,
    quit: () => {
      state.quits += 1;
    },
    timers,
    log,
  });
  return { recovery, softphone, timers, log, dialog, window, state };
}

const crashed = { reason: 'crashed', exitCode: 139 };

describe('RendererRecovery (the main window renderer dying or hanging)', () => {
  it('a crash during a call reloads the window and keeps the call: nothing is hung up', () => {
    const { recovery, softphone, window, log } = setup();
    softphone.current = snapshot({ calls: [incoming('c1', 'active')] });
    recovery.gone(crashed);
    expect(window).toEqual(['reload']);
    expect(softphone.commands).toEqual([]);
    const callLine = log.lines.find((l) => l.fields.callId === 'c1');
    expect(callLine?.message).toContain('rejoins its media');
  });

  it('crashes spread over time reload each time; a crash loop ends the calls and stops reloading', async () => {
    const { recovery, softphone, timers, window, dialog } = setup();
    softphone.current = snapshot({
      calls: [incoming('c1', 'active'), outgoing('c2', 'dialing'), incoming('c3', 'ended')],
    });
    for (let i = 0; i < 5; i++) {
      recovery.gone(crashed);
      timers.advance(CRASH_LOOP.withinMs);
    }
    expect(window).toEqual(Array(5).fill('reload'));
    expect(softphone.commands).toEqual([]);

    window.length = 0;
    for (let i = 0; i < CRASH_LOOP.crashes; i++) {
      recovery.gone(crashed);
      timers.advance(1_000);
    }
    await flush();
    // Two reloads, then the third crash within the minute: no third reload.
    expect(window).toEqual(['reload', 'reload']);
    expect(softphone.commands).toEqual([
      { command: 'hangup', args: { callId: 'c1' } },
      { command: 'cancel', args: { callId: 'c2' } },
    ]);
    expect(dialog.asked).toHaveLength(1);
    expect(dialog.asked[0]?.spec).toMatchObject({
      type: 'error',
      title: 'Trayphone keeps crashing',
      buttons: ['Reload window', 'Quit Trayphone'],
    });
    expect(dialog.asked[0]?.spec.detail).toContain('Your calls were ended');
    // Halted: a further crash does nothing until the user answers.
    recovery.gone(crashed);
    expect(window).toEqual(['reload', 'reload']);
    dialog.answer(0);
    await flush();
    expect(window).toEqual(['reload', 'reload', 'reload']);
    // The count starts over after the user's reload.
    recovery.gone(crashed);
    expect(window.at(-1)).toBe('reload');
    expect(window).toHaveLength(4);
  });

  it('after a crash loop the user may quit; a dead connection does not hold the question back', async () => {
    const { recovery, softphone, timers, dialog, state } = setup({ language: 'zh-CN' });
    softphone.current = snapshot({ calls: [incoming('c1', 'active')] });
    softphone.hang = true;
    for (let i = 0; i < CRASH_LOOP.crashes; i++) recovery.gone(crashed);
    await flush();
    expect(dialog.asked).toHaveLength(0);
    timers.advance(CRASH_HANGUP_TIMEOUT_MS);
    await flush();
    expect(dialog.asked[0]?.spec.title).toBe('Trayphone 反复崩溃');
    dialog.answer(1);
    await flush();
    expect(state.quits).toBe(1);
  });

  it('a crash while quitting is left alone', () => {
    const { recovery, window, state } = setup();
    state.quitting = true;
    recovery.gone(crashed);
    expect(window).toEqual([]);
  });

  it('unresponsive asks once; choosing reload ends the hung renderer, and that is not counted as a crash', async () => {
    const { recovery, dialog, window, softphone } = setup();
    softphone.current = snapshot({ calls: [incoming('c1', 'active')] });
    recovery.unresponsive();
    recovery.unresponsive();
    expect(dialog.asked).toHaveLength(1);
    expect(dialog.asked[0]?.spec).toMatchObject({
      type: 'warning',
      buttons: ['Wait', 'Reload window'],
      cancelId: 0,
    });
    dialog.answer(1);
    await flush();
    expect(window).toEqual(['restart-renderer', 'reload']);
    // Two real crashes after it still reload: the user's restart did not count toward the loop.
    recovery.gone(crashed);
    recovery.gone(crashed);
    expect(window).toEqual(['restart-renderer', 'reload', 'reload', 'reload']);
    expect(softphone.commands).toEqual([]);
  });

  it('responsive again closes the question, and its late answer does nothing; waiting does nothing', async () => {
    const { recovery, dialog, window } = setup();
    recovery.unresponsive();
    recovery.responsive();
    await flush();
    expect(dialog.asked[0]?.aborted()).toBe(true);
    expect(window).toEqual([]);
    // A new hang asks again; "Wait" leaves the window as it is.
    recovery.unresponsive();
    expect(dialog.asked).toHaveLength(2);
    dialog.answer(0);
    await flush();
    expect(window).toEqual([]);
  });

  it('a crash while the hang question is open closes it and reloads', async () => {
    const { recovery, dialog, window } = setup();
    recovery.unresponsive();
    recovery.gone(crashed);
    await flush();
    expect(dialog.asked[0]?.aborted()).toBe(true);
    expect(window).toEqual(['reload']);
  });

  it('without a dialog port a hang is only logged', () => {
    const { recovery, window, log } = setup({ dialog: false });
    recovery.unresponsive();
    expect(window).toEqual([]);
    expect(log.lines.some((l) => l.message === 'main window renderer unresponsive')).toBe(true);
  });
});
