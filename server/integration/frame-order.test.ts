import { afterEach, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.js';
import { Scenario } from './support.js';

/**
 * Ordering on one connection (docs/protocol.md, "Ordering"): the events a request causes on the
 * requesting device itself are written before that request's response.
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
  it('puts the requester’s events before the response, for invite, accept and hangup', async () => {
    s = await Scenario.start({}, ['alice', 'bob']);
    const alice = await s.signIn('alice', 'alice-desk');
    const bob = await s.signIn('bob', 'bob-desk');
    const aliceLog = frameLog(alice);
    const bobLog = frameLog(bob);

    // Request ids count from 1 (hello) on each client.
    await alice.request('call.invite', { callId: 'order-0001', callees: ['bob'], media: 'audio' });
    expect(aliceLog).toEqual(['event:call.updated', 'response:2']);
    await bob.waitFor('call.incoming');
    await bob.request('call.ack', { callId: 'order-0001' });
    await alice.waitFor('call.updated', (d) => d.call.legs[0]?.state === 'ringing');
    await bob.request('call.accept', { callId: 'order-0001' });
    expect(bobLog).toEqual([
      'event:call.incoming',
      'response:2',
      'event:call.updated',
      'response:3',
    ]);
    aliceLog.length = 0;
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    await alice.request('call.hangup', { callId: 'order-0001' });
    expect(aliceLog.slice(-2)).toEqual(['event:call.ended', 'response:3']);
    await bob.waitFor('call.ended');
  });
});
