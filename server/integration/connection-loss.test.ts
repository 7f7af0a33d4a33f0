import { afterEach, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../protocol/index.js';
import { encodeRequest } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, settled } from './support.js';

/**
 * No call outlives its people (call-semantics.md): a participant whose last signaling session
 * is gone is `reconnecting` for the rejoin window, then leaves with `connection-lost`.
 */
const WINDOW_MS = 600;
const RING_MS = 10_000;

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

async function start(
  users: string[],
  signaling?: { heartbeatIntervalMs: number; deadAfterMs: number },
) {
  s = await Scenario.start(
    {
      calls: { defaultRingTimeoutMs: RING_MS, rejoinWindowMs: WINDOW_MS },
      ...(signaling ? { signaling } : {}),
    },
    users,
  );
}

const leg = (call: CallInfo, userId: string) => call.legs.find((l) => l.userId === userId);

/** `caller` calls `callees`, and each of them accepts on its one device. */
async function activeCall(callId: string, caller: TestClient, callees: Record<string, TestClient>) {
  await caller.request('call.invite', { callId, callees: Object.keys(callees), media: 'audio' });
  for (const client of Object.values(callees)) {
    await client.waitFor('call.incoming', (d) => d.call.callId === callId);
    await client.request('call.accept', { callId });
  }
  await caller.waitFor(
    'call.updated',
    (d) => d.call.legs.every((l) => l.state === 'accepted') && d.call.state === 'active',
  );
}

describe('a participant whose last session is gone', () => {
  it('is shown reconnecting to the other side, then leaves with connection-lost: a one-to-one call ends and its record says so', async () => {
    await start(['alice', 'bob']);
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await activeCall('lost-0001', alice, { bob });

    const closedAt = Date.now();
    await bob.close();
    const dropped = await alice.waitFor(
      'call.updated',
      (d) => leg(d.call, 'bob')?.connection === 'reconnecting',
    );
    expect(dropped.call.state).toBe('active');
    expect(leg(dropped.call, 'bob')?.leftAt).toBeUndefined();

    const ended = await alice.waitFor('call.ended', () => true, WINDOW_MS + 5_000);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(ended.reason).toBe('connection-lost');
    expect(ended.call.endReason).toBe('connection-lost');
    expect(leg(ended.call, 'bob')).toMatchObject({
      state: 'accepted',
      reason: 'connection-lost',
    });
    expect(leg(ended.call, 'bob')?.leftAt).toBeDefined();

    const { records } = await alice.request('history.list', {});
    expect(records[0]).toMatchObject({ callId: 'lost-0001', endReason: 'connection-lost' });
    expect(records[0]?.participants.find((p) => p.userId === 'bob')).toMatchObject({
      outcome: 'answered',
      reason: 'connection-lost',
    });
  });

  it('rejoins the same call without a new ring when a device of theirs signs in within the window; the others are told they are back', async () => {
    await start(['alice', 'bob']);
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await activeCall('lost-0002', alice, { bob });

    await bob.close();
    await alice.waitFor('call.updated', (d) => leg(d.call, 'bob')?.connection === 'reconnecting');
    const { client: bobAgain, hello } = await s.signInWithHello('bob', 'bob-laptop');
    expect(hello.calls.map((c) => c.callId)).toEqual(['lost-0002']);
    const back = await alice.waitFor(
      'call.updated',
      // Earlier updates (ringing) are still queued: the first active one since the drop.
      (d) => d.call.state === 'active' && leg(d.call, 'bob')?.connection === undefined,
    );
    expect(back.call.state).toBe('active');
    expect((await bobAgain.waitFor('call.updated')).call.callId).toBe('lost-0002');

    // Well past the window: the call goes on, and nobody rang again.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 2));
    await settled(alice, bobAgain);
    expect(alice.received('call.ended')).toEqual([]);
    expect(bobAgain.received('call.incoming')).toEqual([]);
    const { calls } = await alice.request('call.list', {});
    expect(calls[0]).toMatchObject({ callId: 'lost-0002', state: 'active' });

    // Back on the same call: hanging up ends it as usual.
    await bobAgain.request('call.hangup', { callId: 'lost-0002' });
    expect((await alice.waitFor('call.ended')).reason).toBe('completed');
  });

  it('rejoins on another device of theirs: the call follows that device', async () => {
    await start(['alice', 'bob']);
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await activeCall('lost-0003', alice, { bob });

    await bob.close();
    await alice.waitFor('call.updated', (d) => leg(d.call, 'bob')?.connection === 'reconnecting');
    const { client: bobPhone, hello } = await s.signInWithHello('bob', 'bob-phone');
    expect(hello.calls.map((c) => c.callId)).toEqual(['lost-0003']);
    const back = await alice.waitFor(
      'call.updated',
      // Earlier updates (ringing) are still queued: the first active one since the drop.
      (d) => d.call.state === 'active' && leg(d.call, 'bob')?.connection === undefined,
    );
    expect(leg(back.call, 'bob')?.answeredDevice).toBe('bob-phone');

    await alice.request('call.hangup', { callId: 'lost-0003' });
    expect((await bobPhone.waitFor('call.ended')).reason).toBe('completed');
  });

  it('is declared gone by the heartbeat when the socket goes silent, and then leaves the same way', async () => {
    await start(['alice', 'bob'], { heartbeatIntervalMs: 200, deadAfterMs: 600 });
    const bob = await s.signIn('bob', 'bob-laptop');
    const { socket } = await s.signInSilent('alice', 'alice-laptop');
    // The silent caller's last words: the invitation.
    socket.send(
      encodeRequest(2, 'call.invite', { callId: 'lost-0004', callees: ['bob'], media: 'audio' }),
    );
    await bob.waitFor('call.incoming');
    await bob.request('call.accept', { callId: 'lost-0004' });

    const dropped = await bob.waitFor(
      'call.updated',
      (d) => d.call.callerConnection === 'reconnecting',
      5_000,
    );
    expect(dropped.call.state).toBe('active');
    const ended = await bob.waitFor('call.ended', () => true, WINDOW_MS + 5_000);
    expect(ended.reason).toBe('connection-lost');
    expect(ended.call.callerLeftReason).toBe('connection-lost');
    const { records } = await bob.request('history.list', {});
    expect(records[0]?.participants.find((p) => p.userId === 'alice')).toMatchObject({
      role: 'caller',
      reason: 'connection-lost',
    });
  });

  it('as the caller of a ringing call: the invitation ends after the window and stops ringing', async () => {
    await start(['alice', 'bob']);
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await alice.request('call.invite', { callId: 'lost-0005', callees: ['bob'], media: 'audio' });
    await bob.waitFor('call.incoming');

    await alice.close();
    expect(await bob.waitFor('call.ringEnded', () => true, WINDOW_MS + 5_000)).toEqual({
      callId: 'lost-0005',
      reason: 'canceled',
    });
    const { records } = await bob.request('history.list', {});
    expect(records[0]).toMatchObject({ callId: 'lost-0005', endReason: 'connection-lost' });
  });

  it('leaves a group call, which goes on for the two who remain', async () => {
    await start(['alice', 'bob', 'carol']);
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((id) => s.signIn(id, `${id}-laptop`)),
    );
    await activeCall('lost-0006', alice!, { bob: bob!, carol: carol! });

    await carol!.close();
    await bob!.waitFor('call.updated', (d) => leg(d.call, 'carol')?.connection === 'reconnecting');
    const left = await bob!.waitFor(
      'call.updated',
      (d) => leg(d.call, 'carol')?.leftAt !== undefined,
      WINDOW_MS + 5_000,
    );
    expect(left.call.state).toBe('active');
    expect(leg(left.call, 'carol')).toMatchObject({ reason: 'connection-lost' });
    await settled(alice!, bob!);
    expect(alice!.received('call.ended')).toEqual([]);
  });
});

