import { describe, expect, it } from 'vitest';
import {
  HOOK_SWITCH,
  type HidCollectionInfo,
  LED_MUTE,
  LED_OFF_HOOK,
  LED_RING,
  PHONE_MUTE,
  TELEPHONY_HEADSET,
  TELEPHONY_PAGE,
} from '../../core/headset/hid-telephony.js';
import type { SoftphoneCall, SoftphoneSnapshot } from '../../protocol/softphone.js';
import { HeadsetControl, type HidDeviceLike, type HidInputEvent } from './headset-control.js';

/** A Jabra-style layout: report 2 = hook, line busy, mute; LEDs in report 2. */
const bits = (usages: number[]) => ({ usages, reportSize: 1, reportCount: usages.length });
const LINE_BUSY = (0x0b << 16) | 0x97;
const JABRA: HidCollectionInfo[] = [
  {
    usagePage: TELEPHONY_PAGE,
    usage: TELEPHONY_HEADSET,
    inputReports: [
      {
        reportId: 2,
        items: [bits([HOOK_SWITCH, LINE_BUSY, PHONE_MUTE]), { reportSize: 5, reportCount: 1 }],
      },
    ],
    outputReports: [
      {
        reportId: 2,
        items: [bits([LED_OFF_HOOK, LED_MUTE, LED_RING]), { reportSize: 5, reportCount: 1 }],
      },
    ],
  },
];
const HOOK = 0b001;
const MUTE = 0b100;

/** A WebHID device as the page sees it: reports in, output reports recorded as bit strings. */
class FakeHid implements HidDeviceLike {
  opened = false;
  readonly sent: string[] = [];
  failSend = false;
  private listener: ((event: HidInputEvent) => void) | undefined;
  constructor(
    readonly collections: HidCollectionInfo[],
    readonly productName = 'Jabra Evolve2 65',
  ) {}
  open(): Promise<void> {
    this.opened = true;
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.opened = false;
    return Promise.resolve();
  }
  sendReport(reportId: number, data: Uint8Array): Promise<void> {
    if (this.failSend) return Promise.reject(new Error('device gone'));
    this.sent.push(`${reportId}:${[...data].map((b) => b.toString(2).padStart(8, '0')).join(',')}`);
    return Promise.resolve();
  }
  addEventListener(_type: 'inputreport', listener: (event: HidInputEvent) => void): void {
    this.listener = listener;
  }
  removeEventListener(): void {
    this.listener = undefined;
  }
  press(byte: number, reportId = 2): void {
    this.listener?.({ reportId, data: new DataView(new Uint8Array([byte]).buffer) });
  }
  get listening(): boolean {
    return this.listener !== undefined;
  }
}

const call = (
  callId: string,
  state: SoftphoneCall['state'],
  direction: SoftphoneCall['direction'] = 'incoming',
): SoftphoneCall => ({
  callId,
  direction,
  state,
  waiting: false,
  localMedia: 'audio',
});
const snap = (...calls: SoftphoneCall[]) => ({ calls }) as unknown as SoftphoneSnapshot;

function setup() {
  const done: string[] = [];
  const problems: string[] = [];
  let mutes = 0;
  const control = new HeadsetControl({
    accept: (id) => (done.push(`accept:${id}`), Promise.resolve()),
    hangup: (id) => (done.push(`hangup:${id}`), Promise.resolve()),
    toggleMute: () => ((mutes += 1), true),
    problem: (m) => problems.push(m),
  });
  return { control, done, problems, mutes: () => mutes };
}

// LED bits in report 2: off-hook = bit 0, mute = bit 1, ring = bit 2.
const LEDS = { idle: '2:00000000', ring: '2:00000100', call: '2:00000001', muted: '2:00000011' };

describe('HeadsetControl (WebHID headset in the main window)', () => {
  it('a device without a hook switch is not used; a telephony one is opened and its LEDs set', async () => {
    const { control } = setup();
    const mouse = new FakeHid([{ usagePage: 0x01, usage: 0x02 }], 'Mouse');
    expect(await control.attach(mouse)).toBe(false);
    expect(mouse.opened).toBe(false);
    const headset = new FakeHid(JABRA);
    expect(await control.attach(headset)).toBe(true);
    expect(await control.attach(headset)).toBe(false);
    expect(headset.opened).toBe(true);
    expect(headset.sent).toEqual([LEDS.idle]);
    expect(control.devices()).toEqual(['Jabra Evolve2 65']);
  });

  it('lifting the hook answers the ringing call (the oldest), putting it back hangs up; LEDs follow', async () => {
    const { control, done } = setup();
    const headset = new FakeHid(JABRA);
    await control.attach(headset);
    control.update(snap(call('c1', 'ringing'), call('c2', 'ringing')), false);
    expect(headset.sent.at(-1)).toBe(LEDS.ring);
    headset.press(HOOK);
    expect(done).toEqual(['accept:c1']);
    control.update(snap(call('c1', 'active'), call('c2', 'ringing')), false);
    expect(headset.sent.at(-1)).toBe(LEDS.call);
    // The same state again sends nothing.
    const count = headset.sent.length;
    control.update(snap(call('c1', 'active'), call('c2', 'ringing')), false);
    expect(headset.sent).toHaveLength(count);
    headset.press(0);
    expect(done).toEqual(['accept:c1', 'hangup:c1']);
    control.update(snap(), false);
    expect(headset.sent.at(-1)).toBe(LEDS.idle);
  });

  it("the mute button toggles the call's microphone on its press only, and the mute LED shows it", async () => {
    const { control, mutes } = setup();
    const headset = new FakeHid(JABRA);
    await control.attach(headset);
    headset.press(MUTE); // no call: nothing
    headset.press(0);
    expect(mutes()).toBe(0);
    control.update(snap(call('c1', 'active', 'outgoing')), false);
    headset.press(HOOK); // the user lifts the boom: no answer, no hang-up
    headset.press(HOOK | MUTE);
    headset.press(HOOK | MUTE); // held: one toggle
    headset.press(HOOK);
    expect(mutes()).toBe(1);
    control.update(snap(call('c1', 'active', 'outgoing')), true);
    expect(headset.sent.at(-1)).toBe(LEDS.muted);
  });

  it('a report of another id is ignored; an unplugged device is let go; a failing LED write is reported', async () => {
    const { control, done, problems } = setup();
    const headset = new FakeHid(JABRA);
    await control.attach(headset);
    control.update(snap(call('c1', 'ringing')), false);
    headset.press(HOOK, 7);
    expect(done).toEqual([]);
    headset.failSend = true;
    control.update(snap(call('c1', 'active')), false);
    await Promise.resolve();
    await Promise.resolve();
    expect(problems).toEqual(['headset LEDs (Jabra Evolve2 65): device gone']);
    await control.detach(headset);
    expect(headset.listening).toBe(false);
    expect(headset.opened).toBe(false);
    expect(control.devices()).toEqual([]);
  });
});
