import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpAudioSender, RtpReceiver, opusParameters } from './testing/media-fixtures.js';
import { type SfuFixture, eventually, startSfuFixture } from './testing/sfu-fixture.js';

/**
 * Hold at the SFU (issue 18): while a user holds the call, every consumer between them and
 * anyone else is paused at the SFU, whatever the clients ask; real RTP shows it (the consumer's
 * sent bytes stop growing) and comes back on resume.
 */
describe('hold at the SFU', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  /**
   * Alice sends real Opus RTP through a plain transport; bob receives it on a plain transport
   * of his own, into a UDP socket that counts what reaches him.
   */
  async function setUp(callId: string) {
    f.admit(callId, 'alice', 'bob');
    const alice = await f.join(callId, 'alice');
    const bob = await f.join(callId, 'bob');
    const room = f.sfu.roomOf(callId);
    const alicePeer = room?.peer('alice');
    const bobPeer = room?.peer('bob');
    if (!room || !alicePeer || !bobPeer) throw new Error('not both in the room');
    const inbound = await room.createPlainTransportForTesting(bobPeer, 'recv');
    const receiver = await RtpReceiver.bindTo({
      ip: inbound.tuple.localIp,
      port: inbound.tuple.localPort,
    });
    await bob.request('consumer.ready', { rtpCapabilities: room.router.rtpCapabilities });
    const plain = await room.createPlainTransportForTesting(alicePeer, 'send');
    const ssrc = 0x4711;
    const mic = await alice.request('produce', {
      transportId: plain.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(ssrc),
    });
    const { consumerId } = await bob.waitFor(
      'consumer.new',
      (c) => c.producerId === mic.producerId,
    );
    const sender = new RtpAudioSender(
      { ip: plain.tuple.localIp, port: plain.tuple.localPort },
      ssrc,
    );
    const consumer = () => {
      const found = f.sfu.roomOf(callId)?.peer('bob')?.consumers.get(consumerId)?.consumer;
      if (!found) throw new Error('bob has no consumer of alice');
      return found;
    };
    const received = () => Promise.resolve(receiver.bytes);
    const close = () => {
      sender.close();
      receiver.close();
    };
    return { alice, bob, consumerId, sender, consumer, received, close };
  }

  async function until(check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Does the count grow within 600 ms (RTP every 10 ms: some 60 packets if it flows)? */
  async function grows(read: () => Promise<number>): Promise<boolean> {
    const before = await read();
    await new Promise((r) => setTimeout(r, 600));
    return (await read()) > before;
  }

  it('stops media from a holder, keeps it paused against the client, and resumes it', async () => {
    const callId = 'call-hold-1';
    const { bob, consumerId, sender, consumer, received, close } = await setUp(callId);
    try {
      sender.start(10);
      await bob.request('consumer.resume', { consumerId });
      await until(async () => (await received()) > 0);
      expect(await grows(received)).toBe(true);

      f.sfu.setHeld(callId, 'alice', true);
      await eventually(() => consumer().paused);
      expect(await grows(received)).toBe(false);
      // The held party cannot take the media back: its resume is accepted and has no effect.
      await bob.request('consumer.resume', { consumerId });
      expect(consumer().paused).toBe(true);
      expect(await grows(received)).toBe(false);

      f.sfu.setHeld(callId, 'alice', false);
      await eventually(() => !consumer().paused);
      expect(await grows(received)).toBe(true);
    } finally {
      close();
    }
    f.sfu.callEnded(callId);
  });

  it('holds both ways: the held party’s media to the holder stops too', async () => {
    const callId = 'call-hold-2';
    const { bob, consumerId, sender, consumer, received, close } = await setUp(callId);
    try {
      sender.start(10);
      await bob.request('consumer.resume', { consumerId });
      await until(async () => (await received()) > 0);
      // Bob holds: what alice sends no longer reaches him either.
      f.sfu.setHeld(callId, 'bob', true);
      await eventually(() => consumer().paused);
      expect(await grows(received)).toBe(false);
      f.sfu.setHeld(callId, 'bob', false);
      await eventually(() => !consumer().paused);
      expect(await grows(received)).toBe(true);
    } finally {
      close();
    }
    f.sfu.callEnded(callId);
  });

  it('a consumer made during a hold stays paused; its resume waits for the hold to end', async () => {
    const callId = 'call-hold-3';
    f.admit(callId, 'alice', 'bob');
    f.sfu.setHeld(callId, 'alice', true);
    const { bob, consumerId, consumer, close } = await setUp(callId);
    await bob.request('consumer.resume', { consumerId });
    expect(consumer().paused).toBe(true);
    f.sfu.setHeld(callId, 'alice', false);
    await eventually(() => !consumer().paused);
    close();
    f.sfu.callEnded(callId);
  });

  it('a consumer its client never resumed stays paused when the hold ends', async () => {
    const callId = 'call-hold-4';
    const { consumer, close } = await setUp(callId);
    f.sfu.setHeld(callId, 'alice', true);
    f.sfu.setHeld(callId, 'alice', false);
    await new Promise((r) => setTimeout(r, 200));
    expect(consumer().paused).toBe(true);
    close();
    f.sfu.callEnded(callId);
  });
});
