import { afterEach, describe, expect, it } from 'vitest';
import type { CallInfo } from '../../../protocol/index.js';
import { answeredCall } from '../support.js';
import { SfuNodesScenario } from './support/sfu-nodes-scenario.js';

/**
 * What an SFU node tells signaling (`tp:sfu:events`), as the in-process SFU tells the call
 * engine: media that never connected ends the call (the connect bound, kept at the node), media
 * that went away opens the participant's rejoin window, media back closes it.
 */
let c: SfuNodesScenario | undefined;
afterEach(async () => {
  await c?.dispose();
  c = undefined;
});

const leg = (call: CallInfo, userId: string) => call.legs.find((l) => l.userId === userId);

describe('media reports from an SFU node', () => {
  it('ends a call whose media did not connect within the bound (media-failed)', async () => {
    c = await SfuNodesScenario.start(['sfu-a'], ['alice', 'bob'], {
      calls: { connectTimeoutMs: 1_000 },
    });
    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    const answeredAt = Date.now();
    await answeredCall(alice, bob, 'bob', 'reports-0001');
    await c.connectMedia(alice, 'reports-0001', 'alice');
    const ended = await bob.waitFor('call.ended', () => true, 6_000);
    expect(ended.reason).toBe('media-failed');
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(1_000);
  });

  it('opens the rejoin window when a participant’s media closes, and closes it when it is back', async () => {
    c = await SfuNodesScenario.start(['sfu-a'], ['alice', 'bob'], {
      calls: { rejoinWindowMs: 5_000 },
    });
    const alice = await c.s.signIn('alice', 'alice-laptop');
    const bob = await c.s.signIn('bob', 'bob-laptop');
    await answeredCall(alice, bob, 'bob', 'reports-0002');
    await c.connectMedia(alice, 'reports-0002', 'alice');
    const bobMedia = await c.connectMedia(bob, 'reports-0002', 'bob');

    await bobMedia.close();
    await alice.waitFor('call.updated', (d) => leg(d.call, 'bob')?.connection === 'reconnecting');
    await c.connectMedia(bob, 'reports-0002', 'bob');
    const back = await alice.waitFor(
      'call.updated',
      (d) => d.call.state === 'active' && leg(d.call, 'bob')?.connection === undefined,
    );
    expect(back.call.state).toBe('active');
  });
});
