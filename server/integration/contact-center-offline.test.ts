import { afterEach, describe, expect, it } from 'vitest';
import {
  agentOnline,
  callId,
  callQueue,
  makeQueue,
  nextOffer,
  statusOf,
} from '../contact-center/testing.js';
import { Scenario } from './support.js';

/** An agent's status follows its connection: the last device going offline logs it out. */

let s: Scenario;
afterEach(async () => {
  await s.dispose();
});

describe('agent going offline', () => {
  it('logs the agent out, moves its pending offer on at once, and stays out after signing in', async () => {
    s = await Scenario.start({}, ['caller', 'caller2', 'a1', 'a2', 'sup']);
    // A long offer timeout: only the logout can move the offer on within the test's waits.
    await makeQueue(
      s,
      { name: 'q', strategy: 'round-robin', offerTimeoutMs: 60_000 },
      ['a1', 'a2'],
      ['sup'],
    );
    const sup = await s.signIn('sup');
    await sup.request('queue.subscribe', { queues: ['q'] });
    const a1 = await agentOnline(s, 'a1');
    const a1Phone = await s.signIn('a1', 'a1-phone');
    const caller = await s.signIn('caller');
    const id = callId('off');
    await callQueue(caller, 'q', id);
    // Round robin starts with a1; a2 comes online busy with nothing yet.
    const first = await nextOffer(a1);
    expect(first.call.callId).toBe(id);
    const a2 = await agentOnline(s, 'a2');

    // One of two devices closes: still online, still offered.
    await a1Phone.close();
    await new Promise((r) => setTimeout(r, 200));
    expect((await sup.request('queue.stats', { queue: 'q' })).stats.waitingNow).toBe(1);
    expect(a2.received('call.incoming')).toHaveLength(0);

    // The last device closes: logged out (offline), seen by the supervisor; the offer moves on.
    const t0 = Date.now() - 1;
    await a1.close();
    const out = await statusOf(sup, 'a1', 'logged-out', t0, 2_000);
    expect(out.reason).toBe('offline');
    const moved = await nextOffer(a2, 2_000);
    expect(moved.call.callId).toBe(id);
    await a2.request('call.accept', { callId: id });

    // The next queued call goes to the other agent too (a2 is on this one, so it waits).
    const caller2 = await s.signIn('caller2');
    const id2 = callId('off');
    await callQueue(caller2, 'q', id2);
    const snapshot = await sup.waitFor('queue.state', (q) =>
      q.waiting.some((w) => w.callId === id2),
    );
    expect(snapshot.waiting.find((w) => w.callId === id2)?.offeredTo).toEqual([]);

    // Signing in again does not make the agent available: they choose.
    const back = await s.signIn('a1');
    expect((await back.request('agent.get', {})).agent).toMatchObject({
      status: 'logged-out',
      reason: 'offline',
    });
    await new Promise((r) => setTimeout(r, 1_200)); // past the 1 s sweep
    expect(back.received('call.incoming')).toHaveLength(0);
    await back.request('agent.setStatus', { status: 'available' });
    expect((await nextOffer(back)).call.callId).toBe(id2);
  });
});
