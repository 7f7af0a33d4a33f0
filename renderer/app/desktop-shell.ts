import { useEffect, useRef, useState } from 'react';
import {
  type HotkeyStatus,
  PRELOAD_GLOBALS,
  type ShellApi,
  type UpdateStatus,
} from '../../protocol/index.js';
import { navigate } from './route.js';

/**
 * The desktop shell's bridge (`window.trayphoneShell`, preload/bridge.ts), when this page runs in
 * the desktop app and its preload has the functions asked for; undefined in a browser.
 */
export function desktopShell(): Pick<ShellApi, 'hotkeyStatus' | 'onHotkeyStatus'> | undefined {
  const candidate: unknown = (globalThis as Record<string, unknown>)[PRELOAD_GLOBALS.shell];
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const shell = candidate as Partial<ShellApi>;
  const { hotkeyStatus, onHotkeyStatus } = shell;
  if (typeof hotkeyStatus !== 'function' || typeof onHotkeyStatus !== 'function') return undefined;
  return { hotkeyStatus, onHotkeyStatus };
}

/** The global hotkeys' status from main (asked once, then pushed on every change). */
export function useHotkeyStatus(): HotkeyStatus | undefined {
  const [status, setStatus] = useState<HotkeyStatus>();
  useEffect(() => {
    const shell = desktopShell();
    if (!shell) return undefined;
    let live = true;
    shell.hotkeyStatus().then(
      (s) => {
        if (live) setStatus(s);
      },
      () => undefined, // an older main without the channel: no status line
    );
    const off = shell.onHotkeyStatus(setStatus);
    return () => {
      live = false;
      off();
    };
  }, []);
  return status;
}

/**
 * The pushes main sends the main window (the global mute hotkey and `trayphone --mute`, the
 * tray's "Missed calls"), when this page runs in the desktop app; undefined in a browser.
 */
export function desktopShellEvents(): Pick<ShellApi, 'onMuteToggle' | 'onOpenView'> | undefined {
  const candidate: unknown = (globalThis as Record<string, unknown>)[PRELOAD_GLOBALS.shell];
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const { onMuteToggle, onOpenView } = candidate as Partial<ShellApi>;
  if (typeof onMuteToggle !== 'function' || typeof onOpenView !== 'function') return undefined;
  return { onMuteToggle, onOpenView };
}

/**
 * `shell:mute-toggle` runs `toggle` (the call's own mute, so a moderator's mute holds as it does
 * for the button). Subscribed once per mounted call view; the latest `toggle` is the one run.
 */
export function useShellMuteToggle(toggle: () => void): void {
  const latest = useRef(toggle);
  useEffect(() => {
    latest.current = toggle;
  }, [toggle]);
  useEffect(
    () =>
      desktopShellEvents()?.onMuteToggle(() => {
        latest.current();
      }),
    [],
  );
}

/** `shell:open-view` (the tray's "Missed calls" opens history) moves to that tab. */
export function useShellOpenView(): void {
  useEffect(() => desktopShellEvents()?.onOpenView(navigate), []);
}

/** The screen-share picker's half of the bridge, in the desktop app. */
export function desktopSourcePicker(): Pick<ShellApi, 'onPickSource' | 'chooseSource'> | undefined {
  const candidate: unknown = (globalThis as Record<string, unknown>)[PRELOAD_GLOBALS.shell];
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const { onPickSource, chooseSource } = candidate as Partial<ShellApi>;
  if (typeof onPickSource !== 'function' || typeof chooseSource !== 'function') return undefined;
  return { onPickSource, chooseSource };
}

/** "Open logs folder", when this page runs in a desktop app whose preload has it. */
export function desktopLogs(): Pick<ShellApi, 'openLogs'> | undefined {
  const candidate: unknown = (globalThis as Record<string, unknown>)[PRELOAD_GLOBALS.shell];
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const { openLogs } = candidate as Partial<ShellApi>;
  return typeof openLogs === 'function' ? { openLogs } : undefined;
}

/** The update half of the bridge, when this page runs in a desktop app whose preload has it. */
export function desktopUpdates(): Pick<ShellApi, 'updateStatus' | 'onUpdateStatus'> | undefined {
  const candidate: unknown = (globalThis as Record<string, unknown>)[PRELOAD_GLOBALS.shell];
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const { updateStatus, onUpdateStatus } = candidate as Partial<ShellApi>;
  if (typeof updateStatus !== 'function' || typeof onUpdateStatus !== 'function') return undefined;
  return { updateStatus, onUpdateStatus };
}

/** Auto-update's status from main (asked once, then pushed on every change). */
export function useUpdateStatus(): UpdateStatus | undefined {
  const [status, setStatus] = useState<UpdateStatus>();
  useEffect(() => {
    const shell = desktopUpdates();
    if (!shell) return undefined;
    let live = true;
    shell.updateStatus().then(
      (s) => {
        if (live) setStatus(s);
      },
      () => undefined, // an older main without the channel: no update line
    );
    const off = shell.onUpdateStatus(setStatus);
    return () => {
      live = false;
      off();
    };
  }, []);
  return status;
}
