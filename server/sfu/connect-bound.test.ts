import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../protocol/index.js';
import { type SfuFixture, startSfuFixture } from './testing/sfu-fixture.js';

const BOUND_MS = 300;

function activeCall(callId: string): CallInfo {
  const now = Date.now();
  return {
    callId,
    callerId: 'alice',
    callerDevice: 'dev-1',
    moderatorId: 'alice',
    media: 'audio',
    state: 'active',
    createdAt: now,
    callerMuted: { audio: false, video: false },
    legs: [
      {
        userId: 'bob',
        state: 'accepted',
        invitedBy: 'alice',
        invitedAt: now,
        expiresAt: now + 60_000,
        answeredAt: now,
        answeredDevice: 'dev-2',
        muted: { audio: false, video: false },
      },
    ],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the connect bound', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture({ connectTimeoutMs: BOUND_MS });
  });
  afterAll(async () => {
    await f.close();
  });

  it('reports media-failed when nobody connects in time', async () => {
    f.admit('call-bound-1', 'alice', 'bob');
    f.sfu.callActive(activeCall('call-bound-1'));
    await sleep(BOUND_MS + 200);
    expect(f.mediaFailed).toEqual(['call-bound-1']);
  });

  it('reports media-failed when peers joined but their transports never connected', async () => {
    f.admit('call-bound-2', 'alice', 'bob');
    f.sfu.callActive(activeCall('call-bound-2'));
    const alice = await f.join('call-bound-2', 'alice');
    const bob = await f.join('call-bound-2', 'bob');
    await alice.request('transport.create', { direction: 'send' });
    await bob.request('transport.create', { direction: 'recv' });
    await sleep(BOUND_MS + 200);
    expect(f.mediaFailed).toContain('call-bound-2');
    f.sfu.callEnded('call-bound-2');
  });

  it('is satisfied once two participants connected their media', async () => {
    f.admit('call-bound-4', 'alice', 'bob');
    f.sfu.callActive(activeCall('call-bound-4'));
    const alice = await f.join('call-bound-4', 'alice');
    const bob = await f.join('call-bound-4', 'bob');
    const sendA = await alice.request('transport.create', { direction: 'send' });
    const recvB = await bob.request('transport.create', { direction: 'recv' });
    // No browser here to finish DTLS: play the worker's notification that it did.
    const room = f.sfu.roomOf('call-bound-4');
    room?.peer('alice')?.transports.get(sendA.id)?.webRtc?.emit('dtlsstatechange', 'connected');
    room?.peer('bob')?.transports.get(recvB.id)?.webRtc?.emit('dtlsstatechange', 'connected');
    await sleep(BOUND_MS + 200);
    expect(f.mediaFailed).not.toContain('call-bound-4');
    f.sfu.callEnded('call-bound-4');
  });

  it('does not count a connected user who is no longer a participant', async () => {
    f.admit('call-bound-5', 'alice', 'bob', 'carol');
    f.sfu.callActive(activeCall('call-bound-5'));
    const joinWithSend = async (userId: string) => {
      const client = await f.join('call-bound-5', userId);
      const t = await client.request('transport.create', { direction: 'send' });
      return { client, t };
    };
    const alice = await joinWithSend('alice');
    const bob = await joinWithSend('bob');
    const peers = f.sfu.roomOf('call-bound-5');
    peers?.peer('alice')?.transports.get(alice.t.id)?.webRtc?.emit('dtlsstatechange', 'connected');
    f.dismiss('call-bound-5', 'bob');
    f.sfu.participantLeft('call-bound-5', 'bob', 'left');
    await bob.client.closed;
    await sleep(BOUND_MS + 200);
    expect(f.mediaFailed).toContain('call-bound-5');
    f.sfu.callEnded('call-bound-5');
  });

  it('is disarmed when the call ends first', async () => {
    f.admit('call-bound-3', 'alice', 'bob');
    f.sfu.callActive(activeCall('call-bound-3'));
    await sleep(BOUND_MS / 3);
    f.sfu.callEnded('call-bound-3');
    await sleep(BOUND_MS);
    expect(f.mediaFailed).not.toContain('call-bound-3');
  });
});
