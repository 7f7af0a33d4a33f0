import {
  HeadsetMapper,
  type HeadsetCallState,
  type HeadsetCommand,
  type HeadsetLeds,
  type HidCollectionInfo,
  type TelephonyLayout,
  ledReports,
  parseInputReport,
  telephonyLayout,
} from '../../core/headset/hid-telephony.js';
import type { SoftphoneCall, SoftphoneSnapshot } from '../../protocol/softphone.js';
import { audibleIncoming } from '../app/route.js';

/**
 * USB headset call control in the main window (WebHID; main grants `hid` to our origin only,
 * main/headset/hid-permission.ts): the hook switch answers a ringing call and hangs up the live
 * one, the mute button toggles the call's microphone, and the LEDs (ring, off-hook, mute)
 * follow the calls. Reports are parsed by core/headset/hid-telephony.ts; this only moves
 * bytes and commands. No DOM types: the device is whatever `navigator.hid` gives, as below.
 */
export interface HidInputEvent {
  reportId: number;
  data: DataView;
}

export interface HidDeviceLike {
  readonly productName: string;
  readonly opened: boolean;
  readonly collections: readonly HidCollectionInfo[];
  open(): Promise<void>;
  close(): Promise<void>;
  sendReport(reportId: number, data: Uint8Array): Promise<void>;
  addEventListener(type: 'inputreport', listener: (event: HidInputEvent) => void): void;
  removeEventListener(type: 'inputreport', listener: (event: HidInputEvent) => void): void;
}

export interface HeadsetActions {
  accept(callId: string): Promise<unknown>;
  hangup(callId: string): Promise<unknown>;
  /** The live call's own mute toggle; false when no call view is there. */
  toggleMute(): boolean;
  /** A command failed or a device misbehaved: shown or logged by the caller. */
  problem(message: string): void;
}

/** More headsets than this at once are ignored (one user, one or two headsets). */
export const MAX_HEADSETS = 4;

interface Attached {
  device: HidDeviceLike;
  layout: TelephonyLayout;
  mapper: HeadsetMapper;
  onReport: (event: HidInputEvent) => void;
  /** The LED state last sent, so unchanged snapshots send nothing. */
  sent: string | undefined;
}

/** What the headset acts on: the ringing call it would answer and the call it would hang up. */
export function headsetTargets(snapshot: SoftphoneSnapshot | undefined): {
  state: HeadsetCallState;
  ringing: string | undefined;
  live: string | undefined;
} {
  const calls = snapshot?.calls ?? [];
  const live = calls.find((c) => c.state === 'active' || c.state === 'answering')?.callId;
  const ringing = audibleIncoming(
    calls.filter((c: SoftphoneCall) => c.direction === 'incoming' && c.state === 'ringing'),
  );
  // In a call with another ringing (call waiting), the hook belongs to the live call.
  const state: HeadsetCallState = live ? 'in-call' : ringing ? 'ringing' : 'idle';
  return { state, ringing, live };
}

export class HeadsetControl {
  private readonly attached = new Map<HidDeviceLike, Attached>();
  private snapshot: SoftphoneSnapshot | undefined;
  private muted = false;

  constructor(private readonly actions: HeadsetActions) {}

  /** Device names in use (settings shows them). */
  devices(): string[] {
    return [...this.attached.keys()].map((d) => d.productName);
  }

  /** Opens the device and listens, if it has telephony controls; false otherwise. */
  async attach(device: HidDeviceLike): Promise<boolean> {
    if (this.attached.has(device) || this.attached.size >= MAX_HEADSETS) return false;
    const layout = telephonyLayout(device.collections);
    if (!layout) return false;
    if (!device.opened) await device.open();
    const mapper = new HeadsetMapper(headsetTargets(this.snapshot).state);
    const entry: Attached = {
      device,
      layout,
      mapper,
      sent: undefined,
      onReport: (event) => {
        this.report(entry, event);
      },
    };
    this.attached.set(device, entry);
    device.addEventListener('inputreport', entry.onReport);
    this.sendLeds(entry);
    return true;
  }

  /** The device went away (unplugged) or the page closes. */
  async detach(device: HidDeviceLike): Promise<void> {
    const entry = this.attached.get(device);
    if (!entry) return;
    this.attached.delete(device);
    device.removeEventListener('inputreport', entry.onReport);
    if (device.opened) await device.close().catch(() => undefined);
  }

  /** Each snapshot and mute change: the mappers' call state and the LEDs follow. */
  update(snapshot: SoftphoneSnapshot | undefined, muted: boolean): void {
    this.snapshot = snapshot;
    this.muted = muted;
    const { state } = headsetTargets(snapshot);
    for (const entry of this.attached.values()) {
      entry.mapper.setCallState(state);
      this.sendLeds(entry);
    }
  }

  private report(entry: Attached, event: HidInputEvent): void {
    const data = new Uint8Array(event.data.buffer, event.data.byteOffset, event.data.byteLength);
    const input = parseInputReport(entry.layout, event.reportId, data);
    for (const command of entry.mapper.input(input)) this.run(command);
  }

  private run(command: HeadsetCommand): void {
    const { ringing, live } = headsetTargets(this.snapshot);
    const fail = (error: unknown): void => {
      this.actions.problem(
        `headset ${command}: ${error instanceof Error ? error.message : String(error)}`,
      );
    };
    if (command === 'answer' && ringing !== undefined) {
      this.actions.accept(ringing).catch(fail);
    } else if (command === 'hangup' && live !== undefined) {
      this.actions.hangup(live).catch(fail);
    } else if (command === 'mute-toggle') {
      this.actions.toggleMute();
    }
  }

  private sendLeds(entry: Attached): void {
    const leds: HeadsetLeds = entry.mapper.leds(this.muted);
    const key = `${leds.offHook ? 1 : 0}${leds.ring ? 1 : 0}${leds.mute ? 1 : 0}`;
    if (key === entry.sent) return;
    entry.sent = key;
    for (const report of ledReports(entry.layout, leds)) {
      entry.device.sendReport(report.reportId, report.data).catch((error: unknown) => {
        entry.sent = undefined; // try again at the next change
        this.actions.problem(
          `headset LEDs (${entry.device.productName}): ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
  }
}
