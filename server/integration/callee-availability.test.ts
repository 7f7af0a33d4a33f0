import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, settled } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({ calls: { defaultRingTimeoutMs: 10_000 } }, ['alice', 'bob', 'carol']);
});
afterEach(async () => {
  await s.dispose();
});

/** Bob in an active call with Carol. */
async function bobTalkingToCarol(bob: TestClient): Promise<TestClient> {
  const carol = await s.signIn('carol', 'carol-laptop');
  await carol.request('call.invite', { callId: 'busy-first', callees: ['bob'], media: 'audio' });
  await bob.waitFor('call.incoming', (d) => d.call.callId === 'busy-first');
  await bob.request('call.accept', { callId: 'busy-first' });
  await carol.waitFor('call.updated', (d) => d.call.state === 'active');
  return carol;
}

const outcomeOf = async (client: TestClient, callId: string, userId: string) => {
  const { records } = await client.request('history.list', {});
  const record = records.find((r) => r.callId === callId);
  return record?.participants.find((p) => p.userId === userId)?.outcome;
};

describe('a callee already in a call', () => {
  it('refuses a new invitation as busy by default, without ringing', async () => {
    const bob = await s.signIn('bob', 'bob-laptop');
    await bobTalkingToCarol(bob);
    const alice = await s.signIn('alice', 'alice-laptop');

    const { call } = await alice.request('call.invite', {
      callId: 'busy-second',
      callees: ['bob'],
      media: 'audio',
    });
    expect(call.legs[0]).toMatchObject({ state: 'refused', reason: 'busy' });
    expect(call).toMatchObject({ state: 'ended', endReason: 'refused' });
    expect((await alice.waitFor('call.ended')).reason).toBe('refused');

    await settled(bob);
    expect(bob.received('call.incoming')).toEqual([]);
    expect(await outcomeOf(bob, 'busy-second', 'bob')).toBe('busy');
  });

  it('rings with a busy hint when call waiting is on', async () => {
    const bob = await s.signIn('bob', 'bob-laptop');
    expect(await bob.request('settings.update', { callWaiting: true })).toEqual({
      settings: { callWaiting: true },
    });
    await bobTalkingToCarol(bob);
    const alice = await s.signIn('alice', 'alice-laptop');

    const { call } = await alice.request('call.invite', {
      callId: 'waiting-01',
      callees: ['bob'],
      media: 'audio',
    });
    expect(call.legs[0]?.state).toBe('inviting');
    const incoming = await bob.waitFor('call.incoming', (d) => d.call.callId === 'waiting-01');
    expect(incoming.busy).toBe(true);

    // The setting is the account's: a new session reads it back.
    const { hello } = await s.signInWithHello('bob', 'bob-phone');
    expect(hello.settings).toEqual({ callWaiting: true });
  });

  it('rings without a busy hint when the callee is free', async () => {
    const bob = await s.signIn('bob', 'bob-laptop');
    const alice = await s.signIn('alice', 'alice-laptop');
    await alice.request('call.invite', { callId: 'free-00001', callees: ['bob'], media: 'audio' });
    expect((await bob.waitFor('call.incoming')).busy).toBe(false);
  });
});

describe('a callee in do-not-disturb', () => {
  it('refuses as dnd on every device without ringing, and keeps the call in history', async () => {
    const desk = await s.signIn('bob', 'bob-desk');
    const phone = await s.signIn('bob', 'bob-phone');
    await desk.request('presence.setStatus', { status: 'dnd' });
    const alice = await s.signIn('alice', 'alice-laptop');

    const { call } = await alice.request('call.invite', {
      callId: 'dnd-000001',
      callees: ['bob'],
      media: 'video',
    });
    expect(call.legs[0]).toMatchObject({ state: 'refused', reason: 'dnd' });
    const ended = await alice.waitFor('call.ended');
    expect(ended.reason).toBe('refused');

    await settled(desk, phone);
    expect(desk.received('call.incoming')).toEqual([]);
    expect(phone.received('call.incoming')).toEqual([]);
    expect(await outcomeOf(phone, 'dnd-000001', 'bob')).toBe('dnd');
  });

  it('rings again once the status is back to available', async () => {
    const bob = await s.signIn('bob', 'bob-laptop');
    await bob.request('presence.setStatus', { status: 'dnd' });
    await bob.request('presence.setStatus', { status: 'available' });
    const alice = await s.signIn('alice', 'alice-laptop');
    await alice.request('call.invite', { callId: 'dnd-000002', callees: ['bob'], media: 'audio' });
    expect((await bob.waitFor('call.incoming')).call.callId).toBe('dnd-000002');
  });
});

describe('a callee who blocked the caller', () => {
  it('refuses as a plain decline without ringing; only the callee sees it was a block', async () => {
    const bob = await s.signIn('bob', 'bob-laptop');
    await bob.request('block.add', { userId: 'alice' });
    expect(await bob.request('block.list', {})).toEqual({ userIds: ['alice'] });
    const alice = await s.signIn('alice', 'alice-laptop');

    const { call } = await alice.request('call.invite', {
      callId: 'block-0001',
      callees: ['bob'],
      media: 'audio',
    });
    expect(call.legs[0]).toMatchObject({ state: 'refused', reason: 'declined' });
    const ended = await alice.waitFor('call.ended');
    expect(ended.call.legs[0]).toMatchObject({ state: 'refused', reason: 'declined' });

    await settled(bob);
    expect(bob.received('call.incoming')).toEqual([]);
    expect(await outcomeOf(alice, 'block-0001', 'bob')).toBe('refused');
    expect(await outcomeOf(bob, 'block-0001', 'bob')).toBe('blocked');
  });

  it('rings again once the block is removed', async () => {
    const bob = await s.signIn('bob', 'bob-laptop');
    await bob.request('block.add', { userId: 'alice' });
    await bob.request('block.remove', { userId: 'alice' });
    expect(await bob.request('block.list', {})).toEqual({ userIds: [] });
    const alice = await s.signIn('alice', 'alice-laptop');
    await alice.request('call.invite', { callId: 'block-0002', callees: ['bob'], media: 'audio' });
    expect((await bob.waitFor('call.incoming')).call.callId).toBe('block-0002');
  });
});
