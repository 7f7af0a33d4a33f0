import { describe, expect, it } from 'vitest';
import {
  HOOK_SWITCH,
  HeadsetMapper,
  type HidCollectionInfo,
  LED_MUTE,
  LED_OFF_HOOK,
  LED_RING,
  PHONE_MUTE,
  TELEPHONY_HEADSET,
  TELEPHONY_PAGE,
  ledReports,
  parseInputReport,
  telephonyLayout,
} from './hid-telephony.js';

/**
 * Report layouts in the shapes common headsets' telephony collections take, written from the HID
 * Usage Tables (Telephony 0x0B, LED 0x08) and the layouts these vendors' headsets are known to
 * expose through WebHID: one bit per control, vendor controls and padding around them. They are
 * constructed here, not captured from devices (no headset on the build machine): the bytes below
 * are what such a layout produces.
 */
const bit = (usages: number[], count = usages.length) => ({
  usages,
  reportSize: 1,
  reportCount: count,
});
const padding = (bits: number) => ({ reportSize: bits, reportCount: 1 });
const LINE_BUSY = (0x0b << 16) | 0x97;
const FLASH = (0x0b << 16) | 0x21;
const REDIAL = (0x0b << 16) | 0x24;

/** Jabra-style: report 2 = hook, line busy, mute; LEDs in report 2 (off-hook, mute, ring). */
const jabra: HidCollectionInfo[] = [
  {
    usagePage: TELEPHONY_PAGE,
    usage: TELEPHONY_HEADSET,
    inputReports: [{ reportId: 2, items: [bit([HOOK_SWITCH, LINE_BUSY, PHONE_MUTE]), padding(5)] }],
    outputReports: [{ reportId: 2, items: [bit([LED_OFF_HOOK, LED_MUTE, LED_RING]), padding(5)] }],
  },
];
/** Poly-style: a consumer collection first; telephony nested, a vendor byte before the hook bit. */
const poly: HidCollectionInfo[] = [
  { usagePage: 0x0c, usage: 0x01, inputReports: [{ reportId: 1, items: [padding(16)] }] },
  {
    usagePage: 0xffa0,
    usage: 0x01,
    children: [
      {
        usagePage: TELEPHONY_PAGE,
        usage: TELEPHONY_HEADSET,
        inputReports: [
          {
            reportId: 3,
            items: [
              padding(8),
              bit([HOOK_SWITCH]),
              bit([FLASH, REDIAL]),
              bit([PHONE_MUTE]),
              padding(4),
            ],
          },
        ],
        outputReports: [
          {
            reportId: 4,
            items: [bit([LED_MUTE]), padding(1), bit([LED_OFF_HOOK, LED_RING]), padding(4)],
          },
        ],
      },
    ],
  },
];
/** EPOS-style: the telephony buttons as a usage range 0x20..0x2F (hook = bit 0, mute = bit 15). */
const epos: HidCollectionInfo[] = [
  {
    usagePage: TELEPHONY_PAGE,
    usage: TELEPHONY_HEADSET,
    inputReports: [
      {
        reportId: 5,
        items: [
          {
            isRange: true,
            usageMinimum: HOOK_SWITCH,
            usageMaximum: PHONE_MUTE,
            reportSize: 1,
            reportCount: 16,
          },
        ],
      },
    ],
  },
];

describe('HID telephony (headset call control)', () => {
  it('finds the hook switch, mute button and LEDs in each layout', () => {
    expect(telephonyLayout(jabra)).toMatchObject({
      hookSwitch: { reportId: 2, bit: 0 },
      phoneMute: { reportId: 2, bit: 2 },
      ledOffHook: { reportId: 2, bit: 0 },
      ledMute: { reportId: 2, bit: 1 },
      ledRing: { reportId: 2, bit: 2 },
    });
    expect(telephonyLayout(poly)).toMatchObject({
      hookSwitch: { reportId: 3, bit: 8 },
      phoneMute: { reportId: 3, bit: 11 },
      ledMute: { reportId: 4, bit: 0 },
      ledOffHook: { reportId: 4, bit: 2 },
      ledRing: { reportId: 4, bit: 3 },
    });
    const e = telephonyLayout(epos);
    expect(e).toMatchObject({
      hookSwitch: { reportId: 5, bit: 0 },
      phoneMute: { reportId: 5, bit: 15 },
    });
    expect(e?.ledRing).toBeUndefined();
    // A mouse or a keyboard has no telephony collection.
    expect(telephonyLayout([{ usagePage: 0x01, usage: 0x02 }])).toBeUndefined();
  });

  it('reads the bytes of input reports', () => {
    const j = telephonyLayout(jabra)!;
    expect(parseInputReport(j, 2, Uint8Array.of(0b001))).toEqual({
      hookSwitch: true,
      phoneMute: false,
    });
    expect(parseInputReport(j, 2, Uint8Array.of(0b100))).toEqual({
      hookSwitch: false,
      phoneMute: true,
    });
    expect(parseInputReport(j, 9, Uint8Array.of(0xff))).toEqual({});
    const p = telephonyLayout(poly)!;
    expect(parseInputReport(p, 3, Uint8Array.of(0xff, 0b1001))).toEqual({
      hookSwitch: true,
      phoneMute: true,
    });
    expect(parseInputReport(p, 3, Uint8Array.of(0xff))).toEqual({
      hookSwitch: false,
      phoneMute: false,
    });
    const e = telephonyLayout(epos)!;
    expect(parseInputReport(e, 5, Uint8Array.of(0x00, 0x80))).toEqual({
      hookSwitch: false,
      phoneMute: true,
    });
  });

  it('maps hook and mute to answer, hang up and mute, by call state', () => {
    const j = telephonyLayout(jabra)!;
    const m = new HeadsetMapper('ringing');
    const press = (byte: number) => m.input(parseInputReport(j, 2, Uint8Array.of(byte)));
    expect(press(0b001)).toEqual(['answer']); // lifted while ringing
    m.setCallState('in-call');
    expect(press(0b101)).toEqual(['mute-toggle']);
    expect(press(0b101)).toEqual([]); // still held: one toggle per press
    expect(press(0b001)).toEqual([]);
    expect(press(0b000)).toEqual(['hangup']);
    m.setCallState('idle');
    expect(press(0b001)).toEqual([]); // lifting with nothing ringing does nothing
    expect(press(0b100)).toEqual([]); // mute outside a call does nothing
  });

  it('LEDs follow the call: ring while ringing, off-hook in a call, mute when muted', () => {
    const j = telephonyLayout(jabra)!;
    const m = new HeadsetMapper('ringing');
    expect(ledReports(j, m.leds(false))).toEqual([{ reportId: 2, data: Uint8Array.of(0b100) }]);
    m.setCallState('in-call');
    expect(ledReports(j, m.leds(true))).toEqual([{ reportId: 2, data: Uint8Array.of(0b011) }]);
    m.setCallState('idle');
    expect(ledReports(j, m.leds(true))).toEqual([{ reportId: 2, data: Uint8Array.of(0) }]);
    const p = telephonyLayout(poly)!;
    m.setCallState('in-call');
    expect(ledReports(p, m.leds(true))).toEqual([{ reportId: 4, data: Uint8Array.of(0b0101) }]);
  });
});
