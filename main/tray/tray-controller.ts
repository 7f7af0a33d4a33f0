import type { ClientSettings, SoftphoneSnapshot } from '../../protocol/index.js';
import type { TimerPort } from '../app/ports.js';
import { type TrayModel, trayModel } from './tray-model.js';

/** Electron's Tray + app badge, as the controller drives them. */
export interface TrayPort {
  render(model: TrayModel): void;
  /** `app.setBadgeCount` where the platform has a badge (macOS dock, Linux Unity launchers). */
  setBadgeCount(count: number): void;
}

export const FLASH_INTERVAL_MS = 500;

/**
 * Renders the tray from each snapshot and flashes its icon while a call rings here: the flash
 * timer runs only while ringing, and stops the moment the ringing does.
 */
export class TrayController {
  private snapshot: SoftphoneSnapshot | undefined;
  private flashPhase = false;
  private flashTimer: unknown;
  private lastBadge = -1;

  constructor(
    private readonly tray: TrayPort,
    private readonly timers: TimerPort,
    private readonly language: () => ClientSettings['language'],
  ) {}

  update(snapshot: SoftphoneSnapshot): TrayModel {
    this.snapshot = snapshot;
    const model = this.render();
    if (model.flashing && this.flashTimer === undefined) {
      this.flashTimer = this.timers.setInterval(() => {
        this.flashPhase = !this.flashPhase;
        this.render();
      }, FLASH_INTERVAL_MS);
    } else if (!model.flashing && this.flashTimer !== undefined) {
      this.stopFlashing();
      return this.render();
    }
    return model;
  }

  /** Re-renders with the current snapshot (e.g. after a language change). */
  refresh(): void {
    if (this.snapshot) this.render();
  }

  dispose(): void {
    this.stopFlashing();
  }

  private stopFlashing(): void {
    this.timers.clearInterval(this.flashTimer);
    this.flashTimer = undefined;
    this.flashPhase = false;
  }

  private render(): TrayModel {
    if (!this.snapshot) throw new Error('TrayController.render before the first snapshot');
    const model = trayModel(this.snapshot, this.language(), this.flashPhase);
    this.tray.render(model);
    if (model.badgeCount !== this.lastBadge) {
      this.lastBadge = model.badgeCount;
      this.tray.setBadgeCount(model.badgeCount);
    }
    return model;
  }
}
