/**
 * USB headset call control over WebHID (HID Usage Tables 1.4: Telephony page 0x0B, LED page
 * 0x08), without the browser: the renderer hands in what `navigator.hid` gives (a device's
 * `collections` and its `inputreport` bytes) and sends what comes out with `sendReport`. In
 * core/ because the renderer uses it (renderer/ cannot import main/) and it needs no DOM.
 *
 *   Hook Switch  0x0B:0x20  absolute: 1 = off hook (the user lifted / pressed to talk)
 *   Phone Mute   0x0B:0x2F  a button: 1 while pressed (a toggle request)
 *   Off-Hook LED 0x08:0x17, Ring LED 0x08:0x18, Mute LED 0x08:0x09   (output report bits)
 */

const usage = (page: number, id: number): number => (page << 16) | id;
export const HOOK_SWITCH = usage(0x0b, 0x20);
export const PHONE_MUTE = usage(0x0b, 0x2f);
export const LED_OFF_HOOK = usage(0x08, 0x17);
export const LED_RING = usage(0x08, 0x18);
export const LED_MUTE = usage(0x08, 0x09);
export const TELEPHONY_PAGE = 0x0b;
/** Telephony page, Headset collection (0x05); some headsets use Phone (0x01). */
export const TELEPHONY_HEADSET = 0x05;

/** The part of WebHID's HIDReportItem used here (`usages` are page << 16 | id). */
export interface HidReportItem {
  usages?: number[];
  usageMinimum?: number;
  usageMaximum?: number;
  isRange?: boolean;
  reportSize?: number;
  reportCount?: number;
}
export interface HidReportInfo {
  reportId?: number;
  items?: HidReportItem[];
}
export interface HidCollectionInfo {
  usagePage?: number;
  usage?: number;
  inputReports?: HidReportInfo[];
  outputReports?: HidReportInfo[];
  children?: HidCollectionInfo[];
}

/** Where a usage sits: which report, which bit. */
export interface BitField {
  reportId: number;
  bit: number;
}

export interface TelephonyLayout {
  hookSwitch?: BitField;
  phoneMute?: BitField;
  ledOffHook?: BitField;
  ledRing?: BitField;
  ledMute?: BitField;
  /** Bytes of each output report (without the report id). */
  outputLength: Map<number, number>;
}

/** Each usage's bit in the reports, as a report descriptor lays them out (one bit per usage). */
function fields(reports: readonly HidReportInfo[] | undefined): Map<number, BitField> & {
  lengths: Map<number, number>;
} {
  const found = new Map<number, BitField>() as Map<number, BitField> & {
    lengths: Map<number, number>;
  };
  found.lengths = new Map();
  for (const report of reports ?? []) {
    const reportId = report.reportId ?? 0;
    let bit = 0;
    for (const item of report.items ?? []) {
      const size = item.reportSize ?? 0;
      const count = item.reportCount ?? 0;
      const usages =
        item.isRange === true && item.usageMinimum !== undefined && item.usageMaximum !== undefined
          ? Array.from(
              { length: Math.max(0, item.usageMaximum - item.usageMinimum + 1) },
              (_, i) => (item.usageMinimum ?? 0) + i,
            )
          : (item.usages ?? []);
      for (let i = 0; i < count; i++) {
        // A usage list shorter than the count: the last usage repeats (HID 6.2.2.8).
        const u = usages[Math.min(i, usages.length - 1)];
        if (size === 1 && u !== undefined && !found.has(u)) {
          found.set(u, { reportId, bit: bit + i });
        }
      }
      bit += size * count;
    }
    found.lengths.set(reportId, Math.ceil(bit / 8));
  }
  return found;
}

function telephonyCollections(all: readonly HidCollectionInfo[]): HidCollectionInfo[] {
  const out: HidCollectionInfo[] = [];
  const walk = (c: HidCollectionInfo): void => {
    if (c.usagePage === TELEPHONY_PAGE) out.push(c);
    for (const child of c.children ?? []) walk(child);
  };
  all.forEach(walk);
  return out;
}

