import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, eventually, settled } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({ calls: { defaultRingTimeoutMs: 10_000 } }, ['alice', 'bob']);
});
afterEach(async () => {
  await s.dispose();
});

/** Bob on three devices; Alice calls him and every device has the invitation. */
async function bobRingingEverywhere(callId: string) {
  const alice = await s.signIn('alice', 'alice-laptop');
  const devices = await Promise.all(
    ['bob-desk', 'bob-laptop', 'bob-phone'].map((id) => s.signIn('bob', id)),
  );
  await alice.request('call.invite', { callId, callees: ['bob'], media: 'video' });
  const incoming = await Promise.all(devices.map((d) => d.waitFor('call.incoming')));
  for (const i of incoming) expect(i.call.callId).toBe(callId);
  return { alice, devices: devices as [TestClient, TestClient, TestClient] };
}

describe('a callee signed in on several devices', () => {
  it('rings on every device; one accepts and the others stop at once as answered-elsewhere', async () => {
    const { alice, devices } = await bobRingingEverywhere('multi-0001');
    const [desk, laptop, phone] = devices;
    await Promise.all(devices.map((d) => d.request('call.ack', { callId: 'multi-0001' })));

    const accepted = await laptop.request('call.accept', { callId: 'multi-0001' });
    expect(accepted.call.legs[0]?.answeredDevice).toBe('bob-laptop');

    // The stops were sent before the acceptance was answered: they are already there.
    await settled(desk, phone, laptop);
    for (const other of [desk, phone]) {
      expect(other.received('call.ringEnded')).toEqual([
        { callId: 'multi-0001', reason: 'answered-elsewhere' },
      ]);
    }
    expect(laptop.received('call.ringEnded')).toEqual([]);

    const active = await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(active.call.legs[0]).toMatchObject({ state: 'accepted', answeredDevice: 'bob-laptop' });
    // Only the answering device takes part in the call from now on; Bob's other devices hear of
    // it (they show it as in a call on another device) and of its end.
    await expect(desk.request('media.ticket', { callId: 'multi-0001' })).rejects.toThrow();
    await alice.request('call.hangup', { callId: 'multi-0001' });
    await laptop.waitFor('call.ended');
    for (const other of [desk, phone]) {
      const ended = await other.waitFor('call.ended');
      expect(ended.call.legs[0]).toMatchObject({ answeredDevice: 'bob-laptop' });
    }
  });

  it('stops ringing on the other devices as refused-elsewhere when one refuses', async () => {
    const { alice, devices } = await bobRingingEverywhere('multi-0002');
    const [desk, laptop, phone] = devices;

    await phone.request('call.refuse', { callId: 'multi-0002' });

    await settled(desk, laptop, phone);
    for (const other of [desk, laptop]) {
      expect(other.received('call.ringEnded')).toEqual([
        { callId: 'multi-0002', reason: 'refused-elsewhere' },
      ]);
    }
    expect(phone.received('call.ringEnded')).toEqual([]);
    const ended = await alice.waitFor('call.ended');
    expect(ended.call.legs[0]).toMatchObject({ state: 'refused', reason: 'declined' });
  });

  it('rings on a device that signs in while the invitation is pending, with the time left', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    const desk = await s.signIn('bob', 'bob-desk');
    const { call } = await alice.request('call.invite', {
      callId: 'multi-0004',
      callees: ['bob'],
      media: 'audio',
    });
    await desk.waitFor('call.incoming');
    const joinedAt = Date.now();

    const phone = await s.signIn('bob', 'bob-phone');
    const incoming = await phone.waitFor('call.incoming');
    expect(incoming.call.callId).toBe('multi-0004');
    expect(incoming.remainingMs).toBeLessThanOrEqual(call.legs[0]!.expiresAt - joinedAt);

    // It is one of the ringing devices now: it stops when another answers.
    await desk.request('call.accept', { callId: 'multi-0004' });
    expect(await phone.waitFor('call.ringEnded')).toEqual({
      callId: 'multi-0004',
      reason: 'answered-elsewhere',
    });
  });

  it('stops ringing on every device when the caller cancels', async () => {
    const { alice, devices } = await bobRingingEverywhere('multi-0003');
    await alice.request('call.cancel', { callId: 'multi-0003' });
    await settled(...devices);
    for (const device of devices) {
      expect(device.received('call.ringEnded')).toEqual([
        { callId: 'multi-0003', reason: 'canceled' },
      ]);
    }
  });
});

describe('signing in again with the same device id', () => {
  it('replaces the old session, which is told why and closed, without the user going offline', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    await alice.request('presence.subscribe', { userIds: ['bob'] });
    const first = await s.signIn('bob', 'bob-laptop');
    expect(await alice.waitFor('presence.changed')).toMatchObject({ userId: 'bob', online: true });

    const second = await s.signIn('bob', 'bob-laptop');

    expect(await first.waitFor('session.closing')).toEqual({ reason: 'replaced' });
    expect(await first.closed).toBe(4000);
    // The server has let go of the old socket (alice and bob's new one remain).
    await eventually(async () => (await s.openConnections()) === 2);

    // The new session is the one that rings.
    await alice.request('call.invite', { callId: 'replace-001', callees: ['bob'], media: 'audio' });
    expect((await second.waitFor('call.incoming')).call.callId).toBe('replace-001');
    expect(s.t.server.services.sessions.sessionsOf('bob')).toHaveLength(1);

    // Bob never went offline in between.
    await settled(alice);
    expect(alice.received('presence.changed')).toEqual([]);
  });

  it('keeps sessions of the same account on different device ids side by side', async () => {
    const one = await s.signIn('bob', 'bob-desk');
    const two = await s.signIn('bob', 'bob-phone');
    await settled(one, two);
    expect(one.received('session.closing')).toEqual([]);
    expect(s.t.server.services.sessions.sessionsOf('bob').map((x) => x.device.id)).toEqual([
      'bob-desk',
      'bob-phone',
    ]);
  });
});
