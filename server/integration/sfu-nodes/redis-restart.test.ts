import { afterEach, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../../protocol/index.js';
import { answeredCall, eventually, settled } from '../support.js';
import { REGISTRATION_TTL_MS, SfuNodesScenario } from './support/sfu-nodes-scenario.js';

/**
 * Redis restarted under a call: registrations may expire while nobody can renew them, but the
 * nodes are alive and their media goes on. Nothing moves: the call stays on its node, nobody is
 * told to reconnect, and conference control reaches the node again once Redis is back.
 */
let c: SfuNodesScenario | undefined;
afterEach(async () => {
  await c?.dispose();
  c = undefined;
});

const leg = (call: CallInfo, userId: string) => call.legs.find((l) => l.userId === userId);

describe('a Redis restart under a call on an SFU node', () => {
  it('moves nothing and loses no later control', async () => {
    c = await SfuNodesScenario.start(['sfu-a', 'sfu-b'], ['alice', 'bob']);
    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    const callId = 'redis-0001';
    await answeredCall(alice, bob, 'bob', callId);
    const node = c.nodeOf(callId);
    await c.connectMedia(alice, callId, 'alice');
    const bobMedia = await c.connectMedia(bob, callId, 'bob');
    await eventually(() => c?.plane().mediaConnected(callId).length === 2);

    // Down longer than a registration lives (its keys keep their absolute expiry).
    await c.redis.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 2 * REGISTRATION_TTL_MS));
    await c.redis.restart();
    await eventually(() => c?.plane().nodes().length === 2, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 2 * REGISTRATION_TTL_MS));

    expect(c.nodeOf(callId).id).toBe(node.id);
    expect(await node.roomUsers(callId)).toEqual(['alice', 'bob']);
    await settled(alice);
    expect(
      alice.received('call.updated').some((u) => leg(u.call, 'bob')?.connection === 'reconnecting'),
    ).toBe(false);

    // Control after the restart still reaches the node.
    const send = await bobMedia.request('transport.create', { direction: 'send' });
    expect(send.id).toEqual(expect.any(String));
    await alice.request('call.hangup', { callId });
    await expect(bobMedia.waitFor('room.closed')).resolves.toEqual({ reason: 'call-ended' });
  });
});
