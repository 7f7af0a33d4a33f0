import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfuTestClient, errorCodeOf } from '../sfu/testing/sfu-test-client.js';
import { Scenario, answeredCall, rejection, settled } from './support.js';

/**
 * "Switch here" (issue 14): one device of a user is in a call at a time. A second device of the
 * user that signed in during the call moves it to itself with `call.moveHere`; the old device is
 * told (its update names the new device) and the SFU follows the leg's device.
 */

let s: Scenario;
beforeAll(async () => {
  s = await Scenario.start({ media: { enabled: true }, sfu: { workers: 1 } }, [
    'alice',
    'bob',
    'carol',
  ]);
});
afterAll(async () => {
  await s.dispose();
});

describe('call.moveHere', () => {
  it('moves the leg to the asking device; the old one is told and its media leaves', async () => {
    const alice = await s.signIn('alice', 'alice-1');
    const desk = await s.signIn('bob', 'bob-desk-1');
    await answeredCall(alice, desk, 'bob', 'switch-0001');
    const old = await desk.request('media.ticket', { callId: 'switch-0001' });
    const deskMedia = await SfuTestClient.join(old.sfuUrl, old.ticket);
    expect(deskMedia.joined.userId).toBe('bob');

    const { client: laptop, hello } = await s.signInWithHello('bob', 'bob-laptop-1');
    const synced = hello.calls.find((c) => c.callId === 'switch-0001');
    expect(synced?.legs[0]).toMatchObject({ state: 'accepted', answeredDevice: 'bob-desk-1' });
    // Before switching, the second device gets no media of the call.
    await rejection(laptop.request('media.ticket', { callId: 'switch-0001' }), 'forbidden');

    const moved = await laptop.request('call.moveHere', { callId: 'switch-0001' });
    expect(moved.call.legs[0]).toMatchObject({ state: 'accepted', answeredDevice: 'bob-laptop-1' });
    expect(moved.call.state).toBe('active');

    const told = await desk.waitFor(
      'call.updated',
      (d) => d.call.legs[0]?.answeredDevice === 'bob-laptop-1',
    );
    expect(told.call.state).toBe('active');
    await alice.waitFor('call.updated', (d) => d.call.legs[0]?.answeredDevice === 'bob-laptop-1');
    // The old device's peer is out of the room.
    expect(s.t.sfu().roomOf('switch-0001')?.peer('bob')).toBeUndefined();

    // The new device gets media; the old one is refused a ticket.
    const fresh = await laptop.request('media.ticket', { callId: 'switch-0001' });
    const laptopMedia = await SfuTestClient.join(fresh.sfuUrl, fresh.ticket);
    expect(laptopMedia.joined.userId).toBe('bob');
    await rejection(desk.request('media.ticket', { callId: 'switch-0001' }), 'forbidden');

    // Idempotent: a repeat from the device now in the call changes nothing and tells nobody.
    const before = desk.received('call.updated').length;
    const again = await laptop.request('call.moveHere', { callId: 'switch-0001' });
    expect(again.call.legs[0]?.answeredDevice).toBe('bob-laptop-1');
    expect(s.t.sfu().roomOf('switch-0001')?.peer('bob')).toBeDefined();
    expect(desk.received('call.updated').length).toBe(before);

    // Hang-up from the new device ends the call for both sides, and the device Bob switched
    // away from hears of it too (it shows the call as elsewhere until then).
    await laptop.request('call.hangup', { callId: 'switch-0001' });
    await alice.waitFor('call.ended');
    await desk.waitFor('call.ended', (d) => d.call.callId === 'switch-0001');
    await deskMedia.client.close();
    await laptopMedia.client.close();
  });

  it('a ticket the old device got before the move admits nobody after it', async () => {
    const alice = await s.signIn('alice', 'alice-2');
    const desk = await s.signIn('bob', 'bob-desk-2');
    await answeredCall(alice, desk, 'bob', 'switch-0002');
    const old = await desk.request('media.ticket', { callId: 'switch-0002' });
    const laptop = await s.signIn('bob', 'bob-laptop-2');
    await laptop.request('call.moveHere', { callId: 'switch-0002' });

    const media = await SfuTestClient.connect(old.sfuUrl);
    expect(await errorCodeOf(media.request('join', { ticket: old.ticket }))).toBe('forbidden');
    await media.close();
    await alice.request('call.hangup', { callId: 'switch-0002' });
  });

  it('is refused to another user and to someone not in the call', async () => {
    const alice = await s.signIn('alice', 'alice-3');
    const desk = await s.signIn('bob', 'bob-desk-3');
    await answeredCall(alice, desk, 'bob', 'switch-0003');
    const carol = await s.signIn('carol', 'carol-3');
    await rejection(carol.request('call.moveHere', { callId: 'switch-0003' }), 'not-found');
    // Alice is in the call as its caller on her own device: she cannot take Bob's place.
    const again = await alice.request('call.moveHere', { callId: 'switch-0003' });
    expect(again.call.callerDevice).toBe('alice-3');
    expect(again.call.legs[0]?.answeredDevice).toBe('bob-desk-3');
    await rejection(carol.request('call.moveHere', { callId: 'nope-0003' }), 'not-found');
    await alice.request('call.hangup', { callId: 'switch-0003' });
    const ended = await desk.waitFor('call.ended');
    const late = s.signIn('bob', 'bob-laptop-3');
    await rejection(
      (await late).request('call.moveHere', { callId: ended.call.callId }),
      'invalid-state',
    );
  });

  it('the caller switches too', async () => {
    const alice = await s.signIn('alice', 'alice-4');
    const bob = await s.signIn('bob', 'bob-4');
    await answeredCall(alice, bob, 'bob', 'switch-0004');
    const alicePhone = await s.signIn('alice', 'alice-phone-4');
    const moved = await alicePhone.request('call.moveHere', { callId: 'switch-0004' });
    expect(moved.call.callerDevice).toBe('alice-phone-4');
    await alice.waitFor('call.updated', (d) => d.call.callerDevice === 'alice-phone-4');
    await alicePhone.request('call.hangup', { callId: 'switch-0004' });
    await bob.waitFor('call.ended');
  });

  it('two devices switching at once: the one the server takes second has the call', async () => {
    const alice = await s.signIn('alice', 'alice-5');
    const desk = await s.signIn('bob', 'bob-desk-5');
    await answeredCall(alice, desk, 'bob', 'switch-0005');
    const laptop = await s.signIn('bob', 'bob-laptop-5');
    const phone = await s.signIn('bob', 'bob-phone-5');
    const [first, second] = await Promise.all([
      laptop.request('call.moveHere', { callId: 'switch-0005' }),
      phone.request('call.moveHere', { callId: 'switch-0005' }),
    ]);
    // Two connections: the server takes the requests in the order they arrive, one move after
    // the other; both succeed and the call names the device moved last, which one answer shows.
    const final = s.t.server.services.calls.get('switch-0005')?.legs[0]?.answeredDevice;
    expect(['bob-laptop-5', 'bob-phone-5']).toContain(final);
    expect([first, second].map((r) => r.call.legs[0]?.answeredDevice)).toContain(final);
    const loser = final === 'bob-phone-5' ? laptop : phone;
    const winner = final === 'bob-phone-5' ? phone : laptop;
    await loser.waitFor('call.updated', (d) => d.call.legs[0]?.answeredDevice === final);
    await rejection(loser.request('media.ticket', { callId: 'switch-0005' }), 'forbidden');
    await expect(winner.request('media.ticket', { callId: 'switch-0005' })).resolves.toBeDefined();
    await alice.request('call.hangup', { callId: 'switch-0005' });
    await desk.waitFor('call.ended');
  });

  it('a user who leaves a group call that goes on: their other device is told they are out', async () => {
    const alice = await s.signIn('alice', 'alice-group-1');
    const desk = await s.signIn('bob', 'bob-desk-group');
    const carol = await s.signIn('carol', 'carol-group-1');
    await alice.request('call.invite', {
      callId: 'switch-group1',
      callees: ['bob', 'carol'],
      media: 'audio',
    });
    await desk.waitFor('call.incoming', (d) => d.call.callId === 'switch-group1');
    await carol.waitFor('call.incoming', (d) => d.call.callId === 'switch-group1');
    await desk.request('call.accept', { callId: 'switch-group1' });
    await carol.request('call.accept', { callId: 'switch-group1' });
    // A device of bob's that signs in now shows the call as elsewhere.
    const { client: laptop, hello } = await s.signInWithHello('bob', 'bob-laptop-group');
    expect(hello.calls.some((c) => c.callId === 'switch-group1')).toBe(true);

    const left = await desk.request('call.hangup', { callId: 'switch-group1' });
    expect(left.call.state).toBe('active');
    const told = await laptop.waitFor(
      'call.updated',
      (d) => d.call.callId === 'switch-group1' && findBob(d.call)?.leftAt !== undefined,
    );
    expect(told.call.state).toBe('active');
    // The device that hung up has its answer and no second copy of the same step.
    await settled(desk);
    expect(
      desk.received('call.updated').filter((d) => findBob(d.call)?.leftAt !== undefined),
    ).toEqual([]);
  });
});

function findBob(call: { legs: { userId: string; leftAt?: number }[] }) {
  return call.legs.find((l) => l.userId === 'bob');
}
