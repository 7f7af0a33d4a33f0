import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../testing/test-server.js';
import { rejection } from './support.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  await t.addUser('alice', 'Alice');
  await t.addUser('bob', 'Bob');
});
afterEach(async () => {
  await t.dispose();
});

describe('call snapshots encoded once', () => {
  it('answers and events carry the same text of the call, as encodeEvent would give it', async () => {
    const alice = await t.connect('alice');
    const bob = await t.connect('bob');
    const texts: string[] = [];
    for (const client of [alice, bob]) {
      client.socket.on('message', (data: Buffer) => {
        texts.push(data.toString('utf8'));
      });
    }
    const { call } = await alice.request('call.invite', {
      callId: 'call-0001',
      callees: ['bob'],
      media: 'audio',
    });
    const incoming = await bob.waitFor('call.incoming');
    expect(incoming.call).toEqual(call);
    const accepted = await bob.request('call.accept', { callId: 'call-0001' });
    const seen = await alice.waitFor('call.updated', (d) => d.call.state === 'active');
    expect(seen.call).toEqual(accepted.call);
    await alice.request('call.hangup', { callId: 'call-0001' });
    await bob.waitFor('call.ended');
    for (const text of texts) {
      // Re-encoding what was parsed gives the very text sent: same members, same order.
      expect(JSON.stringify(JSON.parse(text))).toBe(text);
    }
    expect(alice.invalidFrames).toEqual([]);
    expect(bob.invalidFrames).toEqual([]);
  });

  it('the test server checks every reused snapshot: a change nobody published fails loudly', async () => {
    const alice = await t.connect('alice');
    await t.connect('bob');
    await alice.request('call.invite', { callId: 'call-0002', callees: ['bob'], media: 'audio' });
    // Behind the engine's back: no engine operation ever changes a call without publishing it.
    const live = t.server.services.calls.get('call-0002');
    if (!live) throw new Error('the call is not live');
    live.payload = 'changed behind the engine';
    const retry = alice.request('call.invite', {
      callId: 'call-0002',
      callees: ['bob'],
      media: 'audio',
    });
    expect((await rejection(retry, 'internal')).message).toBe('internal error');
  });
});
