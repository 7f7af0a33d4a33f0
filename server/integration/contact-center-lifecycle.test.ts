import { afterEach, describe, expect, it } from 'vitest';
import {
  agentOnline,
  answerNext,
  callId,
  callQueue,
  makeQueue,
  nextOffer,
  noOffer,
  statusOf,
} from '../contact-center/testing.js';
import { Scenario, eventually, rejection } from './support.js';

/** A queue call's life: re-offers, breaks, after-call work, overflow, timeout, abandonment. */

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

const USERS = ['caller', 'caller2', 'caller3', 'a1', 'a2', 'b1'];

const record = async (id: string) => {
  const records = s.t.server.services.stores.records;
  await eventually(async () => {
    await records.flush();
    return (await records.get(id)) !== undefined;
  });
  return (await records.get(id))!;
};

describe('seat calling lifecycle', () => {
  it('re-offers to the next agent when one does not answer, and puts that one on break', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(
      s,
      { name: 'q', strategy: 'round-robin', offerTimeoutMs: 1_000, maxNoAnswers: 1 },
      ['a1', 'a2'],
    );
    const a1 = await agentOnline(s, 'a1');
    const a2 = await agentOnline(s, 'a2');
    const caller = await s.signIn('caller');
    const id = callId();
    await callQueue(caller, 'q', id);
    const first = await nextOffer(a1);
    expect(first.remainingMs).toBeLessThanOrEqual(1_000);
    // a1 lets it ring out: its ringing ends, it goes on break, a2 is offered the call.
    expect(await a1.waitFor('call.ringEnded', (d) => d.callId === id, 3_000)).toMatchObject({
      reason: 'timeout',
    });
    const onBreak = await statusOf(a1, 'a1', 'break');
    expect(onBreak).toMatchObject({ reason: 'no-answer', missedInRow: 1 });
    const second = await answerNext(a2);
    expect(second.call.callId).toBe(id);
    expect(second.queue?.waitMs).toBeGreaterThanOrEqual(900);
    // The caller sees the missed offer and the answer in the call's legs.
    const updated = await caller.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(updated.call.legs.map((l) => [l.userId, l.state])).toEqual([
      ['a1', 'failed'],
      ['a2', 'accepted'],
    ]);
    await caller.request('call.hangup', { callId: id });
    const rec = await record(id);
    expect(rec.queue).toMatchObject({ queue: 'q', agentId: 'a2', outcome: 'answered' });
    expect(rec.queue!.waitSec).toBeGreaterThanOrEqual(0.9);
    // On break, a1 gets no calls until it says it is available again.
    const id2 = callId();
    await callQueue(caller, 'q', id2);
    expect(await noOffer(a1, 400)).toBe(true);
    await a1.request('agent.setStatus', { status: 'available' });
    expect((await nextOffer(a1)).call.callId).toBe(id2);
  });

  it('gives the agent after-call work before the next offer', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle', afterCallWorkMs: 700 }, ['a1']);
    const a1 = await agentOnline(s, 'a1');
    const caller = await s.signIn('caller');
    const id = callId();
    await callQueue(caller, 'q', id);
    await answerNext(a1);
    await statusOf(a1, 'a1', 'on-call');
    await a1.request('call.hangup', { callId: id });
    const acw = await statusOf(a1, 'a1', 'after-call-work');
    expect(acw.callId).toBe(id);
    // A call arriving during after-call work waits for it to end.
    const id2 = callId();
    await callQueue(caller, 'q', id2);
    expect(await noOffer(a1, 400)).toBe(true);
    const available = await statusOf(a1, 'a1', 'available', acw.since);
    expect(available.since - acw.since).toBeGreaterThanOrEqual(650);
    expect((await nextOffer(a1)).call.callId).toBe(id2);
    // An agent may end after-call work early; it may not leave a call by changing status.
    await a1.request('call.accept', { callId: id2 });
    await rejection(a1.request('agent.setStatus', { status: 'break' }), 'invalid-state');
  });

  it('overflows to another queue after the maximum wait', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'backup', strategy: 'longest-idle' }, ['b1']);
    await makeQueue(
      s,
      { name: 'front', strategy: 'longest-idle', maxWaitMs: 1_000, overflowTo: 'backup' },
      ['a1'],
    );
    const b1 = await agentOnline(s, 'b1');
    const caller = await s.signIn('caller');
    const id = callId();
    await callQueue(caller, 'front', id);
    expect(await caller.waitFor('queue.position', (p) => p.callId === id)).toMatchObject({
      queue: 'front',
      position: 1,
    });
    const moved = await caller.waitFor('queue.position', (p) => p.queue === 'backup', 3_000);
    expect(moved.waitedMs).toBeGreaterThanOrEqual(950);
    const offer = await answerNext(b1);
    expect(offer.queue).toMatchObject({ queue: 'backup', callerId: 'caller' });
    await caller.request('call.hangup', { callId: id });
    const rec = await record(id);
    expect(rec.queue).toMatchObject({
      queue: 'backup',
      overflowedFrom: ['front'],
      agentId: 'b1',
      outcome: 'answered',
    });
    const stats = s.t.server.services.contactCenter.allStats();
    expect(stats.find((x) => x.queue === 'front')).toMatchObject({ overflowed: 1, answered: 0 });
    expect(stats.find((x) => x.queue === 'backup')).toMatchObject({ entered: 1, answered: 1 });
  });

  it('ends a call that waited the maximum with nowhere to overflow', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle', maxWaitMs: 1_000 }, ['a1']);
    const caller = await s.signIn('caller');
    const id = callId();
    await callQueue(caller, 'q', id);
    const ended = await caller.waitFor('call.ended', (d) => d.call.callId === id, 3_000);
    expect(ended.reason).toBe('timeout');
    expect((await record(id)).queue).toMatchObject({ queue: 'q', outcome: 'timeout' });
  });

  it('counts a caller who hangs up while queued as abandoned, and moves the others up', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle' }, ['a1']);
    const [c1, c2, c3] = [
      await s.signIn('caller'),
      await s.signIn('caller2'),
      await s.signIn('caller3'),
    ];
    const ids = [callId(), callId(), callId()];
    await callQueue(c1, 'q', ids[0]);
    await callQueue(c2, 'q', ids[1]);
    await callQueue(c3, 'q', ids[2]);
    expect(await c3.waitFor('queue.position')).toMatchObject({ position: 3, waiting: 3 });
    expect(await c2.waitFor('queue.position')).toMatchObject({ position: 2 });
    // The first caller gives up: the call ends `canceled`, the others move up one place.
    const { call } = await c1.request('call.hangup', { callId: ids[0]! });
    expect(call).toMatchObject({ state: 'ended', endReason: 'canceled' });
    expect(await c2.waitFor('queue.position')).toMatchObject({ position: 1, waiting: 2 });
    expect(await c3.waitFor('queue.position')).toMatchObject({ position: 2, waiting: 2 });
    expect((await record(ids[0]!)).queue).toMatchObject({ outcome: 'abandoned' });
    // An agent signing in takes the longest-waiting call first.
    const a1 = await agentOnline(s, 'a1');
    expect((await nextOffer(a1)).call.callId).toBe(ids[1]);
    const stats = s.t.server.services.contactCenter.allStats()[0]!;
    expect(stats).toMatchObject({ entered: 3, abandoned: 1, waitingNow: 2 });
  });

  it('keeps a waiting call waiting across a restart, with its offers voided', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle', offerTimeoutMs: 30_000 }, [
      'a1',
      'a2',
    ]);
    const caller = await s.signIn('caller');
    const a1 = await agentOnline(s, 'a1');
    const id = callId();
    const call = await callQueue(caller, 'q', id);
    await nextOffer(a1);
    await s.t.server.services.stores.liveCalls.flush();
    await s.t.restart();
    // Agents start logged out after a restart: the call waits for the first one to log in.
    const a2 = await agentOnline(s, 'a2');
    const offer = await nextOffer(a2);
    expect(offer.call.callId).toBe(id);
    expect(offer.call.queue).toMatchObject({ queue: 'q', enteredAt: call.queue!.enteredAt });
    const again = await s.signInWithHello('caller');
    expect(again.hello.calls.map((c) => c.callId)).toEqual([id]);
    await a2.request('call.accept', { callId: id });
    await again.client.request('call.hangup', { callId: id });
    expect((await record(id)).queue).toMatchObject({
      queue: 'q',
      agentId: 'a2',
      outcome: 'answered',
    });
  });

  it('validates queue callees without changing how user ids validate', async () => {
    s = await Scenario.start({}, USERS);
    await makeQueue(s, { name: 'q', strategy: 'longest-idle' }, ['a1']);
    const caller = await s.signIn('caller');
    await rejection(
      caller.request('call.invite', {
        callId: callId(),
        callees: ['queue:q', 'a1'],
        media: 'audio',
      }),
      'bad-request',
    );
    await rejection(
      caller.request('call.invite', { callId: callId(), callees: ['queue:Q!'], media: 'audio' }),
      'bad-request',
    );
    await rejection(
      caller.request('call.invite', { callId: callId(), callees: ['Alice'], media: 'audio' }),
      'bad-request',
    );
    await rejection(callQueue(caller, 'nope'), 'not-found');
    // A retry of the same queue call answers with the call as it is.
    const id = callId();
    const first = await callQueue(caller, 'q', id);
    const again = await callQueue(caller, 'q', id);
    expect(again.callId).toBe(first.callId);
    expect(again.queue?.queue).toBe('q');
    // Ordinary calls are untouched.
    const a1 = await s.signIn('a1');
    const direct = callId();
    await caller.request('call.invite', { callId: direct, callees: ['a1'], media: 'audio' });
    const incoming = await a1.waitFor('call.incoming', (d) => d.call.callId === direct);
    expect(incoming.queue).toBeUndefined();
  });
});
