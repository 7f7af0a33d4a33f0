import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opusParameters } from './testing/media-fixtures.js';
import { type SfuFixture, eventually, startSfuFixture } from './testing/sfu-fixture.js';

describe('a mediasoup worker dying', () => {
  let f: SfuFixture;
  beforeAll(async () => {
    f = await startSfuFixture({ workers: 2 });
  });
  afterAll(async () => {
    await f.close();
  });

  /** The pid of the worker that hosts the call's router. */
  async function workerOf(callId: string): Promise<number> {
    const routerId = f.sfu.roomOf(callId)?.router.id;
    for (const worker of f.sfu.workers()) {
      const dump = (await worker.dump()) as { routerIds: string[] };
      if (routerId !== undefined && dump.routerIds.includes(routerId)) return worker.pid;
    }
    throw new Error(`no worker hosts ${callId}`);
  }

  it('is replaced; its rooms tell their peers to rejoin, and rejoining works', async () => {
    f.admit('call-die-a', 'alice', 'bob');
    f.admit('call-die-b', 'carol');
    const alice = await f.join('call-die-a', 'alice');
    const bob = await f.join('call-die-a', 'bob');
    const carol = await f.join('call-die-b', 'carol');
    const send = await alice.request('transport.create', { direction: 'send' });
    await alice.request('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(42),
    });
    await carol.request('transport.create', { direction: 'send' });
    const pidA = await workerOf('call-die-a');
    const pidB = await workerOf('call-die-b');
    // The least-loaded choice put the two calls on different workers.
    expect(pidA).not.toBe(pidB);
    expect(f.sfu.counts()).toMatchObject({ workers: 2, routers: 2, transports: 2, producers: 1 });

    process.kill(pidA, 'SIGKILL');
    await expect(alice.waitFor('room.rejoin')).resolves.toEqual({ reason: 'worker-died' });
    await expect(bob.waitFor('room.rejoin')).resolves.toEqual({ reason: 'worker-died' });
    await eventually(() => f.sfu.counts().workers === 2);
    const pids = f.sfu.workers().map((w) => w.pid);
    expect(pids).not.toContain(pidA);
    expect(pids).toContain(pidB);
    expect(f.sfu.counts()).toMatchObject({ routers: 1, transports: 1, producers: 0 });
    expect(f.sfu.roomOf('call-die-a')).toBeUndefined();
    // The other call did not notice.
    expect(carol.received('room.rejoin')).toEqual([]);

    // Alice joins again on the same socket, Bob on a new one: a new room on a live worker.
    const rejoined = await alice.request('join', {
      ticket: await f.ticket('call-die-a', 'alice'),
    });
    expect(rejoined.peers).toEqual([]);
    const bobAgain = await f.join('call-die-a', 'bob');
    await alice.waitFor('peer.joined', (p) => p.userId === 'bob');
    expect(await workerOf('call-die-a')).not.toBe(pidA);
    const again = await alice.request('transport.create', { direction: 'send' });
    await alice.request('produce', {
      transportId: again.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(43),
    });
    expect(f.sfu.counts()).toMatchObject({ workers: 2, routers: 2, transports: 2, producers: 1 });

    f.sfu.callEnded('call-die-a');
    f.sfu.callEnded('call-die-b');
    await bobAgain.closed;
    expect(f.sfu.counts()).toEqual({
      workers: 2,
      routers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
    });
    expect(bob.invalidFrames).toEqual([]);
  });

  it('waits for a replacement when every worker died', async () => {
    f.admit('call-die-c', 'dave');
    for (const worker of f.sfu.workers()) process.kill(worker.pid, 'SIGKILL');
    const dave = await f.join('call-die-c', 'dave');
    expect(f.sfu.roomOf('call-die-c')).toBeDefined();
    await eventually(() => f.sfu.counts().workers === 2);
    f.sfu.callEnded('call-die-c');
    await dave.closed;
    expect(f.sfu.counts()).toMatchObject({ routers: 0, transports: 0 });
  });
});
