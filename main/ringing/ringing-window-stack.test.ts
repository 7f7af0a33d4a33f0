import { describe, expect, it } from 'vitest';
import type { SoftphoneCall } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { FakeTimers, FakeWindowFactory, HandleLog, incoming, snapshot } from '../testing/fakes.js';
import { ringingWindowBounds } from '../windows/window-options.js';
import { RingingCoordinator } from './ringing-coordinator.js';
import {
  RINGING_RENDERER_RETRIES,
  RINGING_WORKSPACES,
  RingingWindowStack,
} from './ringing-window-stack.js';

function setup(quiet: { on: boolean } = { on: false }) {
  const factory = new FakeWindowFactory();
  const stack = new RingingWindowStack(factory);
  const notes = new HandleLog();
  const log = memoryLog();
  const coordinator = new RingingCoordinator({
    windows: stack,
    notifier: { show: (spec) => notes.handle(`${spec.kind}:${spec.callId}`) },
    mainWindow: { show: () => undefined, openView: () => undefined },
    timers: new FakeTimers(),
    log,
    quiet: () => quiet.on,
  });
  const ring = (...calls: SoftphoneCall[]): void => {
    coordinator.update(snapshot({ calls }));
  };
  return { factory, stack, notes, coordinator, ring, log };
}

const area = new FakeWindowFactory().workArea();

describe('RingingWindowStack (the ringing windows as the Electron adapter drives them)', () => {
  it('a ringing that ends destroys its window: real window state, not a recorded call', () => {
    const { factory, ring } = setup();
    ring(incoming('c1'));
    const window = factory.window('c1');
    expect(window?.destroyed).toBe(false);
    ring(incoming('c1', 'ended', { endReason: 'answered-elsewhere' }));
    expect(window?.destroyed).toBe(true);
    expect(factory.open).toEqual([]);
  });

  it('windows left move down into the freed slots: a new one never lands on another', () => {
    const { factory, ring } = setup();
    ring(incoming('a'), incoming('b'), incoming('c'));
    expect(factory.windows.map((w) => w.bounds)).toEqual(
      [0, 1, 2].map((i) => ringingWindowBounds(area, i)),
    );
    ring(incoming('b'), incoming('c'));
    expect(factory.window('b')?.bounds).toEqual(ringingWindowBounds(area, 0));
    expect(factory.window('c')?.bounds).toEqual(ringingWindowBounds(area, 1));
    ring(incoming('b'), incoming('c'), incoming('d'));
    const slots = factory.windows.filter((w) => !w.destroyed).map((w) => w.bounds.y);
    expect(new Set(slots).size).toBe(3);
    expect(factory.window('d')?.bounds).toEqual(ringingWindowBounds(area, 2));
  });

  it('the user closing the ringing window silences this device: the next window rings, nothing is declined, it is not reopened', () => {
    const { factory, ring, notes, coordinator, log } = setup();
    ring(incoming('a'), incoming('b'));
    expect(factory.window('a')?.audible).toBe(true);
    expect(factory.window('b')?.audible).toBe(false);
    factory.window('a')?.userClose();
    // The ringtone follows the calls still ringing here, not the closed window.
    expect(factory.window('b')?.audible).toBe(true);
    expect(coordinator.audibleCall()).toBe('b');
    ring(incoming('a'), incoming('b'));
    expect(factory.open).toEqual(['b']);
    expect(factory.window('b')?.bounds).toEqual(ringingWindowBounds(area, 0));
    // Still answerable from its notification until the invitation ends.
    expect(notes.open).toContain('incoming:a');
    expect(log.lines.some((l) => l.message.includes('closed by the user'))).toBe(true);
    ring(incoming('b'));
    expect(notes.open).toEqual(['incoming:b']);
    // Closing the last audible one leaves nothing audible (and nothing stuck on a dead window).
    factory.window('b')?.userClose();
    expect(coordinator.audibleCall()).toBeUndefined();
    ring(incoming('b'), incoming('c'));
    expect(factory.window('c')?.audible).toBe(true);
  });

  it('a ringing window whose renderer died is made again in its slot with its ringtone state, a bounded number of times', () => {
    const { factory, ring, coordinator, notes } = setup();
    ring(incoming('a'), incoming('b'));
    const first = factory.window('b');
    first?.crash();
    expect(first?.destroyed).toBe(true);
    const again = factory.window('b');
    expect(again).not.toBe(first);
    expect(again?.bounds).toEqual(ringingWindowBounds(area, 1));
    expect(again?.audible).toBe(false);
    // The ringtone moving to b reaches the new window, not the dead one.
    ring(incoming('b'));
    expect(factory.window('b')).toBe(again);
    expect(again?.audible).toBe(true);
    expect(again?.bounds).toEqual(ringingWindowBounds(area, 0));
    for (let i = 1; i < RINGING_RENDERER_RETRIES; i++) factory.window('b')?.crash();
    expect(factory.windows.filter((w) => w.callId === 'b')).toHaveLength(
      RINGING_RENDERER_RETRIES + 1,
    );
    // Past the retries: treated as closed by the user, silenced, still in its notification.
    factory.window('b')?.crash();
    expect(factory.open).toEqual([]);
    expect(coordinator.audibleCall()).toBeUndefined();
    expect(notes.open).toContain('incoming:b');
    ring(incoming('b'));
    expect(factory.open).toEqual([]);
  });

  it("quiet (the desktop's do not disturb): no window, so no ringtone; the notification still shows; it stays quiet", () => {
    const quiet = { on: true };
    const { factory, ring, notes, coordinator } = setup(quiet);
    ring(incoming('a'));
    expect(factory.windows).toHaveLength(0);
    expect(notes.open).toEqual(['incoming:a']);
    expect(coordinator.audibleCall()).toBeUndefined();
    // The mode ends while a rings: a stays quiet, the next call rings with its window and sound.
    quiet.on = false;
    ring(incoming('a'), incoming('b'));
    expect(factory.open).toEqual(['b']);
    expect(factory.window('b')?.audible).toBe(true);
    // The ringtone never goes to a quiet call.
    ring(incoming('a'), incoming('b'), incoming('c'));
    factory.window('b')?.userClose();
    expect(coordinator.audibleCall()).toBe('c');
    ring(incoming('c'));
    expect(notes.open).toEqual(['incoming:c']);
  });

  it('a renderer gone after we closed its window is not made again', () => {
    const { factory, ring } = setup();
    ring(incoming('a'));
    const window = factory.window('a');
    ring();
    window?.crash();
    expect(factory.windows).toHaveLength(1);
  });

  it('macOS: on every Space and over full screen, without the dock blink', () => {
    expect(RINGING_WORKSPACES).toEqual({
      visibleOnFullScreen: true,
      skipTransformProcessType: true,
    });
  });
});
