import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfuRequestResult } from '../../protocol/index.js';
import { opusParameters, vp8Parameters } from './testing/media-fixtures.js';
import { type SfuFixture, eventually, startSfuFixture } from './testing/sfu-fixture.js';
import { type SfuTestClient, errorCodeOf } from './testing/sfu-test-client.js';

/** DTLS parameters as a browser sends them; mediasoup accepts them before any ICE happens. */
const clientDtls = {
  role: 'client',
  fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }],
};

interface Side {
  client: SfuTestClient;
  send: SfuRequestResult<'transport.create'>;
  recv: SfuRequestResult<'transport.create'>;
}

/** Joins, creates both transports, connects them and says it is ready to receive. */
async function joinWithTransports(f: SfuFixture, callId: string, userId: string): Promise<Side> {
  const client = await f.join(callId, userId);
  const send = await client.request('transport.create', { direction: 'send' });
  const recv = await client.request('transport.create', { direction: 'recv' });
  await client.request('transport.connect', { transportId: send.id, dtlsParameters: clientDtls });
  await client.request('transport.connect', { transportId: recv.id, dtlsParameters: clientDtls });
  const caps = f.sfu.roomOf(callId)?.router.rtpCapabilities ?? {};
  await client.request('consumer.ready', { rtpCapabilities: caps });
  return { client, send, recv };
}

describe('SFU object lifecycle', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('creates, forwards and closes everything, back to zero', async () => {
    const callId = 'call-life-1';
    f.admit(callId, 'alice', 'bob');
    const alice = await joinWithTransports(f, callId, 'alice');
    const bob = await joinWithTransports(f, callId, 'bob');
    expect(alice.send.iceCandidates.map((c) => c.protocol)).toEqual(['udp', 'tcp']);
    expect(f.sfu.counts()).toEqual({
      workers: 1,
      routers: 1,
      transports: 4,
      producers: 0,
      consumers: 0,
    });

    const mic = await alice.client.request('produce', {
      transportId: alice.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(1111),
    });
    const cam = await alice.client.request('produce', {
      transportId: alice.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8Parameters(2222),
    });
    const micAtBob = await bob.client.waitFor(
      'consumer.new',
      (c) => c.producerId === mic.producerId,
    );
    expect(micAtBob).toMatchObject({ userId: 'alice', kind: 'audio', source: 'mic' });
    await bob.client.waitFor('consumer.new', (c) => c.producerId === cam.producerId);
    await bob.client.request('consumer.resume', { consumerId: micAtBob.consumerId });

    const bobMic = await bob.client.request('produce', {
      transportId: bob.send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(3333),
    });
    await alice.client.waitFor('consumer.new', (c) => c.producerId === bobMic.producerId);
    expect(f.sfu.counts()).toMatchObject({ transports: 4, producers: 3, consumers: 3 });

    // A late joiner learns the producers in the join answer and gets consumers on ready.
    f.admit(callId, 'carol');
    const carol = await f.join(callId, 'carol');
    const recv = await carol.request('transport.create', { direction: 'recv', forceTcp: true });
    expect(recv.iceCandidates.map((c) => c.protocol)).toEqual(['tcp']);
    await carol.request('consumer.ready', {
      rtpCapabilities: f.sfu.roomOf(callId)?.router.rtpCapabilities ?? {},
    });
    await carol.waitFor('consumer.new', (c) => c.producerId === cam.producerId);
    await carol.waitFor('consumer.new', (c) => c.producerId === mic.producerId);
    await carol.waitFor('consumer.new', (c) => c.producerId === bobMic.producerId);
    expect(f.sfu.counts()).toMatchObject({ transports: 5, producers: 3, consumers: 6 });

    // The owner's own pause reaches whoever consumes it.
    await alice.client.request('producer.pause', { producerId: cam.producerId });
    await expect(
      bob.client.waitFor('producer.paused', (p) => p.producerId === cam.producerId),
    ).resolves.toEqual({ producerId: cam.producerId, userId: 'alice', byModerator: false });
    await alice.client.request('producer.resume', { producerId: cam.producerId });
    await bob.client.waitFor('producer.resumed', (p) => p.producerId === cam.producerId);

    // Closing a producer closes its consumers.
    await alice.client.request('producer.close', { producerId: cam.producerId });
    await bob.client.waitFor('consumer.closed', (c) => c.producerId === cam.producerId);
    await carol.waitFor('consumer.closed', (c) => c.producerId === cam.producerId);
    await eventually(() => f.sfu.counts().consumers === 4);

    // A peer whose socket closes leaves with everything it had.
    await carol.close();
    await alice.client.waitFor('peer.left', (p) => p.userId === 'carol');
    await eventually(() => f.sfu.counts().consumers === 2 && f.sfu.counts().transports === 4);
    await bob.client.close();
    await alice.client.waitFor('consumer.closed', (c) => c.producerId === bobMic.producerId);
    await eventually(() => f.sfu.counts().consumers === 0);
    expect(f.sfu.counts()).toMatchObject({ transports: 2, producers: 1 });

    // The end of the call closes the room.
    f.dismiss(callId, 'alice');
    f.sfu.callEnded(callId);
    await expect(alice.client.waitFor('room.closed')).resolves.toEqual({ reason: 'call-ended' });
    await expect(alice.client.closed).resolves.toMatchObject({ code: 4000 });
    expect(f.sfu.counts()).toEqual({
      workers: 1,
      routers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
    });
    const [worker] = f.sfu.workers();
    const dump = (await worker?.dump()) as { routerIds: string[] };
    expect(dump.routerIds).toEqual([]);
    expect(alice.client.invalidFrames).toEqual([]);
  });

  it('turns bad client parameters into bad-request, and unknown ids into not-found', async () => {
    const callId = 'call-life-2';
    f.admit(callId, 'alice');
    const alice = await f.join(callId, 'alice');
    await expect(
      errorCodeOf(alice.request('consumer.ready', { rtpCapabilities: { codecs: [] } })),
    ).resolves.toBe('bad-request');
    await expect(
      errorCodeOf(
        alice.request('consumer.ready', {
          rtpCapabilities: f.sfu.roomOf(callId)?.router.rtpCapabilities ?? {},
        }),
      ),
    ).resolves.toBe('invalid-state');
    const send = await alice.request('transport.create', { direction: 'send' });
    const recv = await alice.request('transport.create', { direction: 'recv' });
    // mediasoup's own validation: a codec the router does not have.
    await expect(
      errorCodeOf(
        alice.request('produce', {
          transportId: send.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters: {
            codecs: [{ mimeType: 'audio/G729', payloadType: 18, clockRate: 8000 }],
            encodings: [{ ssrc: 5 }],
          },
        }),
      ),
    ).resolves.toBe('bad-request');
    // Our shape check: not even RTP parameters.
    await expect(
      errorCodeOf(
        alice.request('produce', {
          transportId: send.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters: { codecs: 'opus' },
        }),
      ),
    ).resolves.toBe('bad-request');
    await expect(
      errorCodeOf(
        alice.request('produce', {
          transportId: recv.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters: opusParameters(7),
        }),
      ),
    ).resolves.toBe('bad-request');
    await expect(
      errorCodeOf(
        alice.request('produce', {
          transportId: send.id,
          kind: 'video',
          source: 'mic',
          rtpParameters: vp8Parameters(8),
        }),
      ),
    ).resolves.toBe('bad-request');
    await alice.request('transport.connect', { transportId: send.id, dtlsParameters: clientDtls });
    await expect(
      errorCodeOf(
        alice.request('transport.connect', { transportId: send.id, dtlsParameters: clientDtls }),
      ),
    ).resolves.toBe('bad-request');
    await expect(
      errorCodeOf(
        alice.request('transport.connect', {
          transportId: recv.id,
          dtlsParameters: { fingerprints: 'none' },
        }),
      ),
    ).resolves.toBe('bad-request');
    await expect(
      errorCodeOf(alice.request('transport.restartIce', { transportId: 'nope' })),
    ).resolves.toBe('not-found');
    await expect(
      errorCodeOf(alice.request('producer.pause', { producerId: 'nope' })),
    ).resolves.toBe('not-found');
    await expect(
      errorCodeOf(alice.request('consumer.resume', { consumerId: 'nope' })),
    ).resolves.toBe('not-found');
    const restarted = await alice.request('transport.restartIce', { transportId: send.id });
    expect(restarted.iceParameters).toHaveProperty('usernameFragment');

    const mic = await alice.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(9),
    });
    await expect(
      errorCodeOf(
        alice.request('produce', {
          transportId: send.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters: opusParameters(10),
        }),
      ),
    ).resolves.toBe('conflict');
    expect(mic.producerId).toEqual(expect.any(String));

    // A new send transport replaces the old one, and its producers with it.
    await alice.request('transport.create', { direction: 'send' });
    expect(f.sfu.counts()).toMatchObject({ transports: 2, producers: 0 });

    await alice.request('leave', {});
    await expect(alice.closed).resolves.toMatchObject({ code: 1000 });
    expect(f.sfu.counts()).toMatchObject({ transports: 0, producers: 0, consumers: 0 });
    f.sfu.callEnded(callId);
    expect(f.sfu.counts()).toMatchObject({ routers: 0 });
  });
});

