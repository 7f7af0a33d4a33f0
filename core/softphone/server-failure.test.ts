import { afterEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { CrashableServer } from '../../server/testing/crashable-server.js';
import { closePhones, testPhone } from './testing/softphone-fixture.js';

/**
 * A call that ended while this device was away is ended with the reason its record gives: after
 * a kill -9 of the server the user reads "the server failed", not a bare failure.
 */
let server: CrashableServer;
afterEach(async () => {
  await closePhones();
  await server.dispose();
});

const callIn = (s: SoftphoneSnapshot, callId: string) => s.calls.find((c) => c.callId === callId);

async function signedIn(userId: string) {
  const phone = testPhone({ deviceId: `${userId}-desk` });
  await phone.sp.signIn({ serverUrl: server.httpUrl, userId, password: `password-${userId}` });
  await phone.until((s) => s.connection === 'connected');
  return phone;
}

describe('Softphone: the server dies mid-call', () => {
  it('ends the call server-failure once it is back, for both sides', async () => {
    server = await CrashableServer.create({ media: { enabled: false } });
    await server.start();
    for (const userId of ['alice', 'bob']) {
      const res = await server.admin('POST', '/admin/users', {
        userId,
        displayName: userId,
        password: `password-${userId}`,
      });
      expect(res.status).toBe(201);
    }
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await bob.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'active');

    await server.kill();
    await alice.until((s) => s.connection !== 'connected');
    await server.start();
    for (const phone of [alice, bob]) {
      const ended = await phone.until((s) => callIn(s, callId)?.state === 'ended');
      expect(callIn(ended, callId)?.endReason).toBe('server-failure');
    }
  });
});
