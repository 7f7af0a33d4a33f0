import { afterEach, beforeEach, expect, it } from 'vitest';
import { TestCluster } from '../../testing/cluster.js';
import { TestClient } from '../../testing/test-client.js';

/** A node cut off from Redis stops deciding (fencing by its lease): no split brain. */

// Longer than the default: this machine runs at a load of ~12 on 2 cores, where Redis, the
// relays in this test's process and the nodes' shared SQLite stall for seconds at times, and a
// shorter lease fences healthy nodes too.
const LEASE_MS = 5_000;
let cluster: TestCluster;
const clients: TestClient[] = [];

beforeEach(async () => {
  cluster = await TestCluster.start(2, { leaseMs: LEASE_MS, proxied: true });
  await cluster.addUsers('alice', 'bob');
}, 60_000);
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await cluster.stop();
}, 40_000);

async function on(
  index: number,
  userId: string,
  device = `${userId}-${String(index)}`,
): Promise<TestClient> {
  const node = cluster.node(index);
  const { client } = await TestClient.signIn(node.wsUrl, await node.token(userId), { id: device });
  clients.push(client);
  return client;
}

it('closes its clients, answers 503 and leaves its ringing call to a node that holds a lease', async () => {
  const alice = await on(0, 'alice');
  const bob = await on(1, 'bob');
  await alice.request('call.invite', {
    callId: 'part-call-1',
    callees: ['bob'],
    media: 'audio',
    ringTimeoutMs: 20_000,
  });
  await bob.waitFor('call.incoming');

  const cutAt = Date.now();
  cluster.proxies[0]?.partition();
  const closing = await alice.waitFor('session.closing', undefined, LEASE_MS * 3);
  expect(closing.reason).toBe('server-shutdown');
  await alice.closed;
  // It stops before its lease can expire in Redis: never two nodes deciding for a call.
  expect(Date.now() - cutAt).toBeLessThan(LEASE_MS);
  const health = await fetch(`${cluster.node(0).httpUrl}/healthz`);
  expect(health.status).toBe(503);

  // The caller comes back on the other node; the callee answers at once: the request waits
  // for the node that takes the call over once the lease expired, which decides it.
  const aliceAgain = await on(1, 'alice', 'alice-0');
  const accepted = await bob.request('call.accept', { callId: 'part-call-1' });
  expect(accepted.call.state).toBe('active');
  expect(Date.now() - cutAt).toBeLessThan(LEASE_MS * 3);
  await aliceAgain.waitFor('call.updated', (d) => d.call.state === 'active');
  const hungUp = await aliceAgain.request('call.hangup', { callId: 'part-call-1' });
  expect(hungUp.call.endReason).toBe('completed');
  cluster.proxies[0]?.heal();
  const record = await cluster.node(1).record('part-call-1');
  expect(record?.endReason).toBe('completed');
}, 40_000);