/** The telephony controls of a device, or undefined if it has no hook switch to act on. */
export function telephonyLayout(
  collections: readonly HidCollectionInfo[],
): TelephonyLayout | undefined {
  for (const collection of telephonyCollections(collections)) {
    const input = fields(collection.inputReports);
    const output = fields(collection.outputReports);
    const hookSwitch = input.get(HOOK_SWITCH);
    if (!hookSwitch) continue;
    const layout: TelephonyLayout = { hookSwitch, outputLength: output.lengths };
    const optional = {
      phoneMute: input.get(PHONE_MUTE),
      ledOffHook: output.get(LED_OFF_HOOK),
      ledRing: output.get(LED_RING),
      ledMute: output.get(LED_MUTE),
    };
    for (const [key, value] of Object.entries(optional)) {
      if (value) layout[key as keyof typeof optional] = value;
    }
    return layout;
  }
  return undefined;
}

const bitOf = (data: Uint8Array, field: BitField): boolean =>
  ((data[field.bit >> 3] ?? 0) >> (field.bit & 7)) % 2 === 1;

export interface HeadsetInput {
  hookSwitch?: boolean;
  phoneMute?: boolean;
}

/** One input report (WebHID's `inputreport`: its id and its bytes without the id). */
export function parseInputReport(
  layout: TelephonyLayout,
  reportId: number,
  data: Uint8Array,
): HeadsetInput {
  const input: HeadsetInput = {};
  if (layout.hookSwitch?.reportId === reportId) input.hookSwitch = bitOf(data, layout.hookSwitch);
  if (layout.phoneMute?.reportId === reportId) input.phoneMute = bitOf(data, layout.phoneMute);
  return input;
}

export interface HeadsetLeds {
  offHook: boolean;
  ring: boolean;
  mute: boolean;
}

/** The output reports that set the LEDs (one per report id the LEDs live in). */
export function ledReports(
  layout: TelephonyLayout,
  leds: HeadsetLeds,
): { reportId: number; data: Uint8Array }[] {
  const reports = new Map<number, Uint8Array>();
  const set = (field: BitField | undefined, on: boolean): void => {
    if (!field) return;
    let data = reports.get(field.reportId);
    if (!data) {
      data = new Uint8Array(layout.outputLength.get(field.reportId) ?? (field.bit >> 3) + 1);
      reports.set(field.reportId, data);
    }
    const byte = field.bit >> 3;
    if (on) data[byte] = (data[byte] ?? 0) | (1 << (field.bit & 7));
  };
  set(layout.ledOffHook, leds.offHook);
  set(layout.ledRing, leds.ring);
  set(layout.ledMute, leds.mute);
  return [...reports].map(([reportId, data]) => ({ reportId, data }));
}

export type HeadsetCommand = 'answer' | 'hangup' | 'mute-toggle';
export type HeadsetCallState = 'idle' | 'ringing' | 'in-call';

/**
 * Input edges to commands, given the call state: lifting the hook while ringing answers, putting
 * it back in a call hangs up, a mute press (its rising edge) in a call toggles mute. The LEDs follow the state.
 */
export class HeadsetMapper {
  /** Headsets report on change only: on hook is assumed until the first report says otherwise. */
  private hook = false;
  private mute = false;

  constructor(private state: HeadsetCallState = 'idle') {}

  setCallState(state: HeadsetCallState): void {
    this.state = state;
  }

  input(input: HeadsetInput): HeadsetCommand[] {
    const commands: HeadsetCommand[] = [];
    if (input.hookSwitch !== undefined && input.hookSwitch !== this.hook) {
      this.hook = input.hookSwitch;
      if (input.hookSwitch && this.state === 'ringing') commands.push('answer');
      if (!input.hookSwitch && this.state === 'in-call') commands.push('hangup');
    }
    if (input.phoneMute !== undefined) {
      if (input.phoneMute && !this.mute && this.state === 'in-call') commands.push('mute-toggle');
      this.mute = input.phoneMute;
    }
    return commands;
  }

  leds(muted: boolean): HeadsetLeds {
    return {
      offHook: this.state === 'in-call',
      ring: this.state === 'ringing',
      mute: this.state === 'in-call' && muted,
    };
  }
}
