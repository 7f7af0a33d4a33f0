import { type MediaKind, userIdSchema } from '../../protocol/index.js';

/**
 * Command-line control: `trayphone --answer | --decline | --hangup | --mute | --call <user>
 * [--video]`. A second launch hands its argv to the running instance through the single-instance
 * lock (`second-instance`), so a desktop environment can bind these to keys: the fallback where
 * global shortcuts do not work (Wayland without the GlobalShortcuts portal). They run the same
 * actions as the tray and the hotkeys.
 *
 * The argv also holds the executable, in development the app path, and Chromium's own switches
 * (Electron adds some to a second instance's argv), so unknown arguments are skipped rather than
 * refused; but two actions at once, or `--call` without a valid user id, are an error: guessing
 * could answer or call the wrong one.
 */

export const CLI_ACTIONS = ['answer', 'decline', 'hangup', 'mute'] as const;
export type CliAction = (typeof CLI_ACTIONS)[number];

export type CliCommand =
  { command: CliAction } | { command: 'call'; target: string; media: MediaKind };

export type CliParse = { ok: true; command: CliCommand | undefined } | { ok: false; error: string };

const MAX_ARG_LENGTH = 256;

export function parseCliCommand(argv: readonly string[]): CliParse {
  const found: CliCommand[] = [];
  let video = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break; // what follows is not ours
    if (arg.length > MAX_ARG_LENGTH) continue;
    const [flag = '', inline] = arg.startsWith('--') ? splitOnce(arg, '=') : [arg];
    const name = flag.slice(2).toLowerCase();
    const action = arg.startsWith('--') ? CLI_ACTIONS.find((a) => a === name) : undefined;
    if (action) {
      if (inline !== undefined) return { ok: false, error: `${flag} takes no value` };
      found.push({ command: action });
      continue;
    }
    if (flag === '--video') {
      video = true;
      continue;
    }
    if (flag === '--call') {
      const raw = inline ?? argv[i + 1];
      if (inline === undefined) i += 1;
      if (raw === undefined || raw === '' || raw.startsWith('-')) {
        return { ok: false, error: '--call needs a user id' };
      }
      const user = userIdSchema.safeParse(raw.toLowerCase());
      if (!user.success) return { ok: false, error: '--call: not a user id' };
      found.push({ command: 'call', target: user.data, media: 'audio' });
    }
  }
  if (found.length > 1) {
    return { ok: false, error: `one action at a time (${found.map((f) => f.command).join(', ')})` };
  }
  const [command] = found;
  if (command?.command === 'call' && video)
    return { ok: true, command: { ...command, media: 'video' } };
  return { ok: true, command };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
