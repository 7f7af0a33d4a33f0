import type { ClientSettings, SettingsView } from '../../protocol/index.js';
import { TypedEmitter } from '../../core/util/typed-emitter.js';
import { DEFAULT_SETTINGS } from './settings-document.js';

export type SettingsWatchEvents = { changed: [view: SettingsView, previous: SettingsView] };

/**
 * Main's copy of the effective settings (the softphone owns them): refreshed from every
 * settings result that passes through main, announcing real changes only. Hotkeys, the tray's
 * language, the ringing device and start-at-login follow it.
 */
export class SettingsWatch extends TypedEmitter<SettingsWatchEvents> {
  private view: SettingsView = { settings: structuredClone(DEFAULT_SETTINGS), locked: [] };

  current(): ClientSettings {
    return this.view.settings;
  }

  currentView(): SettingsView {
    return this.view;
  }

  set(view: SettingsView): void {
    if (JSON.stringify(view) === JSON.stringify(this.view)) return;
    const previous = this.view;
    this.view = structuredClone(view);
    this.emit('changed', this.view, previous);
  }
}
