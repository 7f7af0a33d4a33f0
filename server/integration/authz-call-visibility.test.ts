import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, RequestData } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario, rejection } from './support.js';

/**
 * A call is visible only to the users who were in it: its caller and the callees invited into
 * it. Anyone else who knows (or guesses) a call id gets what an unknown id gets, `not-found`
 * without a snapshot, whether the call is live or ended.
 */

let s: Scenario;
beforeAll(async () => {
  s = await Scenario.start({}, ['alice', 'bob', 'mallory']);
});
afterAll(async () => {
  await s.dispose();
});

const PAYLOAD = '{"secret":"quarterly figures"}';

/** Every request that names a call, as a stranger would send it. */
async function probe(client: TestClient, callId: string): Promise<ErrorBody[]> {
  const control: RequestData<'call.control'> = { callId, action: 'end' };
  const attempts: Promise<unknown>[] = [
    client.request('call.hangup', { callId }),
    client.request('call.accept', { callId }),
    client.request('call.refuse', { callId }),
    client.request('call.cancel', { callId }),
    client.request('call.control', control),
    client.request('call.add', { callId, callees: ['alice'] }),
    client.request('media.ticket', { callId }),
  ];
  return Promise.all(attempts.map((attempt) => rejection(attempt, 'not-found')));
}

async function answeredCall(alice: TestClient, bob: TestClient, callId: string): Promise<void> {
  await alice.request('call.invite', {
    callId,
    callees: ['bob'],
    media: 'audio',
    payload: PAYLOAD,
  });
  await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
  await bob.request('call.accept', { callId });
}

describe('call visibility', () => {
  it('answers a stranger about an ended call exactly as about an unknown one', async () => {
    const alice = await s.signIn('alice');
    const bob = await s.signIn('bob');
    const mallory = await s.signIn('mallory');
    await answeredCall(alice, bob, 'visible-ended-1');
    await alice.request('call.hangup', { callId: 'visible-ended-1' });
    await bob.waitFor('call.ended');

    const ended = await probe(mallory, 'visible-ended-1');
    const unknown = await probe(mallory, 'visible-never-1');
    expect(ended).toEqual(unknown);
    for (const body of ended) expect(body).not.toHaveProperty('call');

    // Those who were in it still get the final state of the call they were in.
    const again = await bob.request('call.hangup', { callId: 'visible-ended-1' });
    expect(again.call).toMatchObject({ state: 'ended', payload: PAYLOAD });
    const late = await rejection(
      bob.request('call.accept', { callId: 'visible-ended-1' }),
      'invalid-state',
    );
    expect(late.call?.state).toBe('ended');
  });

  it('answers a stranger about a live call exactly as about an unknown one', async () => {
    const alice = await s.signIn('alice', 'dev-live');
    const bob = await s.signIn('bob', 'dev-live');
    const mallory = await s.signIn('mallory', 'dev-live');
    await answeredCall(alice, bob, 'visible-live-1');

    const live = await probe(mallory, 'visible-live-1');
    expect(live).toEqual(await probe(mallory, 'visible-never-2'));
    for (const body of live) expect(body).not.toHaveProperty('call');
    // Nothing the stranger tried changed the call.
    const { calls } = await bob.request('call.list', {});
    expect(calls.find((c) => c.callId === 'visible-live-1')?.state).toBe('active');
    await alice.request('call.hangup', { callId: 'visible-live-1' });
  });
});
