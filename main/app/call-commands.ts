import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { presenceStatusSchema } from '../../protocol/index.js';
import { type Log, forCall } from '../log/log.js';
import type { CliCommand } from '../shell/cli-args.js';
import type { DialRequest } from '../shell/deep-link.js';
import { type HotkeyAction, hotkeyCommand } from '../shell/hotkeys.js';
import type { TrayAction } from '../tray/tray-model.js';
import type { MainWindowPort, SoftphoneHost } from './ports.js';

export interface CallCommandsDeps {
  softphone: SoftphoneHost;
  mainWindow: MainWindowPort;
  /** The latest snapshot (commands act on the calls it shows). */
  snapshot: () => SoftphoneSnapshot | undefined;
  quit: () => void;
  /** "Open logs folder" in the tray. */
  openLogsFolder?: () => void;
  log: Log;
}

/**
 * Where the user's actions outside the renderer become softphone commands: the tray's items, the
 * global hotkeys, the notification's buttons, the command line and click-to-call links. Each acts
 * on the call it names (a tray item carries its call id), or on the one the snapshot makes clear.
 */
export class CallCommands {
  constructor(private readonly deps: CallCommandsDeps) {}

  /** `callId`: the call a tray item (answer / decline / hang up) was built for. */
  trayAction(action: TrayAction, callId?: string): void {
    const { softphone, mainWindow, log } = this.deps;
    const fail = (error: unknown): void => {
      log.warn({ action, err: error }, 'tray action failed');
    };
    switch (action) {
      case 'status:available':
      case 'status:away':
      case 'status:busy':
      case 'status:dnd':
        softphone.setStatus({ status: presenceStatusSchema.parse(action.slice(7)) }).catch(fail);
        return;
      case 'agent:available':
        softphone.agentSetStatus({ status: 'available' }).catch(fail);
        return;
      case 'agent:break':
        softphone.agentSetStatus({ status: 'break', reason: 'break' }).catch(fail);
        return;
      case 'open':
        mainWindow.show();
        return;
      case 'missed':
        mainWindow.show();
        mainWindow.openView('history');
        return;
      case 'logs':
        this.deps.openLogsFolder?.();
        return;
      case 'quit':
        this.deps.quit();
        return;
      case 'answer':
      case 'decline':
      case 'hangup':
        this.hotkey(action, callId);
        return;
    }
  }

  hotkey(action: HotkeyAction, callId?: string): void {
    const snapshot = this.deps.snapshot();
    if (!snapshot) return;
    const command = hotkeyCommand(action, snapshot, callId);
    if (!command) return;
    if (command.command === 'mute-toggle') {
      this.deps.mainWindow.muteToggle();
      return;
    }
    const { softphone, log } = this.deps;
    const callLog = forCall(log, command.callId);
    callLog.info({ action, command: command.command }, 'hotkey');
    const done = (error: unknown): void => {
      callLog.warn({ err: error }, `${command.command} from hotkey failed`);
    };
    switch (command.command) {
      case 'accept':
        softphone.accept({ callId: command.callId, media: command.media }).catch(done);
        return;
      case 'decline':
      case 'hangup':
      case 'cancel':
        softphone[command.command]({ callId: command.callId }).catch(done);
        return;
    }
  }

  /** The same actions as the tray and the hotkeys; `--call` places the call and shows it. */
  cliCommand(command: CliCommand): void {
    const { softphone, mainWindow, log } = this.deps;
    log.info({ command: command.command }, 'command line');
    if (command.command !== 'call') {
      this.hotkey(command.command);
      return;
    }
    softphone.call({ callees: [command.target], media: command.media }).then(
      ({ callId }) => {
        forCall(log, callId).info({ target: command.target }, 'call from the command line');
        mainWindow.show();
      },
      (error: unknown) => {
        log.warn({ err: error, target: command.target }, 'call from the command line failed');
        // The dialer, pre-filled, says why (signed out, offline) and lets the user retry.
        this.dial({ target: command.target, media: command.media });
      },
    );
  }

  /** A click-to-call link: pre-fills the dialer, nothing is dialled without the user. */
  dial(request: DialRequest): void {
    this.deps.log.info({ target: request.target, media: request.media }, 'click-to-call');
    this.deps.softphone.requestDial(request);
    this.deps.mainWindow.show();
    this.deps.mainWindow.openView('dialer');
  }
}
