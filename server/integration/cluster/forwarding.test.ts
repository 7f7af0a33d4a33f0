import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../../testing/cluster.js';
import { RequestFailed, TestClient } from '../../testing/test-client.js';
import { rejection } from '../support.js';

/**
 * Requests for a call that reach a node other than its owner are forwarded there, and the owner
 * decides as one process would: racing requests from different nodes get one outcome, and group
 * calls, in-call invitations and conference control work from any node.
 */

let cluster: TestCluster;
const clients: TestClient[] = [];

beforeAll(async () => {
  cluster = await TestCluster.start(3);
  await cluster.addUsers('alice', 'bob', 'carol', 'dave');
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});
afterEach(async () => {
  for (const client of clients.splice(0)) {
    const closed = client.closed;
    client.socket.close();
    await closed;
  }
});

async function on(index: number, userId: string): Promise<TestClient> {
  const node = cluster.node(index);
  const { client } = await TestClient.signIn(node.wsUrl, await node.token(userId), {
    id: `${userId}-${String(index)}`,
  });
  clients.push(client);
  return client;
}

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof RequestFailed ? e.body.code : 'thrown'),
  );

describe('forwarded requests', () => {
  it("accept on the callee's node and cancel on the owner at once: one outcome, one record", async () => {
    const alice = await on(0, 'alice');
    const bob = await on(1, 'bob');
    const seen: string[] = [];
    for (let round = 0; round < 5; round++) {
      const callId = `race-accept-cancel-${String(round)}`;
      await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
      await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
      const [accepted, canceled] = await Promise.all([
        outcome(bob.request('call.accept', { callId })),
        outcome(alice.request('call.cancel', { callId })),
      ]);
      // Exactly one of them took effect; the other was told the state it lost to.
      expect([accepted, canceled].sort()).toEqual(['invalid-state', 'ok']);
      seen.push(accepted === 'ok' ? 'accepted' : 'canceled');
      if (accepted === 'ok') await alice.request('call.hangup', { callId });
      const record = await cluster.node(2).record(callId);
      expect(record?.endReason).toBe(accepted === 'ok' ? 'completed' : 'canceled');
    }
    expect(seen).toHaveLength(5);
  });

  it('runs a group call, an in-call invitation and conference control from three nodes', async () => {
    const alice = await on(0, 'alice');
    const bob = await on(1, 'bob');
    const carol = await on(2, 'carol');
    const dave = await on(0, 'dave');
    const callId = 'group-across-nodes-1';
    await alice.request('call.invite', { callId, callees: ['bob', 'carol'], media: 'audio' });
    await bob.waitFor('call.incoming');
    await carol.waitFor('call.incoming');
    await bob.request('call.accept', { callId });
    await carol.request('call.accept', { callId });

    // carol (node 3) invites dave (node 1) into the call alice's node owns.
    await carol.request('call.add', { callId, callees: ['dave'] });
    await dave.waitFor('call.incoming', (d) => d.call.callId === callId);
    const joined = await dave.request('call.accept', { callId });
    expect(joined.call.legs.filter((l) => l.state === 'accepted')).toHaveLength(3);

    // Only the moderator controls; bob (node 2) is muted and told so.
    await rejection(carol.request('call.control', { callId, action: 'end' }), 'forbidden');
    await alice.request('call.control', { callId, action: 'mute', target: 'bob', kind: 'audio' });
    const controlled = await bob.waitFor('call.controlled');
    expect(controlled).toMatchObject({ action: 'mute', kind: 'audio', by: 'alice' });

    const ended = await alice.request('call.control', { callId, action: 'end' });
    expect(ended.call.endReason).toBe('ended-by-moderator');
    for (const client of [bob, carol, dave]) await client.waitFor('call.ended');
  });
});
