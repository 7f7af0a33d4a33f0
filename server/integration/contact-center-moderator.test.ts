import { afterEach, describe, expect, it } from 'vitest';
import {
  agentOnline,
  answerNext,
  callId,
  callQueue,
  makeQueue,
} from '../contact-center/testing.js';
import { Scenario, rejection } from './support.js';

/**
 * Who runs a queue call: the agent who answered it is its moderator, not the customer who called
 * in; the customer's conference control is refused like any non-moderator's (`forbidden`).
 */

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

describe('queue call moderation', () => {
  it('makes the answering agent the moderator; the customer cannot mute, remove or end', async () => {
    s = await Scenario.start({}, ['caller', 'a1']);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle' }, ['a1']);
    const a1 = await agentOnline(s, 'a1');
    const caller = await s.signIn('caller');
    const id = callId('mod');
    const queued = await callQueue(caller, 'q', id);
    expect(queued.moderatorId).toBe('caller');
    await answerNext(a1);
    const active = await caller.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(active.call.moderatorId).toBe('a1');

    for (const attempt of [
      { callId: id, action: 'mute', target: 'a1', kind: 'audio' },
      { callId: id, action: 'remove', target: 'a1' },
      { callId: id, action: 'end' },
    ] as const) {
      const denied = await rejection(caller.request('call.control', attempt), 'forbidden');
      expect(denied.message).toMatch(/moderator/);
    }

    const muted = await a1.request('call.control', {
      callId: id,
      action: 'mute',
      target: 'caller',
      kind: 'audio',
    });
    expect(muted.call.callerMuted).toEqual({ audio: true, video: false });
    expect(await caller.waitFor('call.controlled')).toEqual({
      callId: id,
      action: 'mute',
      kind: 'audio',
      by: 'a1',
    });
  });

  it('passes moderation to the agent side, never to the customer, when the agent leaves', async () => {
    s = await Scenario.start({}, ['caller', 'a1', 'expert']);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle' }, ['a1']);
    const a1 = await agentOnline(s, 'a1');
    const expert = await s.signIn('expert');
    const caller = await s.signIn('caller');
    const id = callId('mod');
    await callQueue(caller, 'q', id);
    await answerNext(a1);
    await a1.request('call.add', { callId: id, callees: ['expert'] });
    await expert.waitFor('call.incoming', (d) => d.call.callId === id);
    await expert.request('call.accept', { callId: id });
    await caller.waitFor('call.updated', (d) =>
      d.call.legs.some((l) => l.userId === 'expert' && l.state === 'accepted'),
    );

    const afterAgent = await a1.request('call.hangup', { callId: id });
    expect(afterAgent.call).toMatchObject({ state: 'active', moderatorId: 'expert' });
    await rejection(
      caller.request('call.control', { callId: id, action: 'remove', target: 'expert' }),
      'forbidden',
    );
    const ended = await expert.request('call.control', { callId: id, action: 'end' });
    expect(ended.call).toMatchObject({ state: 'ended', endReason: 'ended-by-moderator' });
  });
});
