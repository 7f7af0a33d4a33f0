import { describe, expect, it } from 'vitest';
import { FakeTimers, incoming, outgoing, snapshot } from '../testing/fakes.js';
import { FLASH_INTERVAL_MS, TrayController } from './tray-controller.js';
import { type TrayMenuItem, type TrayModel, trayModel } from './tray-model.js';

const actions = (menu: TrayMenuItem[]) =>
  menu.flatMap((i) => (i.kind === 'separator' ? [] : [i.action]));
const radio = (model: TrayModel, action: string) =>
  model.menu.find((i) => i.kind === 'radio' && i.action === action) as
    Extract<TrayMenuItem, { kind: 'radio' }> | undefined;

describe('trayModel', () => {
  it.each(['available', 'away', 'busy', 'dnd'] as const)(
    'status %s: its icon, its radio item checked, status items enabled',
    (status) => {
      const model = trayModel(snapshot({ status }));
      expect(model.state).toBe(status);
      expect(model.icon).toBe(status);
      expect(radio(model, `status:${status}`)?.checked).toBe(true);
      const checked = model.menu.filter((i) => i.kind === 'radio' && i.checked);
      expect(checked).toHaveLength(1);
      expect(model.menu.filter((i) => i.kind === 'radio').every((i) => i.enabled)).toBe(true);
      expect(actions(model.menu)).toEqual([
        'open',
        'status:available',
        'status:away',
        'status:busy',
        'status:dnd',
        'missed',
        'logs',
        'quit',
      ]);
    },
  );

  it('signed out: offline icon, status items disabled and unchecked', () => {
    const model = trayModel(snapshot({ connection: 'signed-out', account: null }));
    expect(model.icon).toBe('offline');
    expect(model.tooltip).toContain('Signed out');
    const radios = model.menu.filter((i) => i.kind === 'radio');
    expect(radios.every((i) => !i.enabled && !i.checked)).toBe(true);
  });

  it.each(['connecting', 'reconnecting'] as const)(
    '%s: offline icon, reconnecting tooltip',
    (c) => {
      const model = trayModel(snapshot({ connection: c, calls: [incoming('c1')] }));
      expect(model.state).toBe('reconnecting');
      expect(model.icon).toBe('offline');
      expect(model.tooltip).toContain('Reconnecting');
    },
  );

  it('ringing: ringing icon (dim on the flash phase), answer/decline on top, flashing', () => {
    const snap = snapshot({ status: 'busy', calls: [incoming('c1')] });
    const model = trayModel(snap);
    expect(model).toMatchObject({ state: 'ringing', icon: 'ringing', flashing: true });
    expect(trayModel(snap, 'en', true).icon).toBe('ringing-dim');
    expect(actions(model.menu).slice(0, 3)).toEqual(['open', 'answer', 'decline']);
    expect(model.tooltip).toContain('Incoming call from alice');
  });

  it.each(['dialing', 'ringback', 'answering', 'active'] as const)(
    'a call %s: in-call icon and a hang-up item, not flashing',
    (state) => {
      const model = trayModel(snapshot({ calls: [outgoing('o1', state)] }));
      expect(model).toMatchObject({ state: 'in-call', icon: 'in-call', flashing: false });
      expect(actions(model.menu)).toContain('hangup');
    },
  );

  it('ended calls do not count', () => {
    const model = trayModel(snapshot({ calls: [incoming('c1', 'ended'), outgoing('o', 'ended')] }));
    expect(model.state).toBe('available');
  });

  it('missed calls: count in tooltip, title, badge and the menu item', () => {
    const none = trayModel(snapshot());
    expect(none).toMatchObject({ title: '', badgeCount: 0 });
    expect(none.tooltip).not.toContain('missed');
    const model = trayModel(snapshot({ missedUnread: 3 }));
    expect(model).toMatchObject({ title: '3', badgeCount: 3 });
    expect(model.tooltip).toContain('3 missed calls');
    expect(model.menu.find((i) => i.kind === 'item' && i.action === 'missed')).toMatchObject({
      label: 'Missed calls (3)',
    });
    expect(trayModel(snapshot({ missedUnread: 1 })).tooltip).toContain('1 missed call');
  });

  it('speaks Chinese when the setting says so', () => {
    const model = trayModel(snapshot({ status: 'dnd' }), 'zh-CN');
    expect(radio(model, 'status:dnd')?.label).toBe('请勿打扰');
  });
});

describe('TrayController', () => {
  function setup() {
    const renders: TrayModel[] = [];
    const badges: number[] = [];
    const timers = new FakeTimers();
    const tray = new TrayController(
      { render: (m) => renders.push(m), setBadgeCount: (n) => badges.push(n) },
      timers,
      () => 'en',
    );
    return { renders, badges, timers, tray };
  }

  it('flashes while ringing and stops (steady icon) the moment ringing stops', () => {
    const { renders, timers, tray } = setup();
    tray.update(snapshot({ calls: [incoming('c1')] }));
    expect(renders.at(-1)?.icon).toBe('ringing');
    timers.advance(FLASH_INTERVAL_MS);
    expect(renders.at(-1)?.icon).toBe('ringing-dim');
    timers.advance(FLASH_INTERVAL_MS);
    expect(renders.at(-1)?.icon).toBe('ringing');
    timers.advance(FLASH_INTERVAL_MS);
    tray.update(snapshot({ calls: [incoming('c1', 'active')] }));
    expect(renders.at(-1)?.icon).toBe('in-call');
    expect(timers.active).toBe(0);
    const count = renders.length;
    timers.advance(10 * FLASH_INTERVAL_MS);
    expect(renders).toHaveLength(count);
  });

  it('sets the app badge only when the count changes', () => {
    const { badges, tray } = setup();
    tray.update(snapshot());
    tray.update(snapshot({ missedUnread: 2 }));
    tray.update(snapshot({ missedUnread: 2, status: 'away' }));
    tray.update(snapshot({ missedUnread: 0 }));
    expect(badges).toEqual([0, 2, 0]);
  });

  it('missed calls: the icon carries the count as a badge (1..9, then 9+), not while ringing', () => {
    expect(trayModel(snapshot({ missedUnread: 3 })).icon).toBe('available-missed-3');
    expect(trayModel(snapshot({ missedUnread: 9, status: 'dnd' })).icon).toBe('dnd-missed-9');
    expect(trayModel(snapshot({ missedUnread: 12 })).icon).toBe('available-missed-9plus');
    expect(trayModel(snapshot({ missedUnread: 0 })).icon).toBe('available');
    expect(trayModel(snapshot({ missedUnread: 2, connection: 'reconnecting' })).icon).toBe(
      'offline-missed-2',
    );
    expect(trayModel(snapshot({ missedUnread: 2, calls: [incoming('c1')] })).icon).toBe('ringing');
    expect(trayModel(snapshot({ missedUnread: 2, calls: [incoming('c1', 'active')] })).icon).toBe(
      'in-call-missed-2',
    );
  });
});
