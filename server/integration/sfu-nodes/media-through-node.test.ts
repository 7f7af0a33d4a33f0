import { afterEach, describe, expect, it } from 'vitest';
import { RtpAudioSender, opusParameters } from '../../sfu/testing/media-fixtures.js';
import { answeredCall, eventually } from '../support.js';
import { SfuNodesScenario } from './support/sfu-nodes-scenario.js';

/**
 * Media on SFU nodes in processes of their own: the signaling server (`role: signaling`) places
 * each call's room on the least-loaded node, and its tickets send the participants there.
 */
let c: SfuNodesScenario | undefined;
afterEach(async () => {
  await c?.dispose();
  c = undefined;
});

describe('a call whose media is on an SFU node', () => {
  it('gets real RTP from one participant to the other through the node its tickets name', async () => {
    c = await SfuNodesScenario.start(['sfu-a'], ['alice', 'bob']);
    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    await answeredCall(alice, bob, 'bob', 'node-media-1');
    const node = c.nodeOf('node-media-1');
    expect(node.id).toBe('sfu-a');

    const a = await c.joinMedia(alice, 'node-media-1');
    const b = await c.joinMedia(bob, 'node-media-1');
    // The node's own URL, not the signaling server's.
    expect(a.sfuUrl).toBe(node.url);
    expect(new URL(a.sfuUrl).port).not.toBe(new URL(c.s.t.server.httpUrl).port);
    expect(await node.roomUsers('node-media-1')).toEqual(['alice', 'bob']);

    await b.media.request('transport.create', { direction: 'recv' });
    await b.media.request('consumer.ready', { rtpCapabilities: b.joined.routerRtpCapabilities });
    const plain = await node.plainTransport('node-media-1', 'alice');
    const mic = await a.media.request('produce', {
      transportId: plain.transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(0x4321),
    });
    const consumer = await b.media.waitFor('consumer.new', (x) => x.producerId === mic.producerId);
    await b.media.request('consumer.resume', { consumerId: consumer.consumerId });
    const sender = new RtpAudioSender({ ip: plain.ip, port: plain.port }, 0x4321);
    try {
      sender.start(10);
      await expect(b.media.waitFor('speaker.active', (x) => x.userId === 'alice')).resolves.toEqual(
        { userId: 'alice' },
      );
      const quality = await a.media.waitFor(
        'transport.quality',
        (q) => q.transportId === plain.transportId && q.bitrateKbps > 0,
        15_000,
      );
      expect(quality.direction).toBe('send');
    } finally {
      sender.close();
    }
    expect((await node.load()).rooms).toBe(1);

    await alice.request('call.hangup', { callId: 'node-media-1' });
    await expect(b.media.waitFor('room.closed')).resolves.toEqual({ reason: 'call-ended' });
    await eventually(async () => (await node.load()).rooms === 0);
    expect(a.media.invalidFrames).toEqual([]);
    expect(b.media.invalidFrames).toEqual([]);
  });
});
