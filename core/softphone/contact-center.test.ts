import { afterEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, rejected, testPhone } from './testing/softphone-fixture.js';

/** Seat calling on the client: agent status, queue offers and auto-answer, supervisors. */

let t: TestServer;
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

async function start(): Promise<void> {
  t = await startTestServer();
  for (const id of ['caller', 'agent', 'sup', 'plain']) await t.addUser(id);
  const cc = t.server.services.contactCenter;
  await cc.createQueue({ name: 'sales', strategy: 'longest-idle', afterCallWorkMs: 400 });
  await cc.setMember('sales', { userId: 'agent' });
  await cc.setSupervisor('sales', 'sup', true);
}

async function signedIn(userId: string, options: Parameters<typeof testPhone>[0] = {}) {
  const phone = testPhone(options);
  await phone.sp.signIn({ serverUrl: t.server.httpUrl, userId, password: password(userId) });
  await phone.until((s) => s.connection === 'connected');
  return phone;
}

const callIn = (s: SoftphoneSnapshot, callId: string) => s.calls.find((c) => c.callId === callId);

describe('Softphone seat calling', () => {
  it('shows the agent status, changes it, and has nothing of it for a user who is no agent', async () => {
    await start();
    const agent = await signedIn('agent');
    await agent.until((s) => s.agentState?.status === 'logged-out');
    const onBreak = await agent.sp.agentSetStatus({ status: 'break', reason: 'lunch' });
    expect(onBreak).toMatchObject({ userId: 'agent', status: 'break', reason: 'lunch' });
    await agent.until((s) => s.agentState?.reason === 'lunch');
    await agent.sp.agentSetStatus({ status: 'available' });
    expect(agent.last().agentState).toMatchObject({
      status: 'available',
      queues: [{ queue: 'sales' }],
    });
    const stats = await agent.sp.agentStats({});
    expect(stats).toMatchObject({ userId: 'agent', answered: 0 });
    expect(stats.timeInStatusMs.break).toBeGreaterThan(0);

    const plain = await signedIn('plain');
    // The agent.get refusal arrived (or not yet): either way there is no agent part.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(plain.last().agentState).toBeUndefined();
    expect((await rejected(plain.sp.agentSetStatus({ status: 'available' }))).code).toBe(
      'forbidden',
    );
    expect(await plain.sp.supervisorQueues({})).toEqual([]);
    expect((await rejected(plain.sp.supervisorSubscribe({ queues: ['sales'] }))).code).toBe(
      'forbidden',
    );
  });

  it('answers an auto-answer offer by itself after a short tone; after-call work, then available', async () => {
    await start();
    const agent = await signedIn('agent', { autoAnswerDelayMs: 300 });
    await agent.sp.agentSettings({ autoAnswer: true });
    await agent.sp.agentSetStatus({ status: 'available' });
    const caller = await signedIn('caller');
    const { callId } = await caller.sp.call({ callees: ['queue:sales'], media: 'audio' });

    const offered = await agent.until((s) => callIn(s, callId)?.state === 'ringing');
    expect(offered.queueOffers).toEqual([
      expect.objectContaining({ callId, queue: 'sales', callerId: 'caller', autoAnswer: true }),
    ]);
    const ringingAt = Date.now();
    await agent.until((s) => callIn(s, callId)?.state === 'active');
    // It rang first (the tone), then answered without anybody touching it.
    expect(Date.now() - ringingAt).toBeGreaterThanOrEqual(200);
    await caller.until((s) => callIn(s, callId)?.state === 'active');
    await agent.until((s) => s.agentState?.status === 'on-call');

    await caller.sp.hangup({ callId });
    await agent.until((s) => s.agentState?.status === 'after-call-work');
    await agent.until((s) => s.agentState?.status === 'available');
    expect((await agent.sp.agentStats({})).answered).toBe(1);
  });

  it('does not answer an offer without auto-answer; the offer shows the queue until it ends', async () => {
    await start();
    const agent = await signedIn('agent', { autoAnswerDelayMs: 50 });
    await agent.sp.agentSetStatus({ status: 'available' });
    const caller = await signedIn('caller');
    const { callId } = await caller.sp.call({ callees: ['queue:sales'], media: 'audio' });
    await agent.until((s) => s.queueOffers?.[0]?.callId === callId);
    // The caller knows its place in the queue while it waits.
    const placed = await caller.until((s) => s.queuePositions?.[0]?.callId === callId);
    expect(placed.queuePositions?.[0]).toMatchObject({ queue: 'sales', position: 1, waiting: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(callIn(agent.last(), callId)?.state).toBe('ringing');
    expect(agent.last().queueOffers?.[0]).toMatchObject({ queue: 'sales', autoAnswer: false });
    await agent.sp.accept({ callId, media: 'audio' });
    await agent.until((s) => callIn(s, callId)?.state === 'active');
    await caller.until((s) => s.queuePositions === undefined);
  });

  it('gives a supervisor its queues, live queue snapshots, and a monitor ticket', async () => {
    await start();
    const sup = await signedIn('sup');
    expect(await sup.sp.supervisorQueues({})).toEqual([{ name: 'sales' }]);
    await sup.sp.supervisorSubscribe({ queues: ['sales'] });
    const first = await sup.until((s) => s.supervisedQueues?.length === 1);
    expect(first.supervisedQueues?.[0]).toMatchObject({
      config: { name: 'sales' },
      agents: [{ userId: 'agent', status: 'logged-out' }],
    });

    const agent = await signedIn('agent');
    await agent.sp.agentSetStatus({ status: 'available' });
    await sup.until((s) => s.supervisedQueues?.[0]?.agents[0]?.status === 'available');
    const caller = await signedIn('caller');
    const { callId } = await caller.sp.call({ callees: ['queue:sales'], media: 'audio' });
    await agent.until((s) => callIn(s, callId)?.state === 'ringing');
    await agent.sp.accept({ callId, media: 'audio' });
    const live = await sup.until((s) => s.supervisedQueues?.[0]?.active.length === 1);
    expect(live.supervisedQueues?.[0]?.active[0]).toEqual({
      callId,
      agentId: 'agent',
      callerId: 'caller',
    });
    expect(live.supervisedQueues?.[0]?.stats).toMatchObject({ entered: 1, answered: 1 });
    const ticket = await sup.sp.monitorTicket({ callId, mode: 'listen' });
    expect(ticket.agentId).toBe('agent');
    expect(await t.server.services.tokens.verifyMediaTicket(ticket.ticket)).toMatchObject({
      role: 'listen',
      target: 'agent',
    });

    await sup.sp.supervisorUnsubscribe({ queues: ['sales'] });
    expect(sup.last().supervisedQueues).toBeUndefined();
  });
});