describe('a user with no live device, stuck in a call within its window', () => {
  it('is not busy: a new invitation is stored and pushed as for any offline user', async () => {
    await start(['alice', 'bob', 'carol']);
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    const carol = await s.signIn('carol', 'carol-laptop');
    await activeCall('busy-0001', alice, { bob });

    await bob.close();
    await alice.waitFor('call.updated', (d) => leg(d.call, 'bob')?.connection === 'reconnecting');
    const { call } = await carol.request('call.invite', {
      callId: 'busy-0002',
      callees: ['bob'],
      media: 'audio',
    });
    expect(leg(call, 'bob')).toMatchObject({ state: 'pushed' });
    expect(leg(call, 'bob')?.reason).toBeUndefined();

    // Signing in, Bob finds both: the call he is still in, and the invitation ringing.
    const { client: bobAgain, hello } = await s.signInWithHello('bob', 'bob-laptop');
    expect(hello.calls.map((c) => c.callId)).toEqual(['busy-0001']);
    const incoming = await bobAgain.waitFor('call.incoming');
    expect(incoming.call.callId).toBe('busy-0002');
    expect(incoming.busy).toBe(true);
  });
});

describe('signing in after a call ended while the user was away', () => {
  it('does not put them back into a group call that went on without them', async () => {
    await start(['alice', 'bob', 'carol']);
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((id) => s.signIn(id, `${id}-laptop`)),
    );
    await activeCall('away-0001', alice!, { bob: bob!, carol: carol! });

    await carol!.close();
    await bob!.waitFor(
      'call.updated',
      (d) => leg(d.call, 'carol')?.leftAt !== undefined,
      WINDOW_MS + 5_000,
    );
    const { client: carolAgain, hello } = await s.signInWithHello('carol', 'carol-laptop');
    expect(hello.calls).toEqual([]);
    expect((await carolAgain.request('call.list', {})).calls).toEqual([]);
    await settled(carolAgain);
    expect(carolAgain.received('call.updated')).toEqual([]);
  });

  it('does not put them back into a one-to-one call both sides vanished from', async () => {
    await start(['alice', 'bob']);
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await activeCall('away-0002', alice, { bob });

    await Promise.all([alice.close(), bob.close()]);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 300));
    for (const userId of ['alice', 'bob']) {
      const { hello } = await s.signInWithHello(userId, `${userId}-laptop`);
      expect(hello.calls).toEqual([]);
    }
    const { records } = await (await s.signIn('alice', 'alice-desk')).request('history.list', {});
    expect(records[0]).toMatchObject({ callId: 'away-0002', endReason: 'connection-lost' });
  });
});
