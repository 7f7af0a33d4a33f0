import { afterEach, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.js';
import { Scenario } from './support.js';

/**
 * Ordering on one connection (docs/protocol.md, "Ordering"): the events a request causes on the
 * requesting device itself are written before that request's response, except the
 * `call.updated` that would repeat the snapshot the response carries (invite, accept): the
 * requesting device gets that snapshot once, in the response.
 */

/** `event:<type>` and `response:<id>` in the order the frames reached this client. */
function frameLog(client: TestClient): string[] {
  const log: string[] = [];
  client.socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as { id?: unknown; type?: string };
    log.push(frame.type === undefined ? `response:${String(frame.id)}` : `event:${frame.type}`);
  });
  return log;
}

let s: Scenario;
afterEach(async () => {
  s.expectOnlyValidFrames();
  await s.dispose();
});

describe('order of a request’s own events and its response', () => {
  it('answers invite and accept with the snapshot alone, and puts the caller’s call.ended before the hangup answer', async () => {
    s = await Scenario.start({}, ['alice', 'bob']);
    const alice = await s.signIn('alice', 'alice-desk');
    const bob = await s.signIn('bob', 'bob-desk');
    const aliceLog = frameLog(alice);
    const bobLog = frameLog(bob);

    // Request ids count from 1 (hello) on each client.
    const invited = await alice.request('call.invite', {
      callId: 'order-0001',
      callees: ['bob'],
      media: 'audio',
    });
    expect(aliceLog).toEqual(['response:2']);
    expect(invited.call.legs[0]?.state).toBe('inviting');
    await bob.waitFor('call.incoming');
    await bob.request('call.ack', { callId: 'order-0001' });
    await alice.waitFor('call.updated', (d) => d.call.legs[0]?.state === 'ringing');
    const accepted = await bob.request('call.accept', { callId: 'order-0001' });
    expect(accepted.call.state).toBe('active');
    expect(bobLog).toEqual(['event:call.incoming', 'response:2', 'response:3']);
    aliceLog.length = 0;
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    await alice.request('call.hangup', { callId: 'order-0001' });
    expect(aliceLog.slice(-2)).toEqual(['event:call.ended', 'response:3']);
    await bob.waitFor('call.ended');
  });

  it('still tells the accepting user’s other devices of the answer', async () => {
    s = await Scenario.start({}, ['alice', 'bob']);
    const alice = await s.signIn('alice', 'alice-desk');
    const bobDesk = await s.signIn('bob', 'bob-desk');
    const bobPhone = await s.signIn('bob', 'bob-phone');
    const deskLog = frameLog(bobDesk);
    await alice.request('call.invite', { callId: 'order-0002', callees: ['bob'], media: 'audio' });
    await bobDesk.waitFor('call.incoming');
    await bobPhone.waitFor('call.incoming');
    await bobDesk.request('call.accept', { callId: 'order-0002' });
    // The phone hears that the call is active on the desk; the desk had it in its answer.
    const onPhone = await bobPhone.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(onPhone.call.legs[0]?.answeredDevice).toBe('bob-desk');
    expect(deskLog.filter((f) => f === 'event:call.updated')).toEqual([]);
  });
});
