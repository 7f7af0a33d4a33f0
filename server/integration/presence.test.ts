import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scenario, settled } from './support.js';
import type { TestClient } from '../testing/test-client.js';

const HEARTBEAT_MS = 200;
const DEAD_AFTER_MS = 600;

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

describe('presence', () => {
  beforeEach(async () => {
    s = await Scenario.start({}, ['alice', 'bob', 'carol', 'dave']);
  });

  it('answers for many users at once with online state and status, leaving out unknown ids', async () => {
    const alice = await s.signIn('alice');
    const bob = await s.signIn('bob');
    await bob.request('presence.setStatus', { status: 'away' });
    const carol = await s.signIn('carol');
    await carol.request('presence.setStatus', { status: 'dnd' });
    await carol.close();
    await s.signIn('dave', 'dave-desk');

    // Carol may still be closing; her status outlives her session either way.
    const { users } = await alice.request('presence.query', {
      userIds: ['bob', 'carol', 'nobody', 'dave'],
    });
    expect(users.map((u) => u.userId)).toEqual(['bob', 'carol', 'dave']);
    expect(users[0]).toEqual({ userId: 'bob', online: true, status: 'away' });
    expect(users[1]?.status).toBe('dnd');
    expect(users[2]).toEqual({ userId: 'dave', online: true, status: 'available' });
  });

  it('tells subscribers of sign-in, status changes and sign-out, and stops after unsubscribing', async () => {
    const alice = await s.signIn('alice');
    expect(await alice.request('presence.subscribe', { userIds: ['bob'] })).toEqual({
      users: [{ userId: 'bob', online: false, status: 'available' }],
    });

    const desk = await s.signIn('bob', 'bob-desk');
    expect(await alice.waitFor('presence.changed')).toEqual({
      userId: 'bob',
      online: true,
      status: 'available',
    });
    // A second device changes nothing about Bob's presence.
    const phone = await s.signIn('bob', 'bob-phone');

    await phone.request('presence.setStatus', { status: 'busy' });
    expect(await alice.waitFor('presence.changed')).toEqual({
      userId: 'bob',
      online: true,
      status: 'busy',
    });

    await desk.close();
    await settled(alice, phone);
    expect(alice.received('presence.changed')).toEqual([]);
    await phone.close();
    expect(await alice.waitFor('presence.changed')).toEqual({
      userId: 'bob',
      online: false,
      status: 'busy',
    });

    await alice.request('presence.unsubscribe', { userIds: ['bob'] });
    const again = await s.signIn('bob', 'bob-desk');
    await settled(again, alice);
    expect(alice.received('presence.changed')).toEqual([]);
  });
});

/** The next two presence changes a watcher gets, in user order (two people change at once). */
async function twoChangesSeenBy(watcher: TestClient) {
  const changes = [
    await watcher.waitFor('presence.changed'),
    await watcher.waitFor('presence.changed'),
  ];
  return changes.sort((a, b) => a.userId.localeCompare(b.userId));
}

describe('in-call presence', () => {
  beforeEach(async () => {
    s = await Scenario.start({}, ['alice', 'bob', 'carol']);
  });

  it('shows a user in an active call as inCall to watchers, only once answered, and their chosen status again after', async () => {
    const carol = await s.signIn('carol');
    const alice = await s.signIn('alice');
    const bob = await s.signIn('bob');
    await alice.request('presence.setStatus', { status: 'away' });
    await carol.request('presence.subscribe', { userIds: ['alice', 'bob'] });
    await settled(carol);
    carol.received('presence.changed');

    await alice.request('call.invite', { callId: 'incall-001', callees: ['bob'], media: 'audio' });
    await bob.waitFor('call.incoming');
    // Ringing is not a call yet: nobody is shown in one.
    await settled(carol, alice, bob);
    expect(carol.received('presence.changed')).toEqual([]);

    await bob.request('call.accept', { callId: 'incall-001' });
    const seen = await twoChangesSeenBy(carol);
    expect(seen).toEqual([
      { userId: 'alice', online: true, status: 'away', inCall: true },
      { userId: 'bob', online: true, status: 'available', inCall: true },
    ]);
    const { users } = await carol.request('presence.query', { userIds: ['alice'] });
    expect(users).toEqual([{ userId: 'alice', online: true, status: 'away', inCall: true }]);

    await alice.request('call.hangup', { callId: 'incall-001' });
    const after = await twoChangesSeenBy(carol);
    expect(after).toEqual([
      { userId: 'alice', online: true, status: 'away' },
      { userId: 'bob', online: true, status: 'available' },
    ]);
  });
});

describe('heartbeats', () => {
  beforeEach(async () => {
    s = await Scenario.start(
      { signaling: { heartbeatIntervalMs: HEARTBEAT_MS, deadAfterMs: DEAD_AFTER_MS } },
      ['alice', 'carol'],
    );
  });

  it('declare a connection that stops answering them gone within the bound, and tell subscribers', async () => {
    const alice = await s.signIn('alice');
    await alice.request('presence.subscribe', { userIds: ['carol'] });
    const { lastSentAt } = await s.signInSilent('carol', 'carol-laptop');
    expect(await alice.waitFor('presence.changed')).toMatchObject({ online: true });

    const offline = await alice.waitFor('presence.changed', () => true, 5_000);
    const silentFor = Date.now() - lastSentAt;
    expect(offline).toEqual({ userId: 'carol', online: false, status: 'available' });
    expect(silentFor).toBeGreaterThanOrEqual(DEAD_AFTER_MS);
    // One sweep interval after the deadline, plus scheduling slack for a loaded machine.
    expect(silentFor).toBeLessThan(DEAD_AFTER_MS + HEARTBEAT_MS + 1_500);

    // A device that answers pings stays, however long it is quiet.
    expect(await alice.request('presence.query', { userIds: ['alice'] })).toEqual({
      users: [{ userId: 'alice', online: true, status: 'available' }],
    });
  });
});
