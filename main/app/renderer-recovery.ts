import type { ClientSettings, SoftphoneSnapshot } from '../../protocol/index.js';
import { type Log, forCall } from '../log/log.js';
import type { DialogPort, MainWindowPort, SoftphoneHost, TimerPort } from './ports.js';
import { endLiveCalls } from './quit.js';

/**
 * The main window's renderer dying or hanging. The call itself lives in main (core's Softphone
 * holds the signaling), so a dead renderer is reloaded and the call goes on: the reloaded page
 * gets the snapshot, shows the active call and its media hook joins the SFU again with a fresh
 * ticket (renderer/in-call/use-media-call.ts), as it does after any media reconnect. A renderer
 * that keeps dying would keep the other side listening to silence, so a crash loop (CRASH_LOOP)
 * hangs the calls up cleanly instead, and the user is told and may reload or quit.
 */
export const CRASH_LOOP = { crashes: 3, withinMs: 60_000 } as const;
/** Ending calls after a crash loop waits no longer than this for the server's answers. */
export const CRASH_HANGUP_TIMEOUT_MS = 3_000;

export interface RendererGone {
  reason: string;
  exitCode: number;
}

type Language = ClientSettings['language'];

const TEXT = {
  en: {
    hungTitle: 'Trayphone is not responding',
    hungMessage: 'The Trayphone window is not responding.',
    hungDetail:
      'Calls stay connected. Wait for it, or reload the window (a call’s sound drops for a moment while it reconnects).',
    wait: 'Wait',
    reload: 'Reload window',
    loopTitle: 'Trayphone keeps crashing',
    loopMessage: 'The Trayphone window crashed several times in a row.',
    loopDetail: (ended: boolean) =>
      `${ended ? 'Your calls were ended so nobody is left waiting on a silent line. ' : ''}Reload the window to go on, or quit. The logs folder (in the tray menu) helps support find out why.`,
    quit: 'Quit Trayphone',
  },
  'zh-CN': {
    hungTitle: 'Trayphone 没有响应',
    hungMessage: 'Trayphone 窗口没有响应。',
    hungDetail: '通话保持连接。可以等待，或重新加载窗口（重新连接时通话声音会短暂中断）。',
    wait: '等待',
    reload: '重新加载窗口',
    loopTitle: 'Trayphone 反复崩溃',
    loopMessage: 'Trayphone 窗口连续崩溃了多次。',
    loopDetail: (ended: boolean) =>
      `${ended ? '为避免对方一直听到无声，通话已挂断。' : ''}重新加载窗口继续使用，或退出。托盘菜单中的日志文件夹可帮助技术支持查明原因。`,
    quit: '退出 Trayphone',
  },
} as const satisfies Record<Language, Record<string, unknown>>;

export interface RendererRecoveryDeps {
  window: MainWindowPort;
  dialog?: DialogPort | undefined;
  softphone: SoftphoneHost;
  snapshot: () => SoftphoneSnapshot | undefined;
  language: () => Language;
  quitting: () => boolean;
  quit: () => void;
  timers: TimerPort;
  log: Log;
}

export class RendererRecovery {
  private crashes: number[] = [];
  /** A crash loop was declared: no more reloads until the user asks for one. */
  private halted = false;
  private hungDialog: AbortController | undefined;
  /** We ended a hung renderer at the user's request: its `gone` is not a crash. */
  private restartRequested = false;

  constructor(private readonly deps: RendererRecoveryDeps) {}

  /** `render-process-gone` on the main window. */
  gone(details: RendererGone): void {
    const { log, timers } = this.deps;
    if (this.deps.quitting() || this.halted) return;
    this.closeHungDialog();
    const live = this.liveCalls();
    if (this.restartRequested) {
      this.restartRequested = false;
      log.info({ ...details, calls: live.length }, 'hung main window renderer ended: reloading');
      this.deps.window.reload();
      return;
    }
    const now = timers.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_LOOP.withinMs), now];
    if (this.crashes.length >= CRASH_LOOP.crashes) {
      log.error(
        { ...details, crashes: this.crashes.length, calls: live.length },
        'main window renderer crash loop: ending calls, no more reloads',
      );
      this.halted = true;
      this.crashLoop(live.length > 0).catch((error: unknown) => {
        log.error({ err: error }, 'renderer crash loop: could not ask the user');
      });
      return;
    }
    log.warn({ ...details, calls: live.length }, 'main window renderer gone: reloading');
    for (const callId of live) {
      forCall(log, callId).info({}, 'call goes on: the reloaded window rejoins its media');
    }
    this.deps.window.reload();
  }

  /** `unresponsive`: ask whether to wait or reload (a reload goes through `gone`). */
  unresponsive(): void {
    const { dialog, log } = this.deps;
    if (this.hungDialog || this.halted || this.deps.quitting()) return;
    log.warn({ calls: this.liveCalls().length }, 'main window renderer unresponsive');
    if (!dialog) return;
    const t = TEXT[this.deps.language()];
    const abort = new AbortController();
    this.hungDialog = abort;
    void dialog
      .ask(
        {
          type: 'warning',
          title: t.hungTitle,
          message: t.hungMessage,
          detail: t.hungDetail,
          buttons: [t.wait, t.reload],
          defaultId: 0,
          cancelId: 0,
        },
        abort.signal,
      )
      .then(
        (answer) => {
          if (this.hungDialog === abort) this.hungDialog = undefined;
          if (abort.signal.aborted || answer !== 1 || this.halted || this.deps.quitting()) return;
          log.info({}, 'main window unresponsive: the user chose to reload');
          // A hung renderer may not run a reload itself: end it, `gone` then reloads.
          this.restartRequested = true;
          this.deps.window.restartRenderer();
        },
        (error: unknown) => {
          if (this.hungDialog === abort) this.hungDialog = undefined;
          log.error({ err: error }, 'main window unresponsive: could not ask the user');
        },
      );
  }

  /** `responsive`: the hang is over; the question closes by itself. */
  responsive(): void {
    if (!this.hungDialog) return;
    this.deps.log.info({}, 'main window renderer responsive again');
    this.closeHungDialog();
  }

  private closeHungDialog(): void {
    this.hungDialog?.abort();
    this.hungDialog = undefined;
  }

  private liveCalls(): string[] {
    return (this.deps.snapshot()?.calls ?? [])
      .filter((c) => c.state !== 'ended' && c.state !== 'idle')
      .map((c) => c.callId);
  }

  private async crashLoop(hadCalls: boolean): Promise<void> {
    const { softphone, timers, log, dialog } = this.deps;
    await endLiveCalls(softphone, timers, log, CRASH_HANGUP_TIMEOUT_MS, 'renderer crash loop');
    if (!dialog) return;
    const t = TEXT[this.deps.language()];
    const answer = await dialog.ask({
      type: 'error',
      title: t.loopTitle,
      message: t.loopMessage,
      detail: t.loopDetail(hadCalls),
      buttons: [t.reload, t.quit],
      defaultId: 0,
      cancelId: 0,
    });
    if (this.deps.quitting()) return;
    if (answer === 1) {
      this.deps.quit();
      return;
    }
    log.info({}, 'reloading after a crash loop, at the user’s request');
    this.halted = false;
    this.crashes = [];
    this.deps.window.reload();
  }
}
