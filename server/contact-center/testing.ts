import type { EventData, QueueConfigInput } from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { Scenario } from '../integration/support.js';

/** Test helpers of seat calling: queues made in-process, agents that sign in and answer. */

let seq = 0;
export const callId = (tag = 'q'): string => `cc-${tag}-${String(++seq).padStart(6, '0')}`;

export async function makeQueue(
  s: Scenario,
  config: QueueConfigInput,
  agents: readonly (string | { userId: string; tier?: number; skill?: number })[] = [],
  supervisors: readonly string[] = [],
): Promise<void> {
  const cc = s.t.server.services.contactCenter;
  await cc.createQueue(config);
  for (const a of agents)
    await cc.setMember(config.name, typeof a === 'string' ? { userId: a } : a);
  for (const userId of supervisors) await cc.setSupervisor(config.name, userId, true);
}

/**
 * The supervision fixture: a real server with media and one SFU worker, users `caller`, `agent`,
 * `sup` (plus `extraUsers`), and queue `q` answered by `agent` and supervised by `sup`.
 */
export async function startSupervisedQueue(extraUsers: readonly string[] = []): Promise<Scenario> {
  const s = await Scenario.start({ media: { enabled: true }, sfu: { workers: 1 } }, [
    'caller',
    'agent',
    'sup',
    ...extraUsers,
  ]);
  await makeQueue(s, { name: 'q', strategy: 'longest-idle' }, ['agent'], ['sup']);
  return s;
}

/** Signs an agent in and makes it available. */
export async function agentOnline(s: Scenario, userId: string): Promise<TestClient> {
  const client = await s.signIn(userId);
  await client.request('agent.setStatus', { status: 'available' });
  return client;
}

export async function callQueue(caller: TestClient, queue: string, id = callId()) {
  const { call } = await caller.request('call.invite', {
    callId: id,
    callees: [`queue:${queue}`],
    media: 'audio',
  });
  return call;
}

/** Waits for the next offer to this agent, acks it, and returns it. */
export async function nextOffer(
  agent: TestClient,
  timeoutMs = 5_000,
): Promise<EventData<'call.incoming'>> {
  const offer = await agent.waitFor('call.incoming', () => true, timeoutMs);
  await agent.request('call.ack', { callId: offer.call.callId });
  return offer;
}

/** The agent takes the next offer. */
export async function answerNext(agent: TestClient): Promise<EventData<'call.incoming'>> {
  const offer = await nextOffer(agent);
  await agent.request('call.accept', { callId: offer.call.callId });
  return offer;
}

/** No offer reaches this agent within `ms`. */
export async function noOffer(agent: TestClient, ms = 300): Promise<boolean> {
  try {
    await agent.waitFor('call.incoming', () => true, ms);
    return false;
  } catch {
    return true;
  }
}

/** Waits for an `agent.status` of this user with this status. */
export function statusOf(
  watcher: TestClient,
  userId: string,
  status: EventData<'agent.status'>['status'],
  after = 0,
  timeoutMs = 5_000,
): Promise<EventData<'agent.status'>> {
  return watcher.waitFor(
    'agent.status',
    (a) => a.userId === userId && a.status === status && a.since > after,
    timeoutMs,
  );
}
