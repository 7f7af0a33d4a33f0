import { afterEach, describe, expect, it } from 'vitest';
import { queueStatsSchema } from '../../protocol/index.js';
import {
  agentOnline,
  answerNext,
  callId,
  callQueue,
  makeQueue,
  statusOf,
} from '../contact-center/testing.js';
import { Scenario, eventually, rejection } from './support.js';

/** Supervisors (permissions, live state), statistics, metrics, the admin API. */

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

const USERS = ['caller', 'caller2', 'a1', 'a2', 'sup', 'mallory'];

describe('seat calling supervision', () => {
  it('lets only the queue supervisors watch it, monitor its calls and read its stats', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle' }, ['a1'], ['sup']);
    await makeQueue(s, { name: 'other', strategy: 'longest-idle' }, [], ['mallory']);
    const mallory = await s.signIn('mallory');
    const a1 = await agentOnline(s, 'a1');
    const caller = await s.signIn('caller');
    await rejection(mallory.request('queue.subscribe', { queues: ['q'] }), 'forbidden');
    await rejection(mallory.request('queue.subscribe', { queues: ['other', 'q'] }), 'forbidden');
    await rejection(mallory.request('queue.stats', { queue: 'q' }), 'forbidden');
    await rejection(mallory.request('queue.subscribe', { queues: ['none'] }), 'not-found');
    // An agent who is no supervisor is no exception.
    await rejection(a1.request('queue.subscribe', { queues: ['q'] }), 'forbidden');
    // Not an agent: agent requests are refused.
    await rejection(mallory.request('agent.setStatus', { status: 'available' }), 'forbidden');

    const id = callId();
    await callQueue(caller, 'q', id);
    await answerNext(a1);
    await rejection(
      mallory.request('supervisor.monitor', { callId: id, mode: 'listen' }),
      'forbidden',
    );
    await rejection(
      mallory.request('supervisor.monitor', { callId: 'cc-unknown-0001', mode: 'listen' }),
      'not-found',
    );
    const sup = await s.signIn('sup');
    const ticket = await sup.request('supervisor.monitor', { callId: id, mode: 'whisper' });
    expect(ticket.agentId).toBe('a1');
    const claims = await s.t.server.services.tokens.verifyMediaTicket(ticket.ticket);
    expect(claims).toEqual({
      callId: id,
      userId: 'sup',
      role: 'whisper',
      target: 'a1',
      // Bound to the session that asked, and single use until it expires.
      sessionId: expect.any(String) as string,
      ticketId: expect.any(String) as string,
      expiresAt: expect.any(Number) as number,
    });
    // The supervisor never became a participant of the call.
    expect(s.t.server.services.calls.isParticipant(id, 'sup')).toBe(false);
  });

  it('streams queue state and agent status to a subscribed supervisor', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(
      s,
      { name: 'q', strategy: 'longest-idle', afterCallWorkMs: 0 },
      ['a1'],
      ['sup'],
    );
    const sup = await s.signIn('sup');
    const [snapshot] = (await sup.request('queue.subscribe', { queues: ['q'] })).queues;
    expect(snapshot).toMatchObject({
      config: { name: 'q', strategy: 'longest-idle' },
      waiting: [],
      agents: [{ userId: 'a1', status: 'logged-out' }],
    });
    // Anyone watching the agent's presence hears its agent status too.
    const watcher = await s.signIn('mallory');
    await watcher.request('presence.subscribe', { userIds: ['a1'] });
    const a1 = await agentOnline(s, 'a1');
    await statusOf(sup, 'a1', 'available');
    await statusOf(watcher, 'a1', 'available');
    const caller = await s.signIn('caller');
    // A call with the agent on break waits: the supervisor sees it waiting.
    await a1.request('agent.setStatus', { status: 'break', reason: 'lunch' });
    expect(await statusOf(sup, 'a1', 'break')).toMatchObject({ reason: 'lunch' });
    const id = callId();
    await callQueue(caller, 'q', id);
    const waiting = await sup.waitFor('queue.state', (q) => q.waiting.length === 1);
    expect(waiting.waiting[0]).toMatchObject({ callId: id, callerId: 'caller', position: 1 });
    await a1.request('agent.setStatus', { status: 'available' });
    await answerNext(a1);
    const active = await sup.waitFor('queue.state', (q) => q.active.length === 1);
    expect(active.active[0]).toEqual({ callId: id, agentId: 'a1', callerId: 'caller' });
    expect(active.waiting).toEqual([]);
    await statusOf(sup, 'a1', 'on-call');
    await sup.request('queue.unsubscribe', { queues: ['q'] });
  });

  it('keeps statistics per queue and agent, as signaling, metrics and call records show', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(
      s,
      { name: 'q', strategy: 'longest-idle', afterCallWorkMs: 0, serviceLevelMs: 1_000 },
      ['a1'],
      ['sup'],
    );
    const caller = await s.signIn('caller');
    const caller2 = await s.signIn('caller2');
    // One call abandoned before any agent is there, one answered after about 1.2 s.
    const gone = callId();
    await callQueue(caller2, 'q', gone);
    await caller2.request('call.hangup', { callId: gone });
    const id = callId();
    await callQueue(caller, 'q', id);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const a1 = await agentOnline(s, 'a1');
    await answerNext(a1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await a1.request('call.hangup', { callId: id });
    await statusOf(a1, 'a1', 'available', Date.now() - 200);

    const sup = await s.signIn('sup');
    const { stats } = await sup.request('queue.stats', { queue: 'q' });
    expect(queueStatsSchema.parse(stats)).toMatchObject({
      waitingNow: 0,
      entered: 2,
      answered: 1,
      abandoned: 1,
      overflowed: 0,
      timedOut: 0,
      // Answered after the 1 s threshold: nothing within the service level.
      serviceLevelPct: 0,
    });
    expect(stats.avgSpeedOfAnswerMs).toBeGreaterThanOrEqual(1_150);
    expect(stats.avgHandleMs).toBeGreaterThanOrEqual(250);
    const agent = stats.agents.find((a) => a.userId === 'a1')!;
    expect(agent).toMatchObject({ offered: 1, answered: 1, missed: 0 });
    expect(agent.timeInStatusMs['on-call']).toBeGreaterThanOrEqual(250);

    const metrics = await (await fetch(`${s.t.server.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/trayphone_cc_queue_calls_total\{queue="q",outcome="answered"\} 1/);
    expect(metrics).toMatch(/trayphone_cc_queue_calls_total\{queue="q",outcome="abandoned"\} 1/);
    expect(metrics).toMatch(/trayphone_cc_queue_waiting\{queue="q"\} 0/);
    expect(metrics).toMatch(/trayphone_cc_entry_to_offer_seconds_count 1/);
    expect(metrics).toMatch(/trayphone_cc_agents\{status="available"\} 1/);
    const onCall =
      /trayphone_cc_queue_agent_status_seconds\{queue="q",status="on-call"\} ([\d.e-]+)/.exec(
        metrics,
      );
    expect(Number(onCall?.[1])).toBeGreaterThanOrEqual(0.25);

    // The caller's history carries the queue, the agent and the wait.
    await eventually(async () => {
      await s.t.server.services.stores.records.flush();
      const { records } = await caller.request('history.list', {});
      return records.some((r) => r.callId === id);
    });
    const { records } = await caller.request('history.list', {});
    const rec = records.find((r) => r.callId === id)!;
    expect(rec.queue).toMatchObject({ queue: 'q', agentId: 'a1', outcome: 'answered' });
    expect(rec.queue!.waitSec).toBeGreaterThanOrEqual(1.1);
  });

  it('administers queues over the admin API, persisted across a restart', async () => {
    s = await Scenario.start({}, USERS);
    expect((await s.http('POST', '/admin/queues', { body: { name: 'q' } })).status).toBe(400);
    expect(
      (
        await s.http('POST', '/admin/queues', {
          body: { name: 'q', strategy: 'ring-all' },
          key: 'x'.repeat(32),
        })
      ).status,
    ).toBe(401);
    const created = await s.http('POST', '/admin/queues', {
      body: { name: 'q', strategy: 'ring-all', offerTimeoutMs: 5_000 },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'q',
      strategy: 'ring-all',
      afterCallWorkMs: 10_000,
    });
    expect(
      (await s.http('POST', '/admin/queues', { body: { name: 'q', strategy: 'tiers' } })).status,
    ).toBe(409);
    await s.http('POST', '/admin/queues', { body: { name: 'spill', strategy: 'longest-idle' } });
    const patched = await s.http('PATCH', '/admin/queues/q', {
      body: { overflowTo: 'spill', maxWaitMs: 60_000 },
    });
    expect(patched.json).toMatchObject({ overflowTo: 'spill', maxWaitMs: 60_000 });
    expect((await s.http('PATCH', '/admin/queues/q', { body: { name: 'z' } })).status).toBe(400);
    expect(
      (await s.http('PUT', '/admin/queues/q/agents/a1', { body: { tier: 2, skill: 7 } })).status,
    ).toBe(200);
    expect((await s.http('PUT', '/admin/queues/q/agents/a2', {})).status).toBe(200);
    expect((await s.http('PUT', '/admin/queues/q/supervisors/sup')).status).toBe(200);
    expect((await s.http('PUT', '/admin/queues/nope/agents/a1', {})).status).toBe(404);
    expect((await s.http('DELETE', '/admin/queues/q/agents/a2')).json).toEqual({ removed: true });

    await s.t.restart();
    const listed = await s.http('GET', '/admin/queues/q');
    expect(listed.json).toMatchObject({
      config: { name: 'q', strategy: 'ring-all', overflowTo: 'spill', offerTimeoutMs: 5_000 },
      members: [{ userId: 'a1', tier: 2, skill: 7 }],
      supervisors: ['sup'],
      waiting: 0,
    });
    const stats = await s.http('GET', '/admin/queues/q/stats');
    expect(stats.json).toMatchObject({ queue: 'q', entered: 0 });
    expect((await s.http('DELETE', '/admin/queues/spill')).status).toBe(200);
    expect((await s.http('GET', '/admin/queues')).json).toMatchObject({
      queues: [{ config: { name: 'q' } }],
    });
  });
});