describe('ICE restart (media resume after a network change)', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it("gives the peer's own transport fresh ICE parameters, each time, and refuses another peer's", async () => {
    const callId = 'call-restart-1';
    f.admit(callId, 'alice', 'bob');
    const alice = await joinWithTransports(f, callId, 'alice');
    const bob = await joinWithTransports(f, callId, 'bob');
    const before = alice.send.iceParameters;

    const first = await alice.client.request('transport.restartIce', {
      transportId: alice.send.id,
    });
    const second = await alice.client.request('transport.restartIce', {
      transportId: alice.send.id,
    });
    const fragments = [before, first.iceParameters, second.iceParameters].map(
      (p) => p.usernameFragment,
    );
    const passwords = [before, first.iceParameters, second.iceParameters].map((p) => p.password);
    expect(fragments.every((u) => typeof u === 'string' && u.length > 0)).toBe(true);
    expect(new Set(fragments).size).toBe(3);
    expect(new Set(passwords).size).toBe(3);
    // mediasoup's transport now answers to the new credentials only.
    const serverSide = f.sfu.roomOf(callId)?.peer('alice')?.transports.get(alice.send.id)?.webRtc;
    expect(serverSide?.iceParameters.usernameFragment).toBe(second.iceParameters.usernameFragment);

    // Bob knows Alice's transport id (say, from a log): it is not his to restart.
    await expect(
      errorCodeOf(bob.client.request('transport.restartIce', { transportId: alice.send.id })),
    ).resolves.toBe('not-found');
    await expect(
      errorCodeOf(bob.client.request('transport.restartIce', { transportId: alice.recv.id })),
    ).resolves.toBe('not-found');
    expect(serverSide?.iceParameters.usernameFragment).toBe(second.iceParameters.usernameFragment);
    // His own restart is fine, and leaves Alice's alone.
    const bobs = await bob.client.request('transport.restartIce', { transportId: bob.recv.id });
    expect(bobs.iceParameters.usernameFragment).not.toBe(bob.recv.iceParameters.usernameFragment);

    for (const side of [alice, bob]) await side.client.request('leave', {});
    f.sfu.callEnded(callId);
  });
});
