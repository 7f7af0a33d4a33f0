import { afterEach, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../../protocol/index.js';
import { answeredCall, eventually } from '../support.js';
import {
  HEARTBEAT_MS,
  REGISTRATION_TTL_MS,
  SfuNodesScenario,
} from './support/sfu-nodes-scenario.js';

/**
 * kill -9 of an SFU node mid-call: signaling finds it lost when its registration expires (TTL
 * 600 ms here, heartbeat 200 ms), moves its calls to the other node, and the participants, whose
 * SFU sockets died with it, rejoin there with fresh tickets; with no node left the call ends.
 */
const WINDOW_MS = 5_000;
/** Detection (TTL + one directory read) plus the client's back-off: well under the window. */
const REJOIN_BOUND_MS = 3_000;

let c: SfuNodesScenario | undefined;
afterEach(async () => {
  await c?.dispose();
  c = undefined;
});

const leg = (call: CallInfo, userId: string) => call.legs.find((l) => l.userId === userId);
const report = (line: string): void => {
  process.stdout.write(`[sfu-nodes] ${line}\n`);
};

describe('the loss of an SFU node', () => {
  it('moves its calls to the other node; the participants rejoin there within the bound', async () => {
    c = await SfuNodesScenario.start(['sfu-a', 'sfu-b'], ['alice', 'bob'], {
      calls: { rejoinWindowMs: WINDOW_MS },
    });
    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    const callId = 'loss-0001';
    await answeredCall(alice, bob, 'bob', callId);
    const first = c.nodeOf(callId);
    const aliceMedia = await c.connectMedia(alice, callId, 'alice');
    const bobMedia = await c.connectMedia(bob, callId, 'bob');
    await eventually(() => c?.plane().mediaConnected(callId).length === 2);

    const killedAt = Date.now();
    const socketsGone = Promise.all([aliceMedia.closed, bobMedia.closed]);
    await first.kill();
    await socketsGone;
    const reconnecting = alice.waitFor(
      'call.updated',
      (d) => leg(d.call, 'bob')?.connection === 'reconnecting',
    );
    const [a, b] = await Promise.all([
      c.rejoinLikeTheClient(alice, callId, 'alice'),
      c.rejoinLikeTheClient(bob, callId, 'bob'),
    ]);
    const rejoinedMs = Date.now() - killedAt;
    const movedTo = c.nodeOf(callId);
    expect(movedTo.id).not.toBe(first.id);
    expect(a.sfuUrl).toBe(movedTo.url);
    expect(b.sfuUrl).toBe(movedTo.url);
    // Signaling opened their rejoin window when the node was found lost.
    await reconnecting;
    // Back: a connected leg carries no `connection`.
    await alice.waitFor(
      'call.updated',
      (d) => d.call.state === 'active' && leg(d.call, 'bob')?.connection === undefined,
    );
    expect(await movedTo.roomUsers(callId)).toEqual(expect.arrayContaining(['alice', 'bob']));
    expect(rejoinedMs).toBeLessThan(REJOIN_BOUND_MS);
    report(
      `kill -9 → both participants rejoined on ${movedTo.id}: ${rejoinedMs} ms (attempts ${a.attempts}/${b.attempts}; TTL ${REGISTRATION_TTL_MS} ms, heartbeat ${HEARTBEAT_MS} ms)`,
    );
    const { calls } = await alice.request('call.list', {});
    expect(calls.find((x) => x.callId === callId)?.state).toBe('active');
  });

  it('finds a node that no longer takes commands lost before its registration expires', async () => {
    c = await SfuNodesScenario.start(['sfu-b'], ['alice', 'bob']);
    // A node whose process is gone but whose registration (renewed just before) lives a minute:
    // the least loaded, and first by id.
    const { Redis } = await import('ioredis');
    const redis = new Redis(c.redis.url);
    const load = { rooms: 0, peers: 0, transports: 0 };
    const now = Date.now();
    const ghost = { id: 'sfu-0-gone', url: 'ws://127.0.0.1:9/sfu', load, startedAt: now, at: now };
    await redis.set('tp:sfu:node:sfu-0-gone', JSON.stringify(ghost), 'PX', 60_000);
    await redis.sadd('tp:sfu:nodes', 'sfu-0-gone');
    redis.disconnect();
    await eventually(
      () =>
        c
          ?.plane()
          .nodes()
          .some((n) => n.id === 'sfu-0-gone') ?? false,
    );

    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    const activeAt = Date.now();
    await answeredCall(alice, bob, 'bob', 'loss-0003');
    // Its command channel has no listener: a heartbeat later it is lost and the call moves.
    await eventually(() => c?.plane().nodeOf('loss-0003') === 'sfu-b');
    const movedMs = Date.now() - activeAt;
    expect(
      c
        .plane()
        .nodes()
        .map((n) => n.id),
    ).toEqual(['sfu-b']);
    await c.connectMedia(alice, 'loss-0003', 'alice');
    await c.connectMedia(bob, 'loss-0003', 'bob');
    expect(await c.node('sfu-b').roomUsers('loss-0003')).toEqual(['alice', 'bob']);
    report(`a deaf node's call moved after ${movedMs} ms (its registration still had a minute)`);
  });

  it('ends the call with media-failed when no SFU node is left', async () => {
    c = await SfuNodesScenario.start(['sfu-a'], ['alice', 'bob'], {
      calls: { rejoinWindowMs: WINDOW_MS },
    });
    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    const callId = 'loss-0002';
    await answeredCall(alice, bob, 'bob', callId);
    await c.connectMedia(alice, callId, 'alice');
    await c.connectMedia(bob, callId, 'bob');
    await eventually(() => c?.plane().mediaConnected(callId).length === 2);

    const killedAt = Date.now();
    const ended = Promise.all([alice.waitFor('call.ended'), bob.waitFor('call.ended')]);
    await c.node('sfu-a').kill();
    const [forAlice, forBob] = await ended;
    const endedMs = Date.now() - killedAt;
    expect(forAlice.reason).toBe('media-failed');
    expect(forBob.reason).toBe('media-failed');
    expect(endedMs).toBeLessThan(REJOIN_BOUND_MS);
    report(`kill -9 of the last SFU node → call ended (media-failed): ${endedMs} ms`);
    const { records } = await alice.request('history.list', {});
    expect(records.find((r) => r.callId === callId)?.endReason).toBe('media-failed');
  });
});
