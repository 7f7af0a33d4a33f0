import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../protocol/index.js';
import { FakeTimers, incoming, snapshot } from '../testing/fakes.js';
import { TrayController } from './tray-controller.js';
import { type TrayMenuItem, type TrayModel, trayModel } from './tray-model.js';

/** Seat calling in the tray: the agent's status in the tooltip and menu, break / available. */

const agent = (status: AgentState['status'], reason?: string): AgentState => ({
  userId: 'bob',
  status,
  since: 0,
  queues: [{ queue: 'sales', tier: 1, skill: 5 }],
  autoAnswer: false,
  missedInRow: 0,
  ...(reason === undefined ? {} : { reason }),
});

const actions = (menu: TrayMenuItem[]) =>
  menu.flatMap((i) => (i.kind === 'separator' ? [] : [i.action]));
const item = (model: TrayModel, action: string) =>
  model.menu.find((i) => i.kind === 'radio' && i.action === action) as
    Extract<TrayMenuItem, { kind: 'radio' }> | undefined;

describe('tray: agent status', () => {
  it('has no agent items for a user who is no agent', () => {
    const model = trayModel(snapshot());
    expect(actions(model.menu).filter((a) => a.startsWith('agent:'))).toEqual([]);
  });

  it('shows an available agent, with break and available offered', () => {
    const model = trayModel(snapshot({ agentState: agent('available') }));
    expect(model.tooltip).toContain('Agent: available');
    expect(actions(model.menu)).toEqual([
      'open',
      'status:available',
      'status:away',
      'status:busy',
      'status:dnd',
      'open', // the agent status line (disabled)
      'agent:available',
      'agent:break',
      'missed',
      'logs',
      'quit',
    ]);
    const line = model.menu.find((i) => i.kind === 'item' && i.label === 'Agent: available');
    expect(line).toMatchObject({ enabled: false });
    expect(item(model, 'agent:available')).toMatchObject({ checked: true, enabled: true });
    expect(item(model, 'agent:break')).toMatchObject({ checked: false, enabled: true });
  });

  it('shows a break with its reason, in Chinese too', () => {
    const model = trayModel(snapshot({ agentState: agent('break', 'lunch') }), 'zh-CN');
    expect(model.tooltip).toContain('坐席：小休 (lunch)');
    expect(item(model, 'agent:break')).toMatchObject({ checked: true, label: '小休' });
    // A break taken from the tray has the plain reason `break`: not repeated.
    const plain = trayModel(snapshot({ agentState: agent('break', 'break') }));
    expect(plain.tooltip.split('\n')).toContain('Agent: on break');
  });

  it('disables the changes during a call and when signed out', () => {
    const onCall = trayModel(
      snapshot({ agentState: agent('on-call'), calls: [incoming('c1', 'active')] }),
    );
    expect(onCall.tooltip).toContain('Agent: on a call');
    expect(item(onCall, 'agent:available')?.enabled).toBe(false);
    expect(item(onCall, 'agent:break')?.enabled).toBe(false);
    const offline = trayModel(
      snapshot({ connection: 'reconnecting', agentState: agent('available') }),
    );
    expect(item(offline, 'agent:available')).toMatchObject({ enabled: true });
    const signedOut = trayModel(snapshot({ connection: 'failed', agentState: agent('available') }));
    expect(item(signedOut, 'agent:available')).toMatchObject({ enabled: false, checked: false });
  });

  it('re-renders when the agent status changes (after-call work, then available)', () => {
    const rendered: TrayModel[] = [];
    const tray = new TrayController(
      { render: (m) => rendered.push(m), setBadgeCount: () => undefined },
      new FakeTimers(),
      () => 'en',
    );
    tray.update(snapshot({ agentState: agent('after-call-work') }));
    tray.update(snapshot({ agentState: agent('available') }));
    expect(rendered.map((m) => m.tooltip.split('\n')[2])).toEqual([
      'Agent: after-call work',
      'Agent: available',
    ]);
  });
});
