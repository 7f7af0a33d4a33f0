import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualityOf } from './quality.js';
import { RtpAudioSender, opusParameters } from './testing/media-fixtures.js';
import { type SfuFixture, startSfuFixture } from './testing/sfu-fixture.js';

describe('real RTP through a room (plain transport, no browser)', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture({ statsIntervalMs: 200 });
  });
  afterAll(async () => {
    await f.close();
  });

  it('reports the active speaker, silence, and transport quality', async () => {
    const callId = 'call-media-1';
    f.admit(callId, 'alice', 'bob');
    const alice = await f.join(callId, 'alice');
    const bob = await f.join(callId, 'bob');
    await bob.request('transport.create', { direction: 'recv' });
    await bob.request('consumer.ready', {
      rtpCapabilities: f.sfu.roomOf(callId)?.router.rtpCapabilities ?? {},
    });

    const room = f.sfu.roomOf(callId);
    const peer = room?.peer('alice');
    if (!room || !peer) throw new Error('alice is not in the room');
    const plain = await room.createPlainTransportForTesting(peer, 'send');
    const ssrc = 0x1234;
    const mic = await alice.request('produce', {
      transportId: plain.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(ssrc),
    });
    const consumer = await bob.waitFor('consumer.new', (c) => c.producerId === mic.producerId);
    await bob.request('consumer.resume', { consumerId: consumer.consumerId });

    const sender = new RtpAudioSender(
      { ip: plain.tuple.localIp, port: plain.tuple.localPort },
      ssrc,
    );
    try {
      sender.start(10);
      await expect(bob.waitFor('speaker.active', (s) => s.userId === 'alice')).resolves.toEqual({
        userId: 'alice',
      });
      await alice.waitFor('speaker.active', (s) => s.userId === 'alice');
      const quality = await alice.waitFor(
        'transport.quality',
        (q) => q.transportId === plain.id && q.bitrateKbps > 0,
      );
      expect(quality).toMatchObject({ direction: 'send', lossPct: 0 });
      expect(quality.jitterMs).toEqual(expect.any(Number));
      const recvQuality = await bob.waitFor('transport.quality', (q) => q.direction === 'recv');
      expect(recvQuality.bitrateKbps).toBeGreaterThanOrEqual(0);

      sender.stop();
      await expect(bob.waitFor('speaker.active', (s) => s.userId === null)).resolves.toEqual({
        userId: null,
      });
    } finally {
      sender.close();
    }
    f.sfu.callEnded(callId);
    expect(f.sfu.counts()).toMatchObject({ routers: 0, transports: 0, producers: 0 });
    expect(alice.invalidFrames).toEqual([]);
    expect(bob.invalidFrames).toEqual([]);
  });
});

describe('qualityOf', () => {
  it('takes the worst stream and the bitrate of the peer’s direction', () => {
    expect(
      qualityOf('t1', 'send', { recvBitrate: 64_000, sendBitrate: 5_000 }, [
        { fractionLost: 0, jitter: 480, clockRate: 48000, roundTripTime: 20 },
        { fractionLost: 64, jitter: 900, clockRate: 90000, roundTripTime: 35.25 },
      ]),
    ).toEqual({
      transportId: 't1',
      direction: 'send',
      rttMs: 35.3,
      lossPct: 25,
      jitterMs: 10,
      bitrateKbps: 64,
    });
  });

  it('says null when there is nothing to measure', () => {
    expect(qualityOf('t2', 'recv', undefined, [])).toEqual({
      transportId: 't2',
      direction: 'recv',
      rttMs: null,
      lossPct: null,
      jitterMs: null,
      bitrateKbps: 0,
    });
    expect(
      qualityOf('t3', 'recv', { recvBitrate: 0, sendBitrate: 128_400 }, [
        { fractionLost: 3, clockRate: 90000 },
      ]),
    ).toMatchObject({ rttMs: null, jitterMs: null, lossPct: 1.2, bitrateKbps: 128 });
  });
});
