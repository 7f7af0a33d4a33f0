import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callRecordSchema } from '../../protocol/index.js';
import { Scenario } from './support.js';

const RING_MS = 30_000;

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({ calls: { defaultRingTimeoutMs: RING_MS } }, ['alice', 'bob']);
});
afterEach(async () => {
  await s.dispose();
});

describe('a server restart', () => {
  it('keeps a ringing invitation: the caller resyncs it and the callee rings again with the time left', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    const { call } = await alice.request('call.invite', {
      callId: 'restart-ring',
      callees: ['bob'],
      media: 'audio',
    });
    await bob.waitFor('call.incoming');
    await bob.request('call.ack', { callId: 'restart-ring' });
    await alice.waitFor('call.updated', (d) => d.call.legs[0]?.state === 'ringing');
    const restartedAt = Date.now();

    // The new server listens on another port: clients reconnect to `s.t.server.signalingUrl`.
    await s.t.restart();
    expect(await alice.waitFor('session.closing')).toEqual({ reason: 'server-shutdown' });
    await alice.closed;
    await bob.closed;

    const back = await s.signInWithHello('alice', 'alice-laptop');
    expect(back.hello.calls).toHaveLength(1);
    expect(back.hello.calls[0]).toMatchObject({
      callId: 'restart-ring',
      state: 'ringing',
      createdAt: call.createdAt,
    });
    expect(back.hello.calls[0]?.legs[0]).toMatchObject({ userId: 'bob', state: 'ringing' });

    const bobAgain = await s.signIn('bob', 'bob-laptop');
    const incoming = await bobAgain.waitFor('call.incoming');
    expect(incoming.call.callId).toBe('restart-ring');
    const expiresAt = call.legs[0]!.expiresAt;
    expect(incoming.remainingMs).toBeGreaterThanOrEqual(expiresAt - Date.now());
    expect(incoming.remainingMs).toBeLessThanOrEqual(expiresAt - restartedAt);

    const accepted = await bobAgain.request('call.accept', { callId: 'restart-ring' });
    expect(accepted.call.state).toBe('active');
    const active = await back.client.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(active.call.legs[0]?.answeredDevice).toBe('bob-laptop');
  });

  it('keeps the ring timeout of a restored invitation running to its original expiry', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const { call } = await alice.request('call.invite', {
      callId: 'restart-exp',
      callees: ['bob'],
      media: 'audio',
      ringTimeoutMs: 2_000,
    });
    expect(call.legs[0]?.state).toBe('pushed');
    await s.t.restart();

    const back = await s.signIn('alice', 'alice-laptop');
    const ended = await back.waitFor('call.ended');
    expect(ended.reason).toBe('unreachable');
    expect(ended.call.endedAt).toBeGreaterThanOrEqual(call.legs[0]!.expiresAt);
  });

  it('ends an active call with server-shutdown and writes its record', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await alice.request('call.invite', { callId: 'restart-act', callees: ['bob'], media: 'video' });
    await bob.waitFor('call.incoming');
    await bob.request('call.accept', { callId: 'restart-act' });
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');

    await s.t.restart();
    for (const client of [alice, bob]) {
      const ended = await client.waitFor('call.ended');
      expect(ended.reason).toBe('server-shutdown');
      expect(await client.waitFor('session.closing')).toEqual({ reason: 'server-shutdown' });
    }

    const back = await s.signInWithHello('alice', 'alice-laptop');
    expect(back.hello.calls).toEqual([]);
    const stored = await s.http('GET', '/admin/records/restart-act');
    expect(stored.status).toBe(200);
    const record = callRecordSchema.parse(stored.json);
    expect(record).toMatchObject({ callId: 'restart-act', endReason: 'server-shutdown' });
    expect(record.answeredAt).toBeTypeOf('number');
    expect(record.participants.find((p) => p.userId === 'bob')?.outcome).toBe('answered');
    const { records } = await back.client.request('history.list', {});
    expect(records.map((r) => r.callId)).toEqual(['restart-act']);
  });

  it('ends a restored invitation whose caller does not come back within the rejoin window', async () => {
    await s.dispose();
    s = await Scenario.start({ calls: { defaultRingTimeoutMs: RING_MS, rejoinWindowMs: 1_500 } }, [
      'alice',
      'bob',
    ]);
    const alice = await s.signIn('alice', 'alice-laptop');
    const bob = await s.signIn('bob', 'bob-laptop');
    await alice.request('call.invite', {
      callId: 'restart-gone',
      callees: ['bob'],
      media: 'audio',
    });
    await bob.waitFor('call.incoming');
    await s.t.restart();
    await bob.closed;

    // Only the callee signs in again: they ring, and hear that the caller's connection dropped.
    const bobAgain = await s.signIn('bob', 'bob-laptop');
    const incoming = await bobAgain.waitFor('call.incoming');
    expect(incoming.call.callerConnection).toBe('reconnecting');
    const ended = await bobAgain.waitFor('call.ringEnded', undefined, 5_000);
    expect(ended).toMatchObject({ callId: 'restart-gone' });
    const stored = await s.http('GET', '/admin/records/restart-gone');
    expect(callRecordSchema.parse(stored.json).endReason).toBe('connection-lost');
  });
});
