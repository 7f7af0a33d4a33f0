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
    await new Promise((resolve) => setTimeout(resolve, 50));
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

  it("counts today's figures from the call records: they survive a restart, `since` narrows them", async () => {
    s = await Scenario.start({}, ['caller', 'a1', 'a2']);
    await makeQueue(
      s,
      { name: 'q', strategy: 'round-robin', afterCallWorkMs: 0, offerTimeoutMs: 1_000 },
      ['a1', 'a2'],
    );
    let a1 = await agentOnline(s, 'a1');
    const caller = await s.signIn('caller');
    // One call a1 lets ring out (missed, then a2 answers), one a1 answers.
    const missedId = callId();
    await callQueue(caller, 'q', missedId);
    await a1.waitFor('call.incoming', (x) => x.call.callId === missedId);
    const a2 = await agentOnline(s, 'a2');
    await answerNext(a2);
    await caller.request('call.hangup', { callId: missedId });
    const answeredId = callId();
    const beforeSecond = Date.now();
    await callQueue(caller, 'q', answeredId);
    await answerNext(a1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await a1.request('call.hangup', { callId: answeredId });
    await statusOf(a1, 'a1', 'available', beforeSecond);
    const expected = { userId: 'a1', offered: 2, answered: 1, missed: 1 };
    const live = (await a1.request('agent.stats', {})).stats;
    expect(live).toMatchObject(expected);
    expect(live.handleMs).toBeGreaterThanOrEqual(150);

    await s.t.server.services.stores.records.flush();
    await s.t.restart();
    a1 = await s.signIn('a1');
    const { stats } = await a1.request('agent.stats', {});
    expect(stats).toMatchObject({ ...expected, handleMs: live.handleMs });
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    expect(stats.since).toBe(midnight.getTime());
    // Only the calls created since a time.
    const later = (await a1.request('agent.stats', { since: beforeSecond })).stats;
    expect(later).toMatchObject({ offered: 1, answered: 1, missed: 0, since: beforeSecond });
    expect((await a1.request('agent.stats', { since: Date.now() + 1 })).stats).toMatchObject({
      offered: 0,
      answered: 0,
    });
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
