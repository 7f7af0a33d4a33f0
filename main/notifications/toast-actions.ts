/**
 * Buttons on the incoming-call notification, where the platform gives them to us.
 *
 * - macOS: Electron's `Notification` `actions` (buttons; the `action` event gives the index).
 * - Windows: Electron's toasts have no in-process button events; buttons would need `toastXml`
 *   with protocol activation (`trayphone://answer/<id>` through the OS), and a link that
 *   answers calls is one any web page could open: refused. node-notifier's SnoreToast gets
 *   button clicks back, but means shipping, unpacking and signing a helper .exe for two buttons,
 *   while the ringing window (always on top, Answer / Decline) is already on screen. So no
 *   buttons on Windows: clicking the toast brings the call forward. node-notifier is not used.
 * - Linux: Electron passes no actions to libnotify; the same click behaviour.
 */

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface ElectronToastActions {
  /** Electron's `NotificationConstructorOptions.actions`. */
  actions: { type: 'button'; text: string }[];
  /** The `action` event's index → what it does (out of range: nothing). */
  onAction: (index: number) => void;
}

export function toastActions(
  platform: NodeJS.Platform,
  actions: readonly ToastAction[] | undefined,
): ElectronToastActions | undefined {
  if (platform !== 'darwin' || !actions || actions.length === 0) return undefined;
  return {
    actions: actions.map((a) => ({ type: 'button', text: a.label })),
    onAction: (index) => {
      actions[index]?.run();
    },
  };
}
