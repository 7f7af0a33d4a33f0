import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../../testing/cluster.js';
import { TestClient } from '../../testing/test-client.js';
import { rejection, settled } from '../support.js';

/**
 * Three signaling nodes on one Redis, clients spread over them: every call path of one process
 * must hold with the caller, the callee and the callee's devices on different nodes.
 */

let cluster: TestCluster;
const clients: TestClient[] = [];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan'];

beforeAll(async () => {
  cluster = await TestCluster.start(3);
  await cluster.addUsers(...USERS);
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

/** Signs the user's device in on node `index` (0-based). */
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

async function ringing(
  caller: TestClient,
  callee: TestClient,
  callId: string,
  callees: string[],
): Promise<void> {
  await caller.request('call.invite', { callId, callees, media: 'audio' });
  await callee.waitFor('call.incoming', (d) => d.call.callId === callId);
  await callee.request('call.ack', { callId });
  await caller.waitFor(
    'call.updated',
    (d) => d.call.callId === callId && d.call.legs[0]?.state === 'ringing',
  );
}

describe('calls across nodes', () => {
  it('rings a callee on another node, is accepted there and hung up: one record', async () => {
    const alice = await on(0, 'alice');
    const bob = await on(1, 'bob');
    await ringing(alice, bob, 'x-accept-1', ['bob']);

    const accepted = await bob.request('call.accept', { callId: 'x-accept-1' });
    expect(accepted.call.state).toBe('active');
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');

    const hungUp = await bob.request('call.hangup', { callId: 'x-accept-1' });
    expect(hungUp.call.state).toBe('ended');
    const ended = await alice.waitFor('call.ended', (d) => d.call.callId === 'x-accept-1');
    expect(ended.reason).toBe('completed');
    const record = await cluster.node(2).record('x-accept-1');
    expect(record?.endReason).toBe('completed');
  });

  it('is refused on another node with a custom reason the caller sees', async () => {
    const alice = await on(0, 'alice');
    const bob = await on(2, 'bob');
    await ringing(alice, bob, 'x-refuse-1', ['bob']);
    await bob.request('call.refuse', { callId: 'x-refuse-1', reason: 'in-a-meeting' });
    const ended = await alice.waitFor('call.ended');
    expect(ended.reason).toBe('refused');
    expect(ended.call.legs[0]).toMatchObject({ state: 'refused', reason: 'in-a-meeting' });
  });

  it('is canceled by the caller: the callee on another node stops ringing', async () => {
    const alice = await on(1, 'alice');
    const bob = await on(0, 'bob');
    await ringing(alice, bob, 'x-cancel-1', ['bob']);
    await alice.request('call.cancel', { callId: 'x-cancel-1' });
    const ringEnded = await bob.waitFor('call.ringEnded', (d) => d.callId === 'x-cancel-1');
    expect(ringEnded.reason).toBe('canceled');
  });

  it("is answered on one device: the user's device on a third node hears answered-elsewhere", async () => {
    const alice = await on(0, 'carol');
    const bobHere = await on(1, 'dave', 'dave-laptop');
    const bobThere = await on(2, 'dave', 'dave-phone');
    await alice.request('call.invite', {
      callId: 'x-elsewhere-1',
      callees: ['dave'],
      media: 'audio',
    });
    await bobHere.waitFor('call.incoming');
    await bobThere.waitFor('call.incoming');
    await bobHere.request('call.accept', { callId: 'x-elsewhere-1' });
    const ringEnded = await bobThere.waitFor('call.ringEnded');
    expect(ringEnded.reason).toBe('answered-elsewhere');
    await alice.request('call.hangup', { callId: 'x-elsewhere-1' });
  });

  it('is refused on one device: the other device on another node hears refused-elsewhere', async () => {
    const alice = await on(2, 'carol');
    const bobHere = await on(0, 'dave', 'dave-laptop');
    const bobThere = await on(1, 'dave', 'dave-phone');
    await alice.request('call.invite', {
      callId: 'x-elsewhere-2',
      callees: ['dave'],
      media: 'audio',
    });
    await bobHere.waitFor('call.incoming');
    await bobThere.waitFor('call.incoming');
    await bobThere.request('call.refuse', { callId: 'x-elsewhere-2' });
    expect((await bobHere.waitFor('call.ringEnded')).reason).toBe('refused-elsewhere');
  });

  it('times out for a callee on another node', async () => {
    const alice = await on(0, 'erin');
    const bob = await on(1, 'frank');
    await alice.request('call.invite', {
      callId: 'x-timeout-1',
      callees: ['frank'],
      media: 'audio',
      ringTimeoutMs: 1_000,
    });
    await bob.waitFor('call.incoming');
    expect((await bob.waitFor('call.ringEnded')).reason).toBe('timeout');
    expect((await alice.waitFor('call.ended')).reason).toBe('timeout');
  });

  it('refuses as busy a callee in an active call another node owns', async () => {
    const alice = await on(0, 'alice');
    const bob = await on(1, 'bob');
    const carol = await on(2, 'carol');
    await ringing(alice, bob, 'x-busy-call-1', ['bob']);
    await bob.request('call.accept', { callId: 'x-busy-call-1' });
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    await settled(carol);
    const invited = await carol.request('call.invite', {
      callId: 'x-busy-call-2',
      callees: ['bob'],
      media: 'audio',
    });
    expect(invited.call.legs[0]).toMatchObject({ state: 'refused', reason: 'busy' });
    await alice.request('call.hangup', { callId: 'x-busy-call-1' });
  });

  it('refuses with dnd a callee who chose it on another node', async () => {
    const alice = await on(0, 'grace');
    const bob = await on(1, 'heidi');
    await bob.request('presence.setStatus', { status: 'dnd' });
    await settled(alice);
    const invited = await alice.request('call.invite', {
      callId: 'x-dnd-call-1',
      callees: ['heidi'],
      media: 'audio',
    });
    expect(invited.call.legs[0]).toMatchObject({ state: 'refused', reason: 'dnd' });
    await bob.request('presence.setStatus', { status: 'available' });
  });

  it('refuses without ringing a caller the callee blocked on another node', async () => {
    const alice = await on(0, 'ivan');
    const bob = await on(2, 'grace');
    await bob.request('block.add', { userId: 'ivan' });
    const invited = await alice.request('call.invite', {
      callId: 'x-block-call-1',
      callees: ['grace'],
      media: 'audio',
    });
    expect(invited.call.legs[0]).toMatchObject({ state: 'refused', reason: 'declined' });
    await settled(bob);
    expect(bob.received('call.incoming')).toEqual([]);
    await bob.request('block.remove', { userId: 'ivan' });
  });

  it('pushes an invitation to an offline callee and rings them at sign-in on another node', async () => {
    const alice = await on(0, 'erin');
    const invited = await alice.request('call.invite', {
      callId: 'x-push-call-1',
      callees: ['frank'],
      media: 'audio',
    });
    expect(invited.call.legs[0]?.state).toBe('pushed');
    const bob = await on(2, 'frank');
    const incoming = await bob.waitFor('call.incoming', (d) => d.call.callId === 'x-push-call-1');
    expect(incoming.remainingMs).toBeGreaterThan(0);
    await bob.request('call.accept', { callId: 'x-push-call-1' });
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    await alice.request('call.hangup', { callId: 'x-push-call-1' });
  });

  it('answers not-found to a user who was never in a call held on another node', async () => {
    const alice = await on(0, 'alice');
    const bob = await on(1, 'bob');
    const carol = await on(2, 'carol');
    await ringing(alice, bob, 'x-notfound-1', ['bob']);
    await rejection(carol.request('call.accept', { callId: 'x-notfound-1' }), 'not-found');
    await alice.request('call.cancel', { callId: 'x-notfound-1' });
  });
});

describe('presence and messages across nodes', () => {
  it('tells a watcher on another node of sign-in, status, and sign-out', async () => {
    const watcher = await on(0, 'heidi');
    const [before] = (await watcher.request('presence.subscribe', { userIds: ['ivan'] })).users;
    expect(before?.online).toBe(false);
    const ivan = await on(1, 'ivan');
    await watcher.waitFor('presence.changed', (d) => d.userId === 'ivan' && d.online);
    const [queried] = (await watcher.request('presence.query', { userIds: ['ivan'] })).users;
    expect(queried?.online).toBe(true);
    await ivan.request('presence.setStatus', { status: 'away' });
    await watcher.waitFor('presence.changed', (d) => d.userId === 'ivan' && d.status === 'away');
    await ivan.request('presence.setStatus', { status: 'available' });
    await watcher.waitFor(
      'presence.changed',
      (d) => d.userId === 'ivan' && d.status === 'available',
    );
    ivan.socket.close();
    await watcher.waitFor('presence.changed', (d) => d.userId === 'ivan' && !d.online);
  });

  it('shows "in a call" to a watcher on a node that does not own the call', async () => {
    const watcher = await on(2, 'heidi');
    await watcher.request('presence.subscribe', { userIds: ['alice'] });
    const alice = await on(0, 'alice');
    const bob = await on(1, 'bob');
    await ringing(alice, bob, 'x-incall-1', ['bob']);
    await bob.request('call.accept', { callId: 'x-incall-1' });
    await watcher.waitFor('presence.changed', (d) => d.userId === 'alice' && d.inCall === true);
    await alice.request('call.hangup', { callId: 'x-incall-1' });
    await watcher.waitFor(
      'presence.changed',
      (d) => d.userId === 'alice' && d.online && d.inCall !== true,
    );
  });

  it('delivers a custom message to every device of a user on other nodes', async () => {
    const alice = await on(0, 'alice');
    const bobA = await on(1, 'bob', 'bob-a');
    const bobB = await on(2, 'bob', 'bob-b');
    // A sign-in reaches the other nodes' replicas through Redis a moment after its answer. What
    // a node publishes arrives in order: once alice hears from each device, her node knows it.
    await bobA.request('message.send', { messageId: 'm-0a', to: 'alice', body: 'here' });
    await bobB.request('message.send', { messageId: 'm-0b', to: 'alice', body: 'here' });
    await alice.waitFor('message.received', (d) => d.messageId === 'm-0a');
    await alice.waitFor('message.received', (d) => d.messageId === 'm-0b');
    const sent = await alice.request('message.send', { messageId: 'm-1', to: 'bob', body: 'hi' });
    expect(sent.deliveredTo).toBe(2);
    await bobA.waitFor('message.received', (d) => d.messageId === 'm-1');
    await bobB.waitFor('message.received', (d) => d.messageId === 'm-1');
  });
});
