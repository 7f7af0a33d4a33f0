import { ChaosDevice, type DeviceObserver } from './device.js';
import type { Probes } from './invariants.js';
import type { ChaosUser, Population } from './population.js';
import { inBatches } from './population.js';

/**
 * After quiescing: one fresh device per user signs in (its `hello` must list no call, and any
 * invitation it is rung for is in the ledger for the ghost-ring check), then the probe user
 * calls each user once: a `busy` refusal means the server still thinks them in a call.
 */
export async function probeLiveState(options: {
  pop: Population;
  wsUrl: () => string;
  tokens: ReadonlyMap<string, string>;
  observer: DeviceObserver;
  ringTimeoutMs: number;
}): Promise<Probes> {
  const { pop, observer } = options;
  const probes: Probes = { listed: [], busy: [] };
  const users = pop.all.filter((u) => u !== pop.probe);
  await inBatches(users, 50, async (user: ChaosUser) => {
    const device = new ChaosDevice(
      user.userId,
      'probe',
      options.wsUrl,
      options.tokens.get(user.userId) ?? '',
      {
        ...observer,
        hello: (d, hello, at) => {
          observer.hello(d, hello, at);
          for (const call of hello.calls)
            probes.listed.push({ userId: user.userId, callId: call.callId });
        },
      },
    );
    if (!(await device.goOnline())) throw new Error(`probe for ${user.userId} could not sign in`);
    await device.goOffline();
  });
  const caller = pop.probe.devices[0];
  if (!caller?.isReady) throw new Error('the probe user is not signed in');
  let n = 0;
  await inBatches(users, 8, async (user) => {
    const callId = `probe-${pop.label}${String(n++).padStart(6, '0')}`;
    const answer = await caller.request('call.invite', {
      callId,
      callees: [user.userId],
      media: 'audio',
      ringTimeoutMs: options.ringTimeoutMs,
    });
    if (answer.kind !== 'ok')
      throw new Error(`probe call to ${user.userId}: ${JSON.stringify(answer)}`);
    const leg = answer.data.call.legs[0];
    if (leg?.state === 'refused' && leg.reason === 'busy')
      probes.busy.push({ userId: user.userId, probeCallId: callId });
    else if (answer.data.call.state !== 'ended') await caller.request('call.cancel', { callId });
  });
  return probes;
}
