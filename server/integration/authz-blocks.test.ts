import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scenario, settled } from './support.js';

/**
 * A block hides the blocker from the blocked user beyond calls: their custom messages are
 * dropped (answered as if the blocker were offline) and the blocker's presence reads offline to
 * them, in answers and in events, from the moment the block is set.
 */

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({}, ['alice', 'bob', 'mallory']);
});
afterEach(async () => {
  await s.dispose();
});

const OFFLINE = { userId: 'bob', online: false, status: 'available' };

describe('what a blocked user still gets', () => {
  it('has custom messages to the blocker dropped, answered as for an offline user', async () => {
    const bob = await s.signIn('bob');
    const alice = await s.signIn('alice');
    const mallory = await s.signIn('mallory');
    await bob.request('block.add', { userId: 'mallory' });

    const dropped = await mallory.request('message.send', {
      messageId: 'm-1',
      to: 'bob',
      body: 'let me in',
    });
    expect(dropped).toEqual({ deliveredTo: 0 });
    const delivered = await alice.request('message.send', {
      messageId: 'a-1',
      to: 'bob',
      body: 'hello',
    });
    expect(delivered).toEqual({ deliveredTo: 1 });
    await bob.waitFor('message.received', (m) => m.messageId === 'a-1');
    await settled(bob, mallory);
    expect(bob.received('message.received')).toEqual([]);
    // The blocker cannot acknowledge what never reached them: nothing to forge a receipt from.
    expect(mallory.received('message.delivered')).toEqual([]);

    await bob.request('block.remove', { userId: 'mallory' });
    await mallory.request('message.send', { messageId: 'm-2', to: 'bob', body: 'sorry' });
    await expect(bob.waitFor('message.received')).resolves.toMatchObject({ from: 'mallory' });
  });

  it('reads the blocker as offline in queries and subscriptions', async () => {
    const bob = await s.signIn('bob');
    await bob.request('presence.setStatus', { status: 'busy' });
    await bob.request('block.add', { userId: 'mallory' });
    const mallory = await s.signIn('mallory');
    const alice = await s.signIn('alice');

    expect(await mallory.request('presence.query', { userIds: ['bob'] })).toEqual({
      users: [OFFLINE],
    });
    expect(await mallory.request('presence.subscribe', { userIds: ['bob'] })).toEqual({
      users: [OFFLINE],
    });
    expect(await alice.request('presence.subscribe', { userIds: ['bob'] })).toEqual({
      users: [{ userId: 'bob', online: true, status: 'busy' }],
    });

    // Changes of the blocker reach the others, never the blocked user.
    await bob.request('presence.setStatus', { status: 'away' });
    await alice.waitFor('presence.changed', (p) => p.status === 'away');
    const phone = await s.signIn('bob', 'bob-phone');
    await bob.close();
    await phone.close();
    await alice.waitFor('presence.changed', (p) => !p.online);
    await s.signIn('bob', 'bob-desk');
    await alice.waitFor('presence.changed', (p) => p.online);
    await settled(mallory);
    expect(mallory.received('presence.changed')).toEqual([]);
  });

  it('takes the blocker offline for a subscriber at once when the block is set, and back when lifted', async () => {
    const bob = await s.signIn('bob');
    const mallory = await s.signIn('mallory');
    expect(await mallory.request('presence.subscribe', { userIds: ['bob'] })).toEqual({
      users: [{ userId: 'bob', online: true, status: 'available' }],
    });

    await bob.request('block.add', { userId: 'mallory' });
    expect(await mallory.waitFor('presence.changed')).toEqual(OFFLINE);
    await bob.request('presence.setStatus', { status: 'dnd' });
    await settled(bob, mallory);
    expect(mallory.received('presence.changed')).toEqual([]);

    await bob.request('block.remove', { userId: 'mallory' });
    expect(await mallory.waitFor('presence.changed')).toEqual({
      userId: 'bob',
      online: true,
      status: 'dnd',
    });
  });
});
