/**
 * Chromium features the desktop needs switched on before `app.ready`, decided from the session:
 * on a Wayland session, global shortcuts only work through the desktop's GlobalShortcuts portal
 * (X11 key grabs do not reach Wayland clients), and screen capture only through PipeWire.
 * `app.commandLine.appendSwitch('enable-features', …)` takes one comma-separated list: a second
 * call would replace the first, so every feature is gathered here.
 */
export function chromiumFeatures(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  if (!isWaylandSession(platform, env)) return [];
  return ['GlobalShortcutsPortal', 'WebRTCPipeWireCapturer'];
}

export function isWaylandSession(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return platform === 'linux' && env.XDG_SESSION_TYPE?.toLowerCase() === 'wayland';
}
