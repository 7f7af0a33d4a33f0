import { createUsers, signAccessTokens } from '../signaling/users.js';
import type { ChaosTarget } from './chaos-server.js';
import { ADMIN_KEY, JWT_SECRET } from './chaos-server.js';
import { ChaosDevice, type DeviceObserver } from './device.js';
import type { Rng } from './rng.js';

export interface ChaosUser {
  userId: string;
  role: 'person' | 'offline' | 'agent';
  devices: ChaosDevice[];
}

/** Who takes part: people with several devices, offline callees with push tokens, and agents. */
export interface Population {
  people: ChaosUser[];
  offline: ChaosUser[];
  agents: ChaosUser[];
  probe: ChaosUser;
  all: ChaosUser[];
  /** The contact-center queue of this population's agents. */
  queueName: string;
  /** Names this population's users, queue and probe calls apart from other shards' (may be ''). */
  label: string;
  /** Users not in a scenario right now (people and offline callees). */
  free: Set<string>;
  byId: Map<string, ChaosUser>;
  /** Access tokens by user id (signed with the server's secret, as server/tokens.ts does). */
  tokens: Map<string, string>;
}

export interface PopulationOptions {
  /** Prefix of this population's names: shards of one run share a server. */
  label: string;
  users: number;
  devices: number;
  offlineUsers: number;
  agents: number;
  queueOfferTimeoutMs: number;
  queueMaxWaitMs: number;
}

/**
 * Creates the accounts (admin API), the queue with its agents, and one device object per
 * device; people and agents go online, offline callees register a push token and sign out.
 */
export async function populate(
  server: ChaosTarget,
  observer: DeviceObserver,
  options: PopulationOptions,
  rng: Rng,
): Promise<Population> {
  const ids = (prefix: string, n: number) =>
    Array.from(
      { length: n },
      (_, i) => `chaos-${options.label}${prefix}${String(i).padStart(4, '0')}`,
    );
  const personIds = ids('u', options.users);
  const offlineIds = ids('off', options.offlineUsers);
  const agentIds = ids('agent', options.agents);
  const probeId = `chaos-${options.label}probe`;
  const queueName = `chaos-${options.label}q`;
  const everyone = [...personIds, ...offlineIds, ...agentIds, probeId];
  await createUsers({
    httpUrl: server.httpUrl,
    adminKey: ADMIN_KEY,
    userIds: everyone,
    concurrency: 8,
  });
  const tokens = new Map(
    (await signAccessTokens(JWT_SECRET, everyone)).map((u) => [u.userId, u.token]),
  );
  const make = (userId: string, role: ChaosUser['role'], devices: number): ChaosUser => ({
    userId,
    role,
    devices: Array.from(
      { length: devices },
      (_, i) =>
        new ChaosDevice(userId, `d${i}`, () => server.wsUrl, tokens.get(userId) ?? '', observer),
    ),
  });
  // "Several devices each": most people have `devices`, some one fewer, none fewer than one.
  const people = personIds.map((id) =>
    make(id, 'person', Math.max(1, options.devices - (rng.chance(0.3) ? 1 : 0))),
  );
  const offline = offlineIds.map((id) => make(id, 'offline', 1));
  const agents = agentIds.map((id) => make(id, 'agent', 1));
  const probe = make(probeId, 'person', 1);
  const all = [...people, ...offline, ...agents, probe];

  if (agents.length > 0) {
    const res = await server.admin('POST', '/admin/queues', {
      name: queueName,
      strategy: 'longest-idle',
      offerTimeoutMs: options.queueOfferTimeoutMs,
      maxWaitMs: options.queueMaxWaitMs,
      afterCallWorkMs: 0,
      maxNoAnswers: 0,
    });
    if (res.status !== 201)
      throw new Error(`POST /admin/queues: ${res.status} ${await res.text()}`);
    for (const agent of agents) {
      const put = await server.admin(
        'PUT',
        `/admin/queues/${queueName}/agents/${agent.userId}`,
        {},
      );
      if (put.status !== 200) throw new Error(`PUT agent: ${put.status} ${await put.text()}`);
    }
  }

  await inBatches(
    [...people, ...agents, probe].flatMap((u) => u.devices),
    50,
    async (d) => {
      if (!(await d.goOnline())) throw new Error(`${d.label} could not sign in`);
    },
  );
  await inBatches(offline, 20, async (u) => {
    const device = u.devices[0];
    if (!device || !(await device.goOnline())) throw new Error(`${u.userId} could not sign in`);
    const answer = await device.request('push.register', {
      platform: 'fcm',
      token: `chaos-push-${u.userId}`,
    });
    if (answer.kind !== 'ok')
      throw new Error(`push.register ${u.userId}: ${JSON.stringify(answer)}`);
    await device.goOffline();
  });
  const byId = new Map(all.map((u) => [u.userId, u]));
  const free = new Set([...personIds, ...offlineIds]);
  return {
    people,
    offline,
    agents,
    probe,
    all,
    queueName,
    label: options.label,
    free,
    byId,
    tokens,
  };
}

export async function inBatches<T>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}
