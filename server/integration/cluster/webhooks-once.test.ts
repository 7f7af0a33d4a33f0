import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestCluster } from '../../testing/cluster.js';
import { TestClient } from '../../testing/test-client.js';
import { type Receiver, type Reply, startReceiver } from '../../webhooks/receiver.test-helper.js';

/**
 * Webhooks are delivered once by the cluster, not once per node: every node reads the shared
 * outbox at start, and only the node that wrote an entry (or the one that claims it from a
 * dead node) sends it.
 */

const SECRET = 'cluster-webhook-secret-0123456789';
let cluster: TestCluster;
let receiver: Receiver;
let reply: Reply = 'hang';

beforeAll(async () => {
  receiver = await startReceiver({ secret: SECRET, reply: () => reply });
  cluster = await TestCluster.start(2, {
    config: { webhook: { url: receiver.url, secret: SECRET } },
  });
  await cluster.addUsers('alice', 'bob');
}, 60_000);
afterAll(async () => {
  await cluster.stop();
  await receiver.close();
});

it('sends a call record once although another node restarts while it is still in flight', async () => {
  const node = (i: number) => cluster.node(i);
  const alice = (await TestClient.signIn(node(0).wsUrl, await node(0).token('alice'), { id: 'a' }))
    .client;
  const bob = (await TestClient.signIn(node(1).wsUrl, await node(1).token('bob'), { id: 'b' }))
    .client;
  await alice.request('call.invite', { callId: 'hook-once-1', callees: ['bob'], media: 'audio' });
  await bob.waitFor('call.incoming');
  await bob.request('call.accept', { callId: 'hook-once-1' });
  await alice.request('call.hangup', { callId: 'hook-once-1' });
  // The record is in the shared outbox, its delivery hanging at the receiver.
  await receiver.waitFor(1);

  // node 2 restarts and reads the outbox: the entry is node 1's (alive) to send, not its own.
  await node(1).kill();
  await node(1).start();
  await new Promise((resolve) => setTimeout(resolve, 500));
  reply = { status: 200 };
  receiver.release(200);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const ended = receiver.received.filter(
    (w) => w.body.type === 'call.ended' && w.body.record.callId === 'hook-once-1',
  );
  expect(ended).toHaveLength(1);
  expect(receiver.rejected).toEqual([]);
  alice.socket.terminate();
  bob.socket.terminate();
}, 40_000);
