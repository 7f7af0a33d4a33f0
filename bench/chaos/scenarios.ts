import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosDevice } from './device.js';
import type { ChaosUser } from './population.js';
import {
  answered,
  endedOn,
  firstIncoming,
  hold,
  isAbout,
  readyDevice,
  registerCall,
  release,
  settle,
  StepLost,
  take,
  type ScenarioContext,
} from './scenario-kit.js';

/** The outcomes a scenario may play out (call-semantics.md, "The invitation lifecycle"). */
export const SCENARIO_KINDS = [
  'accept-caller-hangs-up',
  'accept-callee-hangs-up',
  'refuse',
  'cancel',
  'timeout',
  'answered-elsewhere',
  'dnd',
  'busy',
  'group',
  'push',
  'queue',
  'abandoned',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export const DEFAULT_WEIGHTS: Readonly<Record<ScenarioKind, number>> = {
  'accept-caller-hangs-up': 14,
  'accept-callee-hangs-up': 10,
  refuse: 10,
  cancel: 10,
  timeout: 4,
  'answered-elsewhere': 8,
  dnd: 3,
  busy: 3,
  group: 4,
  push: 6,
  queue: 8,
  abandoned: 1,
};

const INCOMING_WAIT_MS = 3_000;

/**
 * Plays one scenario to its end. Users are taken from the free pool for its length, so that
 * outcomes are the scenario's own (no accidental `busy`). A step without an answer throws
 * StepLost and the scenario settles the call instead (see `settle`).
 */
export async function runScenario(ctx: ScenarioContext, kind: ScenarioKind): Promise<boolean> {
  switch (kind) {
    case 'push':
      return withUsers(
        ctx,
        [
          ['person', 1],
          ['offline', 1],
        ],
        (u) => push(ctx, nth(u, 0), nth(u, 1)),
      );
    case 'queue':
      if (ctx.pop.agents.length === 0) return false;
      return withUsers(ctx, [['person', 1]], (u) => queue(ctx, nth(u, 0)));
    case 'group':
      return withUsers(ctx, [['person', 3]], (u) => group(ctx, nth(u, 0), nth(u, 1), nth(u, 2)));
    case 'busy':
      return withUsers(ctx, [['person', 3]], (u) => busy(ctx, nth(u, 0), nth(u, 1), nth(u, 2)));
    case 'abandoned':
      if (ctx.abandoned.size + 2 > ctx.maxAbandoned) return false;
      return withUsers(ctx, [['person', 2]], (u) => abandoned(ctx, nth(u, 0), nth(u, 1)));
    case 'answered-elsewhere':
      return withUsers(
        ctx,
        [
          ['person', 1],
          ['person', 1, (u) => u.devices.length >= 2],
        ],
        (u) => direct(ctx, kind, nth(u, 0), nth(u, 1)),
      );
    case 'accept-caller-hangs-up':
    case 'accept-callee-hangs-up':
    case 'refuse':
    case 'cancel':
    case 'timeout':
    case 'dnd':
      return withUsers(ctx, [['person', 2]], (u) => direct(ctx, kind, nth(u, 0), nth(u, 1)));
  }
}

function nth(users: readonly ChaosUser[], i: number): ChaosUser {
  const user = users[i];
  if (!user) throw new Error(`scenario needs user ${i}`);
  return user;
}

type Need = [ChaosUser['role'], number, ((u: ChaosUser) => boolean)?];

async function withUsers(
  ctx: ScenarioContext,
  needs: readonly Need[],
  play: (users: ChaosUser[]) => Promise<void>,
): Promise<boolean> {
  const users: ChaosUser[] = [];
  for (const [role, n, fits] of needs) {
    const got = take(ctx, role, n, fits);
    if (!got) {
      release(ctx, users);
      return false;
    }
    users.push(...got);
  }
  try {
    await play(users);
  } finally {
    release(ctx, users);
  }
  return true;
}

/** Plays `steps`; when one is lost, settles the call. */
async function playing(
  ctx: ScenarioContext,
  callId: string,
  caller: ChaosUser,
  callees: readonly ChaosUser[],
  steps: () => Promise<void>,
): Promise<void> {
  try {
    await steps();
  } catch (error) {
    if (!(error instanceof StepLost)) throw error;
    ctx.count(`lost: ${error.message}`);
    await settle(ctx, callId, caller, callees);
  }
}

const need = async (ctx: ScenarioContext, user: ChaosUser): Promise<ChaosDevice> => {
  const device = await readyDevice(user, ctx.rng);
  if (!device) throw new StepLost('no device online');
  return device;
};

async function invite(
  ctx: ScenarioContext,
  from: ChaosDevice,
  callId: string,
  callees: readonly string[],
) {
  return answered(
    await from.request('call.invite', {
      callId,
      callees: [...callees],
      media: ctx.rng.chance(0.7) ? 'audio' : 'video',
      ringTimeoutMs: ctx.ringTimeoutMs,
    }),
  );
}

type DirectKind = Extract<
  ScenarioKind,
  | 'accept-caller-hangs-up'
  | 'accept-callee-hangs-up'
  | 'refuse'
  | 'cancel'
  | 'timeout'
  | 'answered-elsewhere'
  | 'dnd'
>;

async function direct(
  ctx: ScenarioContext,
  kind: DirectKind,
  a: ChaosUser,
  b: ChaosUser,
): Promise<void> {
  const callId = registerCall(ctx, 'direct', a, [b.userId]);
  let dndSet: ChaosDevice | undefined;
  await playing(ctx, callId, a, [b], async () => {
    const caller = await need(ctx, a);
    if (kind === 'dnd') {
      dndSet = await need(ctx, b);
      answered(await dndSet.request('presence.setStatus', { status: 'dnd' }));
    }
    // Listen before inviting: the callee may be rung before the caller has its answer.
    const ringing = firstIncoming(
      b.devices.filter((d) => d.isReady),
      callId,
      INCOMING_WAIT_MS,
    );
    const sent = await invite(ctx, caller, callId, [b.userId]);
    if (sent.kind !== 'ok' || kind === 'dnd') return;
    const callee = await ringing;
    if (!callee) throw new StepLost('no incoming');
    await sleep(ctx.rng.int(0, 150));
    switch (kind) {
      case 'timeout':
        if (!(await endedOn(caller, callId, ctx.ringTimeoutMs + 3_000)))
          throw new StepLost('no timeout seen');
        return;
      case 'cancel':
        answered(await caller.request('call.cancel', { callId }));
        return;
      case 'refuse':
        answered(
          await callee.request('call.refuse', {
            callId,
            reason: ctx.rng.pick(['declined', 'busy', 'in-a-meeting']),
          }),
        );
        return;
      case 'accept-caller-hangs-up':
      case 'accept-callee-hangs-up':
      case 'answered-elsewhere': {
        const accepted = answered(await callee.request('call.accept', { callId }));
        if (accepted.kind !== 'ok') return;
        await hold(ctx);
        const hanger = kind === 'accept-callee-hangs-up' ? callee : caller;
        answered(await hanger.request('call.hangup', { callId }));
      }
    }
  });
  if (dndSet) await restoreAvailable(ctx, b);
}

async function restoreAvailable(ctx: ScenarioContext, user: ChaosUser): Promise<void> {
  const deadline = Date.now() + ctx.settleMs;
  while (Date.now() < deadline) {
    const device = await readyDevice(user, ctx.rng);
    const answer = await device?.request('presence.setStatus', { status: 'available' });
    if (answer?.kind === 'ok') return;
    await sleep(200);
  }
}

async function group(ctx: ScenarioContext, a: ChaosUser, b: ChaosUser, c: ChaosUser) {
  const callId = registerCall(ctx, 'group', a, [b.userId, c.userId]);
  await playing(ctx, callId, a, [b, c], async () => {
    const caller = await need(ctx, a);
    const ringing = Promise.all(
      [b, c].map((u) =>
        firstIncoming(
          u.devices.filter((d) => d.isReady),
          callId,
          INCOMING_WAIT_MS,
        ),
      ),
    );
    if ((await invite(ctx, caller, callId, [b.userId, c.userId])).kind !== 'ok') return;
    const [atB, atC] = await ringing;
    if (!atB || !atC) throw new StepLost('no incoming');
    if (answered(await atB.request('call.accept', { callId })).kind !== 'ok') return;
    const third = ctx.rng.weighted({ accept: 1, refuse: 1, ignore: 1 });
    if (third === 'accept') answered(await atC.request('call.accept', { callId }));
    if (third === 'refuse') answered(await atC.request('call.refuse', { callId }));
    await hold(ctx);
    // With two callees in it, the call goes on after the caller leaves: they hang up too.
    for (const leaving of [caller, atB, atC]) {
      const left = answered(await leaving.request('call.hangup', { callId }));
      if (left.kind === 'error' || left.data.call.state === 'ended') return;
    }
  });
}

/** b is in a call with a; c calls b and is refused `busy`. */
async function busy(ctx: ScenarioContext, a: ChaosUser, b: ChaosUser, c: ChaosUser) {
  const callId = registerCall(ctx, 'direct', a, [b.userId]);
  await playing(ctx, callId, a, [b], async () => {
    const caller = await need(ctx, a);
    const ringing = firstIncoming(
      b.devices.filter((d) => d.isReady),
      callId,
      INCOMING_WAIT_MS,
    );
    if ((await invite(ctx, caller, callId, [b.userId])).kind !== 'ok') return;
    const callee = await ringing;
    if (!callee) throw new StepLost('no incoming');
    if (answered(await callee.request('call.accept', { callId })).kind !== 'ok') return;
    const second = registerCall(ctx, 'direct', c, [b.userId]);
    await playing(ctx, second, c, [b], async () => {
      await invite(ctx, await need(ctx, c), second, [b.userId]);
    });
    await hold(ctx);
    answered(await caller.request('call.hangup', { callId }));
  });
}

/** An offline callee: the invitation is pushed, then the callee signs in and answers. */
async function push(ctx: ScenarioContext, a: ChaosUser, p: ChaosUser) {
  const callId = registerCall(ctx, 'push', a, [p.userId]);
  const device = p.devices[0];
  if (!device) return;
  await playing(ctx, callId, a, [p], async () => {
    const caller = await need(ctx, a);
    if ((await invite(ctx, caller, callId, [p.userId])).kind !== 'ok') return;
    await sleep(ctx.rng.int(50, Math.min(1_000, ctx.ringTimeoutMs / 2)));
    const incoming = device.waitFor(isAbout(callId, 'call.incoming'), INCOMING_WAIT_MS + 2_000);
    if (!(await device.goOnline(INCOMING_WAIT_MS))) throw new StepLost('push callee offline');
    if (!(await incoming)) throw new StepLost('no incoming after sign-in');
    if (ctx.rng.chance(0.3)) {
      answered(await device.request('call.refuse', { callId }));
      return;
    }
    if (answered(await device.request('call.accept', { callId })).kind !== 'ok') return;
    await hold(ctx);
    answered(await caller.request('call.hangup', { callId }));
  });
  await device.goOffline();
}

/** A call to the queue: answered by an agent (see agents.ts), or abandoned while waiting. */
async function queue(ctx: ScenarioContext, a: ChaosUser) {
  const callId = registerCall(ctx, 'queue', a, [`queue:${ctx.pop.queueName}`]);
  await playing(ctx, callId, a, [], async () => {
    const caller = await need(ctx, a);
    if ((await invite(ctx, caller, callId, [`queue:${ctx.pop.queueName}`])).kind !== 'ok') return;
    if (ctx.rng.chance(0.2)) {
      await sleep(ctx.rng.int(100, 800));
      const canceled = answered(await caller.request('call.cancel', { callId }));
      // An agent answered first: the caller is in the call now and hangs up instead.
      if (canceled.kind === 'error' && canceled.error.call?.state === 'active')
        answered(await caller.request('call.hangup', { callId }));
      return;
    }
    const settled = await caller.waitFor(
      (e) =>
        (e.type === 'call.updated' &&
          e.data.call.callId === callId &&
          e.data.call.state === 'active') ||
        (e.type === 'call.ended' && e.data.call.callId === callId),
      ctx.queueMaxWaitMs + 3_000,
    );
    // Neither seen: the caller may have been away when it changed (kill, fault): settle it.
    if (!settled) throw new StepLost('queue call neither answered nor ended');
    if (settled.type !== 'call.updated') return;
    await hold(ctx);
    // The agent may have hung up first: then this is an `invalid-state` answer, which is fine.
    answered(await caller.request('call.hangup', { callId }));
  });
}

/**
 * The callee's devices all vanish in an answered call and do not come back within the rejoin
 * window; the caller waits and does not hang up. The server must end the call by itself
 * (`connection-lost`); if it does not, the call is left for the stale-call check to find.
 */
async function abandoned(ctx: ScenarioContext, a: ChaosUser, b: ChaosUser) {
  const callId = registerCall(ctx, 'abandoned', a, [b.userId]);
  await playing(ctx, callId, a, [b], async () => {
    const caller = await need(ctx, a);
    const ringing = firstIncoming(
      b.devices.filter((d) => d.isReady),
      callId,
      INCOMING_WAIT_MS,
    );
    if ((await invite(ctx, caller, callId, [b.userId])).kind !== 'ok') return;
    const callee = await ringing;
    if (!callee) throw new StepLost('no incoming');
    if (answered(await callee.request('call.accept', { callId })).kind !== 'ok') return;
    const gone = ctx.deadAfterMs + ctx.rejoinWindowMs + 1_500;
    for (const d of b.devices) d.vanish(gone);
    const ended = await endedOn(caller, callId, gone + 1_500);
    if (!ended) {
      ctx.abandoned.add(a.userId);
      ctx.abandoned.add(b.userId);
      ctx.count('abandoned-left-running');
    }
  });
}
