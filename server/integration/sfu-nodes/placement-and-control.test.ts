import { afterEach, describe, expect, it } from 'vitest';
import { opusParameters } from '../../sfu/testing/media-fixtures.js';
import { SfuTestClient, errorCodeOf } from '../../sfu/testing/sfu-test-client.js';
import { answeredCall, eventually } from '../support.js';
import { REGISTRATION_TTL_MS, SfuNodesScenario } from './support/sfu-nodes-scenario.js';

let c: SfuNodesScenario | undefined;
afterEach(async () => {
  await c?.dispose();
  c = undefined;
});

describe('two SFU nodes', () => {
  it('register with a TTL and their load; each call goes to the less loaded one', async () => {
    c = await SfuNodesScenario.start(['sfu-a', 'sfu-b'], ['alice', 'bob', 'carol', 'dave']);
    const { Redis } = await import('ioredis');
    const redis = new Redis(c.redis.url);
    try {
      const ttl = await redis.pttl('tp:sfu:node:sfu-a');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(REGISTRATION_TTL_MS);
    } finally {
      redis.disconnect();
    }
    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    const carol = await c.s.signIn('carol', 'carol-laptop');
    const dave = await c.s.signIn('dave', 'dave-laptop');

    await answeredCall(alice, bob, 'bob', 'place-0001');
    const first = c.nodeOf('place-0001');
    await c.joinMedia(alice, 'place-0001');
    await c.joinMedia(bob, 'place-0001');
    // What the node reports reaches signaling with its next heartbeat.
    await eventually(
      () =>
        c
          ?.plane()
          .nodes()
          .find((n) => n.id === first.id)?.load.rooms === 1,
    );

    await answeredCall(carol, dave, 'dave', 'place-0002');
    const second = c.nodeOf('place-0002');
    expect(second.id).not.toBe(first.id);

    await c.joinMedia(carol, 'place-0002');
    await eventually(
      () =>
        c
          ?.plane()
          .nodes()
          .find((n) => n.id === second.id)?.load.rooms === 1,
    );

    // The second call ends: its node is the less loaded one (not the next in turn).
    await carol.request('call.hangup', { callId: 'place-0002' });
    await eventually(
      () =>
        c
          ?.plane()
          .nodes()
          .find((n) => n.id === second.id)?.load.rooms === 0,
    );
    await answeredCall(carol, dave, 'dave', 'place-0003');
    expect(c.nodeOf('place-0003').id).toBe(second.id);
    expect(c.nodeOf('place-0001').id).toBe(first.id);
  });
});

describe('conference control on an SFU node', () => {
  it('enforces the moderator’s mute and removal there, and ticket rules after a removal', async () => {
    c = await SfuNodesScenario.start(['sfu-a'], ['alice', 'bob', 'carol']);
    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    const carol = await c.s.signIn('carol', 'carol-laptop');
    const callId = 'control-0001';
    await alice.request('call.invite', { callId, callees: ['bob', 'carol'], media: 'audio' });
    for (const callee of [bob, carol]) {
      await callee.waitFor('call.incoming');
      await callee.request('call.accept', { callId });
    }
    await c.joinMedia(alice, callId);
    const b = await c.joinMedia(bob, callId);
    const k = await c.joinMedia(carol, callId);
    const send = await b.media.request('transport.create', { direction: 'send' });
    const mic = await b.media.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(77),
    });

    await alice.request('call.control', { callId, action: 'mute', target: 'bob', kind: 'audio' });
    await expect(b.media.waitFor('producer.paused')).resolves.toEqual({
      producerId: mic.producerId,
      userId: 'bob',
      byModerator: true,
    });
    expect(
      await errorCodeOf(b.media.request('producer.resume', { producerId: mic.producerId })),
    ).toBe('forbidden');

    // A ticket carol holds from before her removal admits nobody after it.
    const spare = await carol.request('media.ticket', { callId });
    await alice.request('call.control', { callId, action: 'remove', target: 'carol' });
    await expect(k.media.waitFor('room.closed')).resolves.toEqual({ reason: 'removed' });
    await eventually(async () => !(await c?.node('sfu-a').roomUsers(callId))?.includes('carol'));
    const late = await SfuTestClient.connect(spare.sfuUrl);
    try {
      expect(await errorCodeOf(late.request('join', { ticket: spare.ticket }))).toBe(
        'unauthorized',
      );
    } finally {
      await late.close();
    }

    await alice.request('call.control', { callId, action: 'unmute', target: 'bob', kind: 'audio' });
    await b.media.waitFor('producer.resumed');
    expect(await c.node('sfu-a').roomUsers(callId)).toEqual(['alice', 'bob']);
  });
});
