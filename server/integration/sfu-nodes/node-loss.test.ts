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
