import { afterEach, describe, expect, it } from 'vitest';
import { agentStatsSchema } from '../../protocol/index.js';
import {
  agentOnline,
  answerNext,
  callId,
  callQueue,
  makeQueue,
  statusOf,
} from '../contact-center/testing.js';
import { Scenario, rejection } from './support.js';

/** What an agent reads about itself (`agent.stats`) and a supervisor about its queues. */

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

describe('seat calling: own figures', () => {
  it('gives an agent its own figures summed over its queues, and nobody else', async () => {
    s = await Scenario.start({}, ['caller', 'a1', 'sup', 'other']);
    await makeQueue(
      s,
      { name: 'q1', strategy: 'longest-idle', afterCallWorkMs: 0 },
      ['a1'],
      ['sup'],
    );
    await makeQueue(s, { name: 'q2', strategy: 'longest-idle', afterCallWorkMs: 0 }, ['a1']);
    const other = await s.signIn('other');
    await rejection(other.request('agent.stats', {}), 'forbidden');

    const a1 = await agentOnline(s, 'a1');
    const caller = await s.signIn('caller');
    for (const queue of ['q1', 'q2']) {
      const id = callId();
      await callQueue(caller, queue, id);
      await answerNext(a1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await a1.request('call.hangup', { callId: id });
      await statusOf(a1, 'a1', 'available', Date.now() - 100);
    }
    const { stats } = await a1.request('agent.stats', {});
    expect(agentStatsSchema.parse(stats)).toMatchObject({
      userId: 'a1',
      offered: 2,
      answered: 2,
      missed: 0,
    });
    expect(stats.handleMs).toBeGreaterThanOrEqual(250);
    expect(stats.timeInStatusMs['on-call']).toBeGreaterThanOrEqual(250);
    expect(stats.timeInStatusMs.available).toBeGreaterThan(0);
  });

  it('says when after-call work ends, and counts the handle time when the agent is ready early', async () => {
    s = await Scenario.start({}, ['caller', 'a1']);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle', afterCallWorkMs: 60_000 }, ['a1']);
    const a1 = await agentOnline(s, 'a1');
    const caller = await s.signIn('caller');
    const id = callId();
    await callQueue(caller, 'q', id);
    await answerNext(a1);
    await a1.request('call.hangup', { callId: id });
    const acw = await statusOf(a1, 'a1', 'after-call-work');
    expect(acw.afterCallUntil! - acw.since).toBe(60_000);
    // "Ready now": the agent ends after-call work early; the handle time still counts.
    const { agent } = await a1.request('agent.setStatus', { status: 'available' });
    expect(agent.status).toBe('available');
    expect(agent.afterCallUntil).toBeUndefined();
    const { stats } = await a1.request('agent.stats', {});
    expect(stats).toMatchObject({ answered: 1 });
    expect(stats.handleMs).toBeGreaterThan(0);
  });

  it('lists the queues a user supervises', async () => {
    s = await Scenario.start({}, ['sup', 'other']);
    await makeQueue(
      s,
      { name: 'zeta', strategy: 'ring-all', displayName: 'Zeta line' },
      [],
      ['sup'],
    );
    await makeQueue(s, { name: 'alpha', strategy: 'ring-all' }, [], ['sup']);
    await makeQueue(s, { name: 'hidden', strategy: 'ring-all' }, [], ['other']);
    const sup = await s.signIn('sup');
    expect((await sup.request('supervisor.queues', {})).queues).toEqual([
      { name: 'alpha' },
      { name: 'zeta', displayName: 'Zeta line' },
    ]);
    const nobody = await s.signIn('other');
    expect((await nobody.request('supervisor.queues', {})).queues).toEqual([{ name: 'hidden' }]);
  });
});
