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
