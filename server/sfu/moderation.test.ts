import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opusParameters, vp8Parameters } from './testing/media-fixtures.js';
import { type SfuFixture, eventually, startSfuFixture } from './testing/sfu-fixture.js';
import { type SfuTestClient, errorCodeOf } from './testing/sfu-test-client.js';

describe('moderator mute at the SFU', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  async function setUp(callId: string): Promise<{ alice: SfuTestClient; bob: SfuTestClient }> {
    f.admit(callId, 'alice', 'bob');
    const alice = await f.join(callId, 'alice');
    const bob = await f.join(callId, 'bob');
    const recv = await bob.request('transport.create', { direction: 'recv' });
    expect(recv.id).toEqual(expect.any(String));
    await bob.request('consumer.ready', {
      rtpCapabilities: f.sfu.roomOf(callId)?.router.rtpCapabilities ?? {},
    });
    return { alice, bob };
  }

  const producerOf = (callId: string, producerId: string) => {
    const producer = f.sfu.roomOf(callId)?.peer('alice')?.producers.get(producerId)?.producer;
    if (!producer) throw new Error('no such producer');
    return producer;
  };

  it('pauses the producer, forbids its owner to resume it, and resumes it on unmute', async () => {
    const callId = 'call-mod-1';
    const { alice, bob } = await setUp(callId);
    const send = await alice.request('transport.create', { direction: 'send' });
    const mic = await alice.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(100),
    });
    const cam = await alice.request('produce', {
      transportId: send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8Parameters(200),
    });
    await bob.waitFor('consumer.new', (c) => c.producerId === mic.producerId);

    f.sfu.setMuted(callId, 'alice', 'audio', true);
    await expect(alice.waitFor('producer.paused')).resolves.toEqual({
      producerId: mic.producerId,
      userId: 'alice',
      byModerator: true,
    });
    await expect(bob.waitFor('producer.paused')).resolves.toEqual({
      producerId: mic.producerId,
      userId: 'alice',
      byModerator: true,
    });
    expect(producerOf(callId, mic.producerId).paused).toBe(true);
    expect(producerOf(callId, cam.producerId).paused).toBe(false);
    await expect(
      errorCodeOf(alice.request('producer.resume', { producerId: mic.producerId })),
    ).resolves.toBe('forbidden');
    expect(producerOf(callId, mic.producerId).paused).toBe(true);
    // Other kinds stay the owner's to control.
    await alice.request('producer.pause', { producerId: cam.producerId });
    await alice.request('producer.resume', { producerId: cam.producerId });

    f.sfu.setMuted(callId, 'alice', 'audio', false);
    await expect(alice.waitFor('producer.resumed')).resolves.toEqual({
      producerId: mic.producerId,
      userId: 'alice',
    });
    await bob.waitFor('producer.resumed', (p) => p.producerId === mic.producerId);
    expect(producerOf(callId, mic.producerId).paused).toBe(false);
    await alice.request('producer.pause', { producerId: mic.producerId });
    await alice.request('producer.resume', { producerId: mic.producerId });
  });

  it('starts a muted kind paused when it is produced later', async () => {
    const callId = 'call-mod-2';
    const { alice, bob } = await setUp(callId);
    f.sfu.setMuted(callId, 'alice', 'audio', true);
    const send = await alice.request('transport.create', { direction: 'send' });
    const mic = await alice.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(300),
    });
    await expect(alice.waitFor('producer.paused')).resolves.toMatchObject({
      producerId: mic.producerId,
      byModerator: true,
    });
    const consumer = await bob.waitFor('consumer.new', (c) => c.producerId === mic.producerId);
    expect(consumer.producerPaused).toBe(true);
    expect(producerOf(callId, mic.producerId).paused).toBe(true);
    await expect(
      errorCodeOf(alice.request('producer.resume', { producerId: mic.producerId })),
    ).resolves.toBe('forbidden');
  });

  it('leaves a producer its owner paused paused when the moderator unmutes', async () => {
    const callId = 'call-mod-3';
    const { alice } = await setUp(callId);
    const send = await alice.request('transport.create', { direction: 'send' });
    const mic = await alice.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(400),
    });
    await alice.request('producer.pause', { producerId: mic.producerId });
    f.sfu.setMuted(callId, 'alice', 'audio', true);
    await alice.waitFor('producer.paused');
    f.sfu.setMuted(callId, 'alice', 'audio', false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alice.received('producer.resumed')).toEqual([]);
    expect(producerOf(callId, mic.producerId).paused).toBe(true);
    await alice.request('producer.resume', { producerId: mic.producerId });
    await eventually(() => !producerOf(callId, mic.producerId).paused);
  });

  it('keeps the mute across a new socket of the same user', async () => {
    const callId = 'call-mod-4';
    await setUp(callId);
    f.sfu.setMuted(callId, 'alice', 'video', true);
    const again = await f.join(callId, 'alice');
    const send = await again.request('transport.create', { direction: 'send' });
    const cam = await again.request('produce', {
      transportId: send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8Parameters(500),
    });
    expect(producerOf(callId, cam.producerId).paused).toBe(true);
    for (const id of ['call-mod-1', 'call-mod-2', 'call-mod-3', callId]) f.sfu.callEnded(id);
    expect(f.sfu.counts()).toEqual({
      workers: 1,
      routers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
    });
  });
});
