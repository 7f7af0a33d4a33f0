import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentOnline,
  answerNext,
  callId,
  callQueue,
  startSupervisedQueue,
} from '../contact-center/testing.js';
import { opusParameters } from '../sfu/testing/media-fixtures.js';
import { SfuTestClient } from '../sfu/testing/sfu-test-client.js';
import type { TestClient } from '../testing/test-client.js';
import { type Scenario, eventually, rejection } from './support.js';

/**
 * A supervisor who loses a queue (removed through the admin API, or the queue deleted) stops
 * monitoring its calls at once, in signaling and at the SFU: a listener's peer leaves the media
 * room, a barge leg leaves the call, and no new monitor ticket is given.
 */

let s: Scenario;
beforeAll(async () => {
  s = await startSupervisedQueue(['sup2']);
  expect((await s.http('PUT', '/admin/queues/q/supervisors/sup2')).status).toBe(200);
});
afterAll(async () => {
  await s.dispose();
});

/** An answered queue call with both sides in the media room, the caller's microphone on. */
async function answeredWithMedia(tag: string) {
  const caller = await s.signIn('caller', `caller-${tag}`);
  const agent = await agentOnline(s, 'agent');
  const id = callId(tag);
  await callQueue(caller, 'q', id);
  await answerNext(agent);
  const callerTicket = await caller.request('media.ticket', { callId: id });
  const callerMedia = await SfuTestClient.join(callerTicket.sfuUrl, callerTicket.ticket);
  const send = await callerMedia.client.request('transport.create', { direction: 'send' });
  const mic = await callerMedia.client.request('produce', {
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opusParameters(5151),
  });
  return { caller, agent, id, callerMedia: callerMedia.client, mic };
}

async function listen(sup: TestClient, id: string, producerId: string) {
  const ticket = await sup.request('supervisor.monitor', { callId: id, mode: 'listen' });
  const { client } = await SfuTestClient.join(ticket.sfuUrl, ticket.ticket);
  await client.request('transport.create', { direction: 'recv' });
  await client.request('consumer.ready', {
    rtpCapabilities: s.t.sfu().roomOf(id)?.router.rtpCapabilities ?? {},
  });
  await client.waitFor('consumer.new', (c) => c.producerId === producerId);
  return client;
}

describe('a supervisor removed from a queue', () => {
  it('stops listening at once, at the SFU too, and gets no new ticket', async () => {
    const { caller, id, mic } = await answeredWithMedia('rm-listen');
    const sup = await s.signIn('sup');
    const listener = await listen(sup, id, mic.producerId);
    expect(s.t.sfu().roomOf(id)?.peer('sup')).toBeDefined();

    expect((await s.http('DELETE', '/admin/queues/q/supervisors/sup')).status).toBe(200);
    await expect(listener.waitFor('room.closed')).resolves.toEqual({ reason: 'removed' });
    await expect(listener.closed).resolves.toMatchObject({ code: 4000 });
    expect(s.t.sfu().roomOf(id)?.peer('sup')).toBeUndefined();
    await rejection(sup.request('supervisor.monitor', { callId: id, mode: 'listen' }), 'forbidden');
    // The call itself goes on.
    const { calls } = await caller.request('call.list', {});
    expect(calls.find((c) => c.callId === id)?.state).toBe('active');

    expect((await s.http('PUT', '/admin/queues/q/supervisors/sup')).status).toBe(200);
    await caller.request('call.hangup', { callId: id });
  });

  it('leaves a call they barged into, signaling and media alike', async () => {
    const { caller, agent, id, callerMedia } = await answeredWithMedia('rm-barge');
    const sup2 = await s.signIn('sup2');
    const barge = await sup2.request('supervisor.monitor', { callId: id, mode: 'barge' });
    const media = await SfuTestClient.join(barge.sfuUrl, barge.ticket);
    await callerMedia.waitFor('peer.joined', (p) => p.userId === 'sup2');

    expect((await s.http('DELETE', '/admin/queues/q/supervisors/sup2')).status).toBe(200);
    const left = await caller.waitFor('call.updated', (u) =>
      u.call.legs.some((l) => l.userId === 'sup2' && l.leftAt !== undefined),
    );
    expect(left.call.state).toBe('active');
    expect(left.call.legs.find((l) => l.userId === 'sup2')?.reason).toBe('supervisor-removed');
    await expect(media.client.waitFor('room.closed')).resolves.toEqual({ reason: 'removed' });
    await expect(callerMedia.waitFor('peer.left', (p) => p.userId === 'sup2')).resolves.toEqual({
      userId: 'sup2',
    });
    // The supervisor's device is told it is out of the call.
    await sup2.waitFor('call.updated', (u) =>
      u.call.legs.some((l) => l.userId === 'sup2' && l.leftAt !== undefined),
    );
    await agent.request('call.hangup', { callId: id });
  });

  it('stops listening when the queue is deleted', async () => {
    const { caller, id, mic } = await answeredWithMedia('rm-queue');
    const sup = await s.signIn('sup', 'sup-desk-2');
    const listener = await listen(sup, id, mic.producerId);
    expect((await s.http('DELETE', '/admin/queues/q')).status).toBe(200);
    await expect(listener.waitFor('room.closed')).resolves.toEqual({ reason: 'removed' });
    await eventually(() => s.t.sfu().roomOf(id)?.peer('sup') === undefined);
    await caller.request('call.hangup', { callId: id });
  });
});
