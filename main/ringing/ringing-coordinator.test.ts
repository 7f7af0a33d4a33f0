import { beforeEach, describe, expect, it } from 'vitest';
import type { DeviceEndReason, SoftphoneCall } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { FakeTimers, HandleLog, incoming, outgoing, snapshot } from '../testing/fakes.js';
import {
  type NotificationSpec,
  RING_WATCHDOG_GRACE_MS,
  RingingCoordinator,
  ringingRoute,
} from './ringing-coordinator.js';

function setup() {
  const windows = new HandleLog();
  /** Each window as opened: `<callId>` rings audibly, `<callId> (silent)` does not. */
  const opens: string[] = [];
  const notes = new HandleLog();
  const notifications: NotificationSpec[] = [];
  const shown: string[] = [];
  const timers = new FakeTimers();
  const log = memoryLog();
  const coordinator = new RingingCoordinator({
    windows: {
      open: (callId, audible) => {
        opens.push(audible ? callId : `${callId} (silent)`);
        return windows.handle(callId);
      },
    },
    notifier: {
      show: (spec) => {
        notifications.push(spec);
        return notes.handle(`${spec.kind}:${spec.callId}`);
      },
    },
    mainWindow: {
      show: () => shown.push('show'),
      openView: (view) => shown.push(view),
    },
    timers,
    log,
  });
  const update = (calls: SoftphoneCall[], extra = {}) => {
    coordinator.update(snapshot({ calls, ...extra }));
  };
  return { coordinator, windows, opens, notes, notifications, shown, timers, log, update };
}

type Setup = ReturnType<typeof setup>;

/** Rings `c1`, then applies `ending`; the ringing surfaces must all be gone afterwards. */
function expectAllClosed(s: Setup): void {
  expect(s.windows.open).toEqual([]);
  expect(s.notes.open.filter((k) => k.startsWith('incoming:'))).toEqual([]);
  expect(s.coordinator.ringing()).toEqual([]);
}

