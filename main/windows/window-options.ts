/**
 * Window settings as plain data (the Electron adapter passes them to BrowserWindow): the locked
 * down webPreferences every Trayphone window gets, and where ringing windows appear.
 */
export interface SecureWebPreferences {
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  preload?: string;
  autoplayPolicy?: 'no-user-gesture-required';
  backgroundThrottling?: boolean;
  /** DevTools exist only in an unpackaged app: a packaged one has none to open. */
  devTools: boolean;
}

export function secureWebPreferences(
  options: {
    preload?: string;
    autoplay?: boolean;
    keepRunningHidden?: boolean;
    /** `!app.isPackaged`; off unless asked for. */
    devTools?: boolean;
  } = {},
): SecureWebPreferences {
  const prefs: SecureWebPreferences = {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: options.devTools ?? false,
  };
  if (options.preload !== undefined) prefs.preload = options.preload;
  // The ringtone must start without a click, and calls must not be throttled when hidden.
  if (options.autoplay) prefs.autoplayPolicy = 'no-user-gesture-required';
  if (options.keepRunningHidden) prefs.backgroundThrottling = false;
  return prefs;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const RINGING_WINDOW_SIZE = { width: 340, height: 150 } as const;
const MARGIN = 16;

/**
 * The n-th ringing window (0 = first): bottom-right of the work area (above the taskbar, clear of
 * the dock), stacked upwards, wrapping to the top when the screen is full.
 */
export function ringingWindowBounds(workArea: Rect, index: number): Rect {
  const { width, height } = RINGING_WINDOW_SIZE;
  const perColumn = Math.max(1, Math.floor((workArea.height - MARGIN) / (height + MARGIN)));
  const slot = index % perColumn;
  return {
    x: workArea.x + workArea.width - width - MARGIN,
    y: workArea.y + workArea.height - (slot + 1) * (height + MARGIN),
    width,
    height,
  };
}

export const MAIN_WINDOW_SIZE = { width: 420, height: 700, minWidth: 360, minHeight: 520 } as const;
