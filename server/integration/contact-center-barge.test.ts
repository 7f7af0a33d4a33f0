import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentOnline,
  answerNext,
  callId,
  callQueue,
  startSupervisedQueue,
} from '../contact-center/testing.js';
import { SfuTestClient } from '../sfu/testing/sfu-test-client.js';
import { type Scenario, eventually } from './support.js';

/**
 * Barge, on the real server with the real SFU: the supervisor becomes an accepted participant
 * of the signaling call (agent and caller see them, they hang up like anyone, the record lists
 * them); listen stays invisible.
 */

let s: Scenario;
beforeAll(async () => {
  s = await startSupervisedQueue([]);
});
afterAll(async () => {
  await s.dispose();
});

const record = async (id: string) => {
  const records = s.t.server.services.stores.records;
  await eventually(async () => {
    await records.flush();
    return (await records.get(id)) !== undefined;
  });
  return (await records.get(id))!;
};

describe('supervisor barge', () => {
  it('adds the supervisor as an accepted leg; they leave like anyone and the record lists them', async () => {
    const caller = await s.signIn('caller');
    const agent = await agentOnline(s, 'agent');
    const id = callId('barge');
    await callQueue(caller, 'q', id);
    await answerNext(agent);
    const sup = await s.signIn('sup');
    const agentTicket = await agent.request('media.ticket', { callId: id });
    const agentMedia = await SfuTestClient.join(agentTicket.sfuUrl, agentTicket.ticket);

    // Listen first: nobody's view of the call changes.
    await sup.request('supervisor.monitor', { callId: id, mode: 'listen' });
    const before = await caller.request('call.list', {});
    expect(before.calls[0]?.legs.map((l) => l.userId)).toEqual(['agent']);

    const barge = await sup.request('supervisor.monitor', { callId: id, mode: 'barge' });
    const supAccepted = (c: { legs: { userId: string; state: string; leftAt?: number }[] }) =>
      c.legs.some((l) => l.userId === 'sup' && l.state === 'accepted' && l.leftAt === undefined);
    const seenByAgent = await agent.waitFor('call.updated', (u) => supAccepted(u.call));
    const seenByCaller = await caller.waitFor('call.updated', (u) => supAccepted(u.call));
    expect(seenByAgent.call.state).toBe('active');
    expect(seenByCaller.call.legs.find((l) => l.userId === 'sup')?.invitedBy).toBe('agent');
    // The supervisor is in the call too, and its barge ticket admits it to the room.
    expect(sup.received('call.updated').some((u) => supAccepted(u.call))).toBe(true);
    const media = await SfuTestClient.join(barge.sfuUrl, barge.ticket);
    expect(media.joined.peers.map((p) => p.userId)).toEqual(['agent']);
    await agentMedia.client.waitFor('peer.joined', (p) => p.userId === 'sup');

    // A second barge from the same device is a harmless repeat.
    await sup.request('supervisor.monitor', { callId: id, mode: 'barge' });

    // The supervisor hangs up: its leg is left, the call goes on between caller and agent.
    await sup.request('call.hangup', { callId: id });
    const left = await caller.waitFor('call.updated', (u) =>
      u.call.legs.some((l) => l.userId === 'sup' && l.leftAt !== undefined),
    );
    expect(left.call.state).toBe('active');
    const { calls } = await agent.request('call.list', {});
    expect(calls[0]?.state).toBe('active');

    await caller.request('call.hangup', { callId: id });
    await agent.waitFor('call.ended', (e) => e.call.callId === id);
    const r = await record(id);
    const supRecord = r.participants.find((p) => p.userId === 'sup');
    expect(supRecord).toMatchObject({ role: 'callee', outcome: 'answered', invitedBy: 'agent' });
    expect(supRecord?.leftAt).toBeDefined();
    expect(r.queue).toMatchObject({ queue: 'q', agentId: 'agent', outcome: 'answered' });
    await media.client.close();
    await agentMedia.client.close();
  });
});
