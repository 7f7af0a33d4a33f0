import { afterEach, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { SfuTestClient } from '../sfu/testing/sfu-test-client.js';
import { Scenario, settled } from './support.js';

/**
 * The media path of connection loss, against the real server with its real mediasoup SFU: a
 * participant whose media transport closes or fails while their signaling stays is reconnecting
 * for the rejoin window, and leaves with `connection-lost` unless their media comes back.
 */
const WINDOW_MS = 800;

let s: Scenario;
const sfuClients: SfuTestClient[] = [];
afterEach(async () => {
  await Promise.all(sfuClients.splice(0).map((c) => c.close()));
  await s.dispose();
});

const leg = (call: CallInfo, userId: string) => call.legs.find((l) => l.userId === userId);

async function start(): Promise<{ alice: TestClient; bob: TestClient }> {
  s = await Scenario.start({ media: { enabled: true }, calls: { rejoinWindowMs: WINDOW_MS } }, [
    'alice',
    'bob',
    'carol',
  ]);
  const alice = await s.signIn('alice', 'alice-laptop');
  const bob = await s.signIn('bob', 'bob-laptop');
  return { alice, bob };
}

async function activeCall(callId: string, alice: TestClient, bob: TestClient): Promise<void> {
  await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
  await bob.waitFor('call.incoming');
  await bob.request('call.accept', { callId });
  await alice.waitFor('call.updated', (d) => d.call.state === 'active');
}

/**
 * Joins the user's media and connects a send transport. No browser finishes DTLS here: the
 * worker's notification that it did is played on the server's transport object.
 */
async function connectMedia(client: TestClient, callId: string, userId: string) {
  const { ticket, sfuUrl } = await client.request('media.ticket', { callId });
  const { client: media } = await SfuTestClient.join(sfuUrl, ticket);
  sfuClients.push(media);
  const { id } = await media.request('transport.create', { direction: 'send' });
  const transport = s.t.server.sfu?.roomOf(callId)?.peer(userId)?.transports.get(id)?.webRtc;
  if (!transport) throw new Error('no server transport');
  transport.emit('dtlsstatechange', 'connected');
  return { media, transport };
}

describe('a participant whose media goes away while their signaling stays', () => {
  it('is reconnecting when their SFU socket closes, then leaves with connection-lost: the call ends and they are told', async () => {
    const { alice, bob } = await start();
    await activeCall('media-0001', alice, bob);
    await connectMedia(alice, 'media-0001', 'alice');
    const bobMedia = await connectMedia(bob, 'media-0001', 'bob');

    await bobMedia.media.close();
    const dropped = await alice.waitFor(
      'call.updated',
      (d) => leg(d.call, 'bob')?.connection === 'reconnecting',
    );
    expect(dropped.call.state).toBe('active');

    const ended = await bob.waitFor('call.ended', () => true, WINDOW_MS + 5_000);
    expect(ended.reason).toBe('connection-lost');
    expect(leg(ended.call, 'bob')).toMatchObject({ reason: 'connection-lost' });
    expect((await alice.waitFor('call.ended')).reason).toBe('connection-lost');
  });

  it('is back when their media reconnects within the window (a new join after DTLS failed): the call goes on', async () => {
    const { alice, bob } = await start();
    await activeCall('media-0002', alice, bob);
    await connectMedia(alice, 'media-0002', 'alice');
    const bobMedia = await connectMedia(bob, 'media-0002', 'bob');

    bobMedia.transport.emit('dtlsstatechange', 'failed');
    await alice.waitFor('call.updated', (d) => leg(d.call, 'bob')?.connection === 'reconnecting');
    await bobMedia.media.close();
    await connectMedia(bob, 'media-0002', 'bob');
    const back = await alice.waitFor(
      'call.updated',
      (d) => d.call.state === 'active' && leg(d.call, 'bob')?.connection === undefined,
    );
    expect(back.call.state).toBe('active');

    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 2));
    await settled(alice, bob);
    expect(alice.received('call.ended')).toEqual([]);
    expect(bob.received('call.ended')).toEqual([]);
    await bob.request('call.hangup', { callId: 'media-0002' });
    expect((await alice.waitFor('call.ended')).reason).toBe('completed');
  });

  it('is reconnecting when their ICE disconnects', async () => {
    const { alice, bob } = await start();
    await activeCall('media-0003', alice, bob);
    await connectMedia(alice, 'media-0003', 'alice');
    const bobMedia = await connectMedia(bob, 'media-0003', 'bob');

    bobMedia.transport.emit('icestatechange', 'disconnected');
    const dropped = await alice.waitFor(
      'call.updated',
      (d) => leg(d.call, 'bob')?.connection === 'reconnecting',
    );
    expect(dropped.call.state).toBe('active');
    expect((await alice.waitFor('call.ended', () => true, WINDOW_MS + 5_000)).reason).toBe(
      'connection-lost',
    );
  });

  it('is not counted before their media ever connected: the connect bound covers that', async () => {
    const { alice, bob } = await start();
    await activeCall('media-0004', alice, bob);
    await connectMedia(alice, 'media-0004', 'alice');
    const { ticket, sfuUrl } = await bob.request('media.ticket', { callId: 'media-0004' });
    const { client: never } = await SfuTestClient.join(sfuUrl, ticket);
    await never.close();

    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 300));
    await settled(alice, bob);
    const updates = alice.received('call.updated');
    expect(updates.some((d) => leg(d.call, 'bob')?.connection === 'reconnecting')).toBe(false);
    expect(alice.received('call.ended')).toEqual([]);
  });

  it('leaves a group call that goes on, and is told so on the signaling it still has', async () => {
    const { alice, bob } = await start();
    const carol = await s.signIn('carol', 'carol-laptop');
    await alice.request('call.invite', {
      callId: 'media-0005',
      callees: ['bob', 'carol'],
      media: 'audio',
    });
    for (const client of [bob, carol]) {
      await client.waitFor('call.incoming');
      await client.request('call.accept', { callId: 'media-0005' });
    }
    await alice.waitFor('call.updated', (d) => d.call.legs.every((l) => l.state === 'accepted'));
    await connectMedia(alice, 'media-0005', 'alice');
    await connectMedia(carol, 'media-0005', 'carol');
    const bobMedia = await connectMedia(bob, 'media-0005', 'bob');

    await bobMedia.media.close();
    const told = await bob.waitFor(
      'call.updated',
      (d) => leg(d.call, 'bob')?.leftAt !== undefined,
      WINDOW_MS + 5_000,
    );
    expect(told.call.state).toBe('active');
    expect(leg(told.call, 'bob')?.reason).toBe('connection-lost');
    const seen = await carol.waitFor(
      'call.updated',
      (d) => leg(d.call, 'bob')?.leftAt !== undefined,
    );
    expect(seen.call.state).toBe('active');
  });
});
