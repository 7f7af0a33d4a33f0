import type { Log } from '../log/log.js';
import { type TrustedOrigins, isOwnRendererUrl } from '../security/origins.js';

/**
 * Screen sharing in the desktop app: Chromium's `getDisplayMedia` has no picker inside Electron,
 * so `session.setDisplayMediaRequestHandler` calls `answerDisplayMedia`, which checks who asks,
 * lists the screens and windows (desktopCapturer, with thumbnails), lets the user choose through
 * a picker port, and answers with the chosen source only if it is one that was offered. Where
 * the OS has its own picker (macOS 15+), `useSystemPicker` lets it choose instead.
 */

export interface CaptureSource {
  /** desktopCapturer's id: `screen:<n>:<m>` or `window:<n>:<m>`. */
  id: string;
  name: string;
  /** A PNG data URL of the thumbnail (what the picker shows). */
  thumbnail: string;
}

export interface PickerEntry extends CaptureSource {
  kind: 'screen' | 'window';
}

/** Shows the sources and resolves with the chosen id, or null when the user cancels. */
export interface SourcePickerPort {
  pick(entries: PickerEntry[]): Promise<string | null>;
}

export interface DisplayMediaAsk {
  /** The requesting frame's URL (undefined: the frame is gone). */
  frameUrl: string | undefined;
  isMainFrame: boolean;
}

export interface DisplayMediaDeps {
  origins: TrustedOrigins;
  listSources: () => Promise<CaptureSource[]>;
  picker: SourcePickerPort;
  log: Log;
}

/** Screens first (what people share most), then windows, each in the OS's order. */
export function pickerEntries(sources: readonly CaptureSource[]): PickerEntry[] {
  const entries = sources.flatMap((s): PickerEntry[] => {
    const kind = s.id.startsWith('screen:')
      ? 'screen'
      : s.id.startsWith('window:')
        ? 'window'
        : undefined;
    return kind ? [{ ...s, kind }] : [];
  });
  return [
    ...entries.filter((e) => e.kind === 'screen'),
    ...entries.filter((e) => e.kind === 'window'),
  ];
}

/** The source to share, or undefined (refused, nothing to share, cancelled, not offered). */
export async function answerDisplayMedia(
  ask: DisplayMediaAsk,
  deps: DisplayMediaDeps,
): Promise<CaptureSource | undefined> {
  const { log } = deps;
  if (
    !ask.isMainFrame ||
    ask.frameUrl === undefined ||
    !isOwnRendererUrl(ask.frameUrl, deps.origins)
  ) {
    log.warn({ url: (ask.frameUrl ?? '').slice(0, 200) }, 'screen sharing refused: not our page');
    return undefined;
  }
  const entries = pickerEntries(await deps.listSources());
  if (entries.length === 0) {
    log.warn({}, 'screen sharing: no screen or window to share');
    return undefined;
  }
  const chosen = await deps.picker.pick(entries);
  if (chosen === null) {
    log.info({}, 'screen sharing cancelled');
    return undefined;
  }
  const source = entries.find((e) => e.id === chosen);
  if (!source) {
    log.warn({}, 'screen sharing: the picker answered a source that was not offered');
    return undefined;
  }
  log.info({ kind: source.kind }, 'screen sharing: source chosen');
  return { id: source.id, name: source.name, thumbnail: source.thumbnail };
}
