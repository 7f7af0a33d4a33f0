import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, rejection, settled } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({ calls: { defaultRingTimeoutMs: 10_000 } }, [
    'alice',
    'bob',
    'carol',
    'dave',
  ]);
});
afterEach(async () => {
  await s.dispose();
});

const leg = (call: CallInfo, userId: string) => call.legs.find((l) => l.userId === userId);

async function signInAll() {
  const [alice, bob, carol, dave] = await Promise.all(
    ['alice', 'bob', 'carol', 'dave'].map((id) => s.signIn(id, `${id}-laptop`)),
  );
  return { alice: alice!, bob: bob!, carol: carol!, dave: dave! };
}

/** Invites the callees from `caller` and has each of `accepting` accept. */
async function groupCall(
  callId: string,
  caller: TestClient,
  callees: Record<string, TestClient>,
  accepting: string[],
): Promise<void> {
  await caller.request('call.invite', { callId, callees: Object.keys(callees), media: 'video' });
  for (const userId of accepting) {
    const client = callees[userId]!;
    await client.waitFor('call.incoming', (d) => d.call.callId === callId);
    await client.request('call.accept', { callId });
  }
}

describe('a group call', () => {
  it('keeps a state per callee, and goes on when one accepts and another refuses', async () => {
    const { alice, bob, carol } = await signInAll();
    const { call } = await alice.request('call.invite', {
      callId: 'group-0001',
      callees: ['bob', 'carol'],
      media: 'video',
    });
    expect(call.legs.map((l) => [l.userId, l.state])).toEqual([
      ['bob', 'inviting'],
      ['carol', 'inviting'],
    ]);
    await bob.waitFor('call.incoming');
    await carol.waitFor('call.incoming');

    await bob.request('call.ack', { callId: 'group-0001' });
    const bobRinging = await alice.waitFor(
      'call.updated',
      (d) => leg(d.call, 'bob')?.state === 'ringing',
    );
    expect(leg(bobRinging.call, 'carol')?.state).toBe('inviting');

    await bob.request('call.accept', { callId: 'group-0001' });
    const active = await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(leg(active.call, 'carol')?.state).toBe('inviting');

    const refused = await carol.request('call.refuse', { callId: 'group-0001' });
    expect(refused.call.state).toBe('active');
    const after = await bob.waitFor(
      'call.updated',
      (d) => leg(d.call, 'carol')?.state === 'refused',
    );
    expect(after.call.state).toBe('active');
    expect(leg(after.call, 'bob')?.state).toBe('accepted');
    await settled(alice, bob);
    expect(alice.received('call.ended')).toEqual([]);

    // Having refused, Carol is not in the call and cannot invite into it.
    await rejection(
      carol.request('call.add', { callId: 'group-0001', callees: ['dave'] }),
      'forbidden',
    );
  });

  it('lets a participant invite more users into the call, who follow the same lifecycle', async () => {
    const { alice, bob, carol, dave } = await signInAll();
    await groupCall('group-0002', alice, { bob, carol }, ['bob', 'carol']);

    const added = await bob.request('call.add', { callId: 'group-0002', callees: ['dave'] });
    expect(leg(added.call, 'dave')).toMatchObject({ state: 'inviting', invitedBy: 'bob' });
    const incoming = await dave.waitFor('call.incoming');
    expect(incoming.call.callId).toBe('group-0002');
    expect(incoming.call.state).toBe('active');

    await dave.request('call.ack', { callId: 'group-0002' });
    await carol.waitFor('call.updated', (d) => leg(d.call, 'dave')?.state === 'ringing');
    await dave.request('call.accept', { callId: 'group-0002' });
    const joined = await alice.waitFor(
      'call.updated',
      (d) => leg(d.call, 'dave')?.state === 'accepted',
    );
    expect(joined.call.legs.every((l) => l.state === 'accepted')).toBe(true);

    await rejection(
      carol.request('call.add', { callId: 'no-such-call', callees: ['dave'] }),
      'not-found',
    );
  });

  it('is controlled by the moderator: mute, remove, and end for everyone', async () => {
    const { alice, bob, carol, dave } = await signInAll();
    await groupCall('group-0003', alice, { bob, carol, dave }, ['bob', 'carol', 'dave']);
    await alice.waitFor('call.updated', (d) => d.call.legs.every((l) => l.state === 'accepted'));

    const muted = await alice.request('call.control', {
      callId: 'group-0003',
      action: 'mute',
      target: 'bob',
      kind: 'audio',
    });
    expect(leg(muted.call, 'bob')?.muted).toEqual({ audio: true, video: false });
    expect(await bob.waitFor('call.controlled')).toEqual({
      callId: 'group-0003',
      action: 'mute',
      kind: 'audio',
      by: 'alice',
    });
    const seen = await carol.waitFor(
      'call.updated',
      (d) => leg(d.call, 'bob')?.muted.audio === true,
    );
    expect(seen.call.moderatorId).toBe('alice');

    const denied = await rejection(
      bob.request('call.control', {
        callId: 'group-0003',
        action: 'mute',
        target: 'carol',
        kind: 'video',
      }),
      'forbidden',
    );
    expect(denied.message).toMatch(/moderator/);
    await rejection(
      bob.request('call.control', { callId: 'group-0003', action: 'end' }),
      'forbidden',
    );

    const removed = await alice.request('call.control', {
      callId: 'group-0003',
      action: 'remove',
      target: 'dave',
    });
    expect(leg(removed.call, 'dave')?.leftAt).toBeTypeOf('number');
    expect(await dave.waitFor('call.controlled')).toEqual({
      callId: 'group-0003',
      action: 'remove',
      by: 'alice',
    });
    expect(await dave.request('call.list', {})).toEqual({ calls: [] });
    await carol.waitFor('call.updated', (d) => leg(d.call, 'dave')?.leftAt !== undefined);

    const ended = await alice.request('call.control', { callId: 'group-0003', action: 'end' });
    expect(ended.call).toMatchObject({ state: 'ended', endReason: 'ended-by-moderator' });
    for (const participant of [alice, bob, carol]) {
      expect((await participant.waitFor('call.ended')).reason).toBe('ended-by-moderator');
    }
    // Dave was already out of the call: its later end is not his news.
    await settled(dave);
    expect(dave.received('call.ended')).toEqual([]);

    const { records } = await carol.request('history.list', {});
    expect(records[0]?.endReason).toBe('ended-by-moderator');
    expect(records[0]?.participants.find((p) => p.userId === 'dave')?.outcome).toBe('removed');
  });

  it('passes moderation on when the moderator leaves, and ends when fewer than two remain', async () => {
    const { alice, bob, carol, dave } = await signInAll();
    await groupCall('group-0004', alice, { bob, carol, dave }, ['bob', 'carol', 'dave']);
    await alice.waitFor('call.updated', (d) => d.call.legs.every((l) => l.state === 'accepted'));

    const afterAlice = await alice.request('call.hangup', { callId: 'group-0004' });
    expect(afterAlice.call).toMatchObject({ state: 'active', moderatorId: 'bob' });
    await bob.request('call.control', {
      callId: 'group-0004',
      action: 'mute',
      target: 'carol',
      kind: 'video',
    });
    expect(await carol.waitFor('call.controlled')).toMatchObject({ action: 'mute', by: 'bob' });

    await dave.request('call.hangup', { callId: 'group-0004' });
    await carol.waitFor('call.updated', (d) => leg(d.call, 'dave')?.leftAt !== undefined);
    await settled(bob, carol);
    expect(bob.received('call.ended')).toEqual([]);

    // Two remain; when one of them leaves, the call is over for the other.
    await carol.request('call.hangup', { callId: 'group-0004' });
    const ended = await bob.waitFor('call.ended');
    expect(ended.reason).toBe('completed');
    expect((await carol.waitFor('call.ended')).reason).toBe('completed');
    // Those who left earlier already know they are out of it.
    await settled(alice, dave);
    expect(alice.received('call.ended')).toEqual([]);
    expect(dave.received('call.ended')).toEqual([]);
  });
});
