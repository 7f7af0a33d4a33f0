import { afterEach, describe, expect, it } from 'vitest';
import {
  agentOnline,
  answerNext,
  callId,
  callQueue,
  makeQueue,
  nextOffer,
  noOffer,
} from '../contact-center/testing.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, nextMillisecond } from './support.js';

/** Who gets a queue call, in which order, by each strategy (real server, real sockets). */

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

const USERS = ['caller', 'a1', 'a2', 'a3', 'b1', 'sup'];

/** One call from `caller` into the queue, answered by whoever is offered it; returns who. */
async function oneCall(caller: TestClient, queue: string, agents: Record<string, TestClient>) {
  const id = callId();
  const t0 = Date.now();
  await callQueue(caller, queue, id);
  const offered = await Promise.race(
    Object.entries(agents).map(async ([name, client]) => {
      await client.waitFor('call.incoming', (d) => d.call.callId === id);
      return name;
    }),
  );
  const agent = agents[offered]!;
  await agent.request('call.accept', { callId: id });
  await caller.request('call.hangup', { callId: id });
  await caller.waitFor('call.ended', (d) => d.call.callId === id);
  // With no after-call work the agent is available again as soon as the call ended.
  await agent.waitFor(
    'agent.status',
    (a) => a.status === 'available' && !a.offeredCallId && a.since >= t0,
  );
  return offered;
}

describe('seat calling strategies', () => {
  it('longest-idle offers to the agent who has waited longest for a call', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'sales', strategy: 'longest-idle', afterCallWorkMs: 0 }, [
      'a1',
      'a2',
      'a3',
    ]);
    // Available in the order a2, a3, a1: that is the order of the offers.
    const a2 = await agentOnline(s, 'a2');
    await nextMillisecond();
    const a3 = await agentOnline(s, 'a3');
    await nextMillisecond();
    const a1 = await agentOnline(s, 'a1');
    const caller = await s.signIn('caller');
    const agents = { a1, a2, a3 };
    const order = [];
    for (let i = 0; i < 4; i++) order.push(await oneCall(caller, 'sales', agents));
    // After its call, a2 became available last: it is the least idle.
    expect(order).toEqual(['a2', 'a3', 'a1', 'a2']);
  });

  it('round-robin goes through the agents in a fixed order, wrapping around', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'rr', strategy: 'round-robin', afterCallWorkMs: 0 }, [
      'a3',
      'a1',
      'a2',
    ]);
    const a3 = await agentOnline(s, 'a3');
    const a1 = await agentOnline(s, 'a1');
    const a2 = await agentOnline(s, 'a2');
    const caller = await s.signIn('caller');
    const order = [];
    for (let i = 0; i < 5; i++) order.push(await oneCall(caller, 'rr', { a1, a2, a3 }));
    expect(order).toEqual(['a1', 'a2', 'a3', 'a1', 'a2']);
  });

  it('ring-all rings every available agent; the first to answer takes it, the others stop', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'all', strategy: 'ring-all', afterCallWorkMs: 0 }, [
      'a1',
      'a2',
      'a3',
    ]);
    const a1 = await agentOnline(s, 'a1');
    const a2 = await agentOnline(s, 'a2');
    const a3 = await s.signIn('a3'); // signed in but logged out as an agent: not rung
    const caller = await s.signIn('caller');
    const id = callId();
    await callQueue(caller, 'all', id);
    const [o1, o2] = await Promise.all([nextOffer(a1), nextOffer(a2)]);
    expect(o1.queue).toMatchObject({ queue: 'all', callerId: 'caller' });
    expect(o2.call.callId).toBe(id);
    expect(await noOffer(a3)).toBe(true);
    const { call } = await a2.request('call.accept', { callId: id });
    expect(call.state).toBe('active');
    expect(await a1.waitFor('call.ringEnded', (d) => d.callId === id)).toMatchObject({
      reason: 'canceled',
    });
    const agentState = await a2.request('agent.get', {});
    expect(agentState.agent).toMatchObject({ status: 'on-call', callId: id });
  });

  it('fewest-calls offers to the agent who answered the fewest calls of the queue', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'few', strategy: 'fewest-calls', afterCallWorkMs: 0 }, ['a1']);
    const a1 = await agentOnline(s, 'a1');
    const caller = await s.signIn('caller');
    // a1 answers two calls alone; then a2 joins and gets the next two, then it alternates.
    await oneCall(caller, 'few', { a1 });
    await oneCall(caller, 'few', { a1 });
    await s.t.server.services.contactCenter.setMember('few', { userId: 'a2' });
    const a2 = await agentOnline(s, 'a2');
    const order = [];
    for (let i = 0; i < 3; i++) order.push(await oneCall(caller, 'few', { a1, a2 }));
    expect(order).toEqual(['a2', 'a2', 'a1']);
  });

  it('tiers: the most skilled tier-1 agent first; tier 2 only after the escalation wait', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(
      s,
      { name: 'tiered', strategy: 'tiers', afterCallWorkMs: 0, escalateAfterMs: 1_000 },
      [
        { userId: 'a1', tier: 2, skill: 10 },
        { userId: 'a2', tier: 1, skill: 3 },
        { userId: 'a3', tier: 1, skill: 8 },
      ],
    );
    const a1 = await agentOnline(s, 'a1');
    const a2 = await agentOnline(s, 'a2');
    const a3 = await agentOnline(s, 'a3');
    const caller = await s.signIn('caller');
    expect(await oneCall(caller, 'tiered', { a1, a2, a3 })).toBe('a3');
    // Both tier-1 agents busy: a third call waits for tier 2 to open.
    const c1 = callId();
    const c2 = callId();
    await callQueue(caller, 'tiered', c1);
    await answerNext(a3);
    await callQueue(caller, 'tiered', c2);
    await answerNext(a2);
    const c3 = callId();
    const entered = Date.now();
    await callQueue(caller, 'tiered', c3);
    expect(await noOffer(a1, 600)).toBe(true);
    const offer = await nextOffer(a1, 3_000);
    expect(offer.call.callId).toBe(c3);
    expect(Date.now() - entered).toBeGreaterThanOrEqual(950);
  });
});
