import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { RingingCoordinator, type NotificationSpec } from '../ringing/ringing-coordinator.js';
import { FakeTimers, HandleLog, incoming, snapshot } from '../testing/fakes.js';
import { toastActions } from './toast-actions.js';

describe('incoming-call toast buttons', () => {
  it("the invitation's notification carries Answer / Decline for its own call", () => {
    const specs: NotificationSpec[] = [];
    const acted: string[] = [];
    const windows = new HandleLog();
    const coordinator = new RingingCoordinator({
      windows: { open: (id) => windows.handle(id) },
      notifier: {
        show: (spec) => {
          specs.push(spec);
          return { close: () => undefined };
        },
      },
      mainWindow: { show: () => undefined, openView: () => undefined },
      timers: new FakeTimers(),
      log: memoryLog(),
      callAction: (action, callId) => acted.push(`${action}:${callId}`),
    });
    coordinator.update(snapshot({ calls: [incoming('c1'), incoming('c2')] }));
    const first = specs.find((s) => s.callId === 'c1');
    expect(first?.actions?.map((a) => a.label)).toEqual(['Answer', 'Decline']);
    first?.actions?.[0]?.run();
    specs.find((s) => s.callId === 'c2')?.actions?.[1]?.run();
    expect(acted).toEqual(['answer:c1', 'decline:c2']);
  });

  it('macOS gets Electron buttons mapped by index; Windows and Linux none (the click opens the call)', () => {
    const ran: string[] = [];
    const actions = [
      { label: 'Answer', run: () => ran.push('answer') },
      { label: 'Decline', run: () => ran.push('decline') },
    ];
    const mac = toastActions('darwin', actions);
    expect(mac?.actions).toEqual([
      { type: 'button', text: 'Answer' },
      { type: 'button', text: 'Decline' },
    ]);
    mac?.onAction(1);
    mac?.onAction(7);
    expect(ran).toEqual(['decline']);
    expect(toastActions('win32', actions)).toBeUndefined();
    expect(toastActions('linux', actions)).toBeUndefined();
    expect(toastActions('darwin', [])).toBeUndefined();
  });
});
