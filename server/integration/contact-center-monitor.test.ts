import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentOnline,
  answerNext,
  callId,
  callQueue,
  startSupervisedQueue,
} from '../contact-center/testing.js';
import { opusParameters } from '../sfu/testing/media-fixtures.js';
import { SfuTestClient, errorCodeOf } from '../sfu/testing/sfu-test-client.js';
import type { TestClient } from '../testing/test-client.js';
import type { Scenario } from './support.js';

/**
 * Supervisors in the media room of an agent's call, on the real server with the real SFU:
 * `listen` sees everyone and is seen by nobody; `whisper` is heard by the agent alone.
 */

let s: Scenario;
beforeAll(async () => {
  s = await startSupervisedQueue(['mallory']);
});
afterAll(async () => {
  await s.dispose();
});

async function joinAsParticipant(client: TestClient, id: string) {
  const { ticket, sfuUrl } = await client.request('media.ticket', { callId: id });
  const { client: media, joined } = await SfuTestClient.join(sfuUrl, ticket);
  await media.request('transport.create', { direction: 'recv' });
  await media.request('consumer.ready', {
    rtpCapabilities: s.t.sfu().roomOf(id)?.router.rtpCapabilities ?? {},
  });
  return { media, joined };
}

async function produceMic(media: SfuTestClient, ssrc: number) {
  const send = await media.request('transport.create', { direction: 'send' });
  return media.request('produce', {
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opusParameters(ssrc),
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('supervisor media roles', () => {
  it('listen consumes both sides unseen; whisper reaches the agent only; strangers are refused', async () => {
    const caller = await s.signIn('caller');
    const agent = await agentOnline(s, 'agent');
    const id = callId('mon');
    await callQueue(caller, 'q', id);
    await answerNext(agent);
    const c = await joinAsParticipant(caller, id);
    const a = await joinAsParticipant(agent, id);
    const callerMic = await produceMic(c.media, 1111);
    const agentMic = await produceMic(a.media, 2222);

    // Listen: both participants are listed for the supervisor, who is announced to nobody.
    const sup = await s.signIn('sup');
    const listen = await sup.request('supervisor.monitor', { callId: id, mode: 'listen' });
    const l = await SfuTestClient.join(listen.sfuUrl, listen.ticket);
    expect(l.joined.peers.map((p) => p.userId).sort()).toEqual(['agent', 'caller']);
    await l.client.request('transport.create', { direction: 'recv' });
    await l.client.request('consumer.ready', {
      rtpCapabilities: s.t.sfu().roomOf(id)?.router.rtpCapabilities ?? {},
    });
    const heard = [
      await l.client.waitFor('consumer.new', (x) => x.producerId === callerMic.producerId),
      await l.client.waitFor('consumer.new', (x) => x.producerId === agentMic.producerId),
    ];
    expect(heard.map((x) => x.userId).sort()).toEqual(['agent', 'caller']);
    // A listener never produces.
    const send = await l.client.request('transport.create', { direction: 'send' });
    const refused = l.client.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(3333),
    });
    expect(await errorCodeOf(refused)).toBe('forbidden');
    await settle();
    const sawSup = (m: SfuTestClient) => m.received('peer.joined').some((p) => p.userId === 'sup');
    expect(sawSup(c.media)).toBe(false);
    expect(sawSup(a.media)).toBe(false);

    // Whisper: the same supervisor joins again; only the agent sees it and consumes its audio.
    const whisper = await sup.request('supervisor.monitor', { callId: id, mode: 'whisper' });
    const w = await SfuTestClient.join(whisper.sfuUrl, whisper.ticket);
    await a.media.waitFor('peer.joined', (p) => p.userId === 'sup');
    const supMic = await produceMic(w.client, 4444);
    const toAgent = await a.media.waitFor(
      'consumer.new',
      (x) => x.producerId === supMic.producerId,
    );
    expect(toAgent.userId).toBe('sup');
    await settle();
    expect(sawSup(c.media)).toBe(false);
    expect(c.media.received('consumer.new').map((x) => x.userId)).toEqual(['agent']);
    const room = s.t.sfu().roomOf(id)!;
    const consumersOf = (userId: string) =>
      [...(room.peer(userId)?.consumers.values() ?? [])].map((x) => x.producerId);
    expect(consumersOf('caller')).toEqual([agentMic.producerId]);
    expect(consumersOf('agent').sort()).toEqual([callerMic.producerId, supMic.producerId].sort());
    // The caller's view of the call never lists the supervisor.
    const { calls } = await caller.request('call.list', {});
    expect(calls[0]?.legs.map((x) => x.userId)).toEqual(['agent']);

    // A valid ticket with a monitor role for someone who is no supervisor is refused at join.
    const forged = await s.t.server.services.tokens.issueMediaTicket(
      { callId: id, userId: 'mallory', role: 'listen', target: 'agent' },
      60,
    );
    const stranger = await SfuTestClient.connect(listen.sfuUrl);
    expect(await errorCodeOf(stranger.request('join', { ticket: forged.ticket }))).toBe(
      'forbidden',
    );

    // The call ends: the supervisor's socket is told too.
    await caller.request('call.hangup', { callId: id });
    expect(await w.client.waitFor('room.closed')).toEqual({ reason: 'call-ended' });
  });
});
