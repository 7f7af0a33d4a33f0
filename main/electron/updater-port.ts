import type { AppUpdater } from 'electron-updater';
import type { Log } from '../log/log.js';
import type { Updater } from '../update/auto-update.js';
import { genericFeed } from '../update/feed.js';

/**
 * electron-updater's `autoUpdater` behind the `Updater` port. It downloads what it finds
 * (`autoDownload`), but never installs on its own (`autoInstallOnAppQuit` off): AutoUpdate
 * decides when, so an update cannot restart the app in the middle of a call.
 */
export function electronUpdaterPort(autoUpdater: AppUpdater, log: Log): Updater {
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.allowPrerelease = false;
  autoUpdater.logger = {
    info: (message?: unknown) => {
      log.debug({}, `electron-updater: ${String(message)}`);
    },
    warn: (message?: unknown) => {
      log.warn({}, `electron-updater: ${String(message)}`);
    },
    error: (message?: unknown) => {
      log.error({}, `electron-updater: ${String(message)}`);
    },
  };
  return {
    setFeed: (url) => {
      autoUpdater.setFeedURL(genericFeed(url));
    },
    check: async () => {
      await autoUpdater.checkForUpdates();
    },
    on: (event, listener) => {
      const emit = listener as (...args: unknown[]) => void;
      switch (event) {
        case 'checking':
          autoUpdater.on('checking-for-update', () => {
            emit();
          });
          return;
        case 'available':
          autoUpdater.on('update-available', (info) => {
            emit(info.version);
          });
          return;
        case 'not-available':
          autoUpdater.on('update-not-available', () => {
            emit();
          });
          return;
        case 'progress':
          autoUpdater.on('download-progress', (progress) => {
            emit(progress.percent);
          });
          return;
        case 'downloaded':
          autoUpdater.on('update-downloaded', (info) => {
            emit(info.version);
          });
          return;
        case 'error':
          autoUpdater.on('error', (error) => {
            emit(error.message);
          });
          return;
      }
    },
    install: ({ restart }) => {
      // Silent (the user already chose to quit, or is away); relaunch only for the idle install.
      autoUpdater.quitAndInstall(true, restart);
    },
  };
}