describe('RingingCoordinator', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
    s.update([incoming('c1', 'ringing', { localMedia: 'video' })]);
  });

  it('an incoming invitation opens one ringing window (which rings) and a notification', () => {
    expect(s.windows.opened).toEqual(['c1']);
    expect(s.notifications).toHaveLength(1);
    expect(s.notifications[0]).toMatchObject({
      kind: 'incoming',
      callId: 'c1',
      title: 'Incoming video call',
      body: 'alice',
      silent: true,
    });
    // A repeated snapshot changes nothing.
    s.update([incoming('c1', 'ringing', { localMedia: 'video' })]);
    expect(s.windows.opened).toEqual(['c1']);
    expect(s.notifications).toHaveLength(1);
  });

  it('every call line carries the call id', () => {
    expect(s.log.lines.length).toBeGreaterThan(0);
    for (const line of s.log.lines) expect(line.fields.callId).toBe('c1');
  });

  it('accepted here: surfaces close and the main window shows the call', () => {
    s.update([incoming('c1', 'answering')]);
    expectAllClosed(s);
    expect(s.shown).toEqual(['show']);
    s.update([incoming('c1', 'active')]);
    expect(s.windows.opened).toEqual(['c1']);
  });

  it.each<[DeviceEndReason, boolean]>([
    ['declined', false],
    ['answered-elsewhere', false],
    ['refused-elsewhere', false],
    ['canceled', true],
    ['timeout', true],
  ])('ended %s: surfaces close at once (missed notification: %s)', (reason, missed) => {
    s.update([incoming('c1', 'ended', { endReason: reason })]);
    expectAllClosed(s);
    const missedNotes = s.notifications.filter((n) => n.kind === 'missed');
    expect(missedNotes).toHaveLength(missed ? 1 : 0);
    if (missed) {
      expect(missedNotes[0]).toMatchObject({ title: 'Missed call', body: 'alice', silent: false });
      missedNotes[0]!.onClick();
      expect(s.shown).toEqual(['show', 'history']);
    }
  });

  it('signed out: every surface closes', () => {
    s.update([incoming('c1')], { connection: 'signed-out', account: null });
    expectAllClosed(s);
  });

  it('the call vanishing from the snapshot (sign-out cleared it) closes the surfaces', () => {
    s.update([]);
    expectAllClosed(s);
  });

  it('disconnect keeps ringing; the resync that ends the call closes the surfaces', () => {
    s.update([incoming('c1')], { connection: 'reconnecting' });
    expect(s.windows.open).toEqual(['c1']);
    s.update([incoming('c1', 'ended', { endReason: 'failed' })], { connection: 'connected' });
    expectAllClosed(s);
  });

  it('disconnect then resync with the invitation still live keeps one window (no second ring)', () => {
    s.update([incoming('c1')], { connection: 'reconnecting' });
    s.update([incoming('c1')], { connection: 'connected' });
    expect(s.windows.opened).toEqual(['c1']);
    expect(s.windows.open).toEqual(['c1']);
  });

  it('a watchdog closes surfaces an invitation outlived, and they do not come back', () => {
    s.timers.advance(60_000 + RING_WATCHDOG_GRACE_MS - 1);
    expect(s.windows.open).toEqual(['c1']);
    s.timers.advance(1);
    expectAllClosed(s);
    s.update([incoming('c1')]);
    expect(s.windows.opened).toEqual(['c1']);
    expect(s.log.lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('ending clears the watchdog', () => {
    s.update([incoming('c1', 'ended', { endReason: 'declined' })]);
    expect(s.timers.active).toBe(0);
  });

  it('two invitations: one window each, each closing with its own invitation', () => {
    s.update([incoming('c1'), incoming('c2')]);
    expect(s.windows.open).toEqual(['c1', 'c2']);
    s.update([incoming('c1', 'ended', { endReason: 'canceled' }), incoming('c2')]);
    expect(s.windows.open).toEqual(['c2']);
    s.update([incoming('c2', 'ended', { endReason: 'answered-elsewhere' })]);
    expectAllClosed(s);
  });

  it('call waiting says so in the notification', () => {
    const t = setup();
    t.update([outgoing('o1', 'active'), incoming('w1', 'ringing', { waiting: true })]);
    expect(t.windows.open).toEqual(['w1']);
    expect(t.notifications[0]?.body).toContain('call waiting');
  });

  it('outgoing calls never ring here', () => {
    const t = setup();
    t.update([outgoing('o1', 'ringback')]);
    expect(t.windows.opened).toEqual([]);
    expect(t.notifications).toEqual([]);
  });

  it("the notification shows the caller's display name when the directory answers in time", async () => {
    const names = new Map([['alice', 'Alice Liddell']]);
    const lookups: string[] = [];
    const notifications: NotificationSpec[] = [];
    const windows = new HandleLog();
    const timers = new FakeTimers();
    const coordinator = new RingingCoordinator({
      windows: { open: (id) => windows.handle(id) },
      notifier: {
        show: (spec) => {
          notifications.push(spec);
          return { close: () => undefined };
        },
      },
      mainWindow: { show: () => undefined, openView: () => undefined },
      timers,
      log: memoryLog(),
      lookupName: (id) => {
        lookups.push(id);
        return Promise.resolve(names.get(id));
      },
    });
    coordinator.update(snapshot({ calls: [incoming('c1')] }));
    expect(windows.open).toEqual(['c1']); // the window does not wait
    await Promise.resolve();
    await Promise.resolve();
    expect(notifications.map((n) => n.body)).toEqual(['Alice Liddell']);
    // Cached: the next call from alice notifies at once, without a lookup.
    coordinator.update(snapshot({ calls: [incoming('c2')] }));
    expect(notifications.map((n) => n.body)).toEqual(['Alice Liddell', 'Alice Liddell']);
    expect(lookups).toEqual(['alice']);
  });

  it('a slow directory does not hold the notification back, and an ended ring shows none', async () => {
    const notifications: NotificationSpec[] = [];
    const timers = new FakeTimers();
    const make = () =>
      new RingingCoordinator({
        windows: { open: () => ({ close: () => undefined, setAudible: () => undefined }) },
        notifier: {
          show: (spec) => {
            notifications.push(spec);
            return { close: () => undefined };
          },
        },
        mainWindow: { show: () => undefined, openView: () => undefined },
        timers,
        log: memoryLog(),
        lookupName: () => new Promise(() => undefined),
      });
    const slow = make();
    slow.update(snapshot({ calls: [incoming('c1')] }));
    timers.advance(500);
    await Promise.resolve();
    expect(notifications.map((n) => n.body)).toEqual(['alice']);
    const ended = make();
    ended.update(snapshot({ calls: [incoming('c2')] }));
    ended.update(snapshot({ calls: [] }));
    timers.advance(500);
    await Promise.resolve();
    expect(notifications).toHaveLength(1);
  });

  it('one ringtone at a time: the first ringing window is audible, a second one is silent', () => {
    s.update([incoming('c1', 'ringing'), incoming('c2', 'ringing')]);
    expect(s.opens).toEqual(['c1', 'c2 (silent)']);
    expect(s.coordinator.audibleCall()).toBe('c1');
    // Both windows are up, both notifications are shown (silent: the window is the sound).
    expect(s.windows.open).toEqual(['c1', 'c2']);
    expect(s.notifications.map((n) => n.callId)).toEqual(['c1', 'c2']);
    // The audible one ends: the one still ringing takes the sound over, once.
    s.update([incoming('c1', 'ended', { endReason: 'canceled' }), incoming('c2', 'ringing')]);
    expect(s.windows.audible).toEqual(['c2:on']);
    expect(s.coordinator.audibleCall()).toBe('c2');
    s.update([incoming('c2', 'ringing')]);
    expect(s.windows.audible).toEqual(['c2:on']);
    // A third invitation now rings silently; the silent one ending changes nobody's sound.
    s.update([incoming('c2', 'ringing'), incoming('c3', 'ringing')]);
    expect(s.opens).toEqual(['c1', 'c2 (silent)', 'c3 (silent)']);
    s.update([incoming('c2', 'ringing')]);
    expect(s.windows.audible).toEqual(['c2:on']);
    // Nothing rings: nobody is audible, and the next invitation rings audibly again.
    s.update([]);
    expect(s.coordinator.audibleCall()).toBeUndefined();
    s.update([incoming('c4', 'ringing')]);
    expect(s.opens.at(-1)).toBe('c4');
  });

  it('the ringing route carries the silent flag the renderer reads', () => {
    expect(ringingRoute('c 1', true)).toBe('/ringing/c%201');
    expect(ringingRoute('c 1', false)).toBe('/ringing/c%201?silent=1');
    // renderer/app/route.test.ts parses this very string.
    expect(ringingRoute('call/ä?1', false)).toBe('/ringing/call%2F%C3%A4%3F1?silent=1');
  });

  it('dispose closes everything', () => {
    s.coordinator.dispose();
    expectAllClosed(s);
  });
});
