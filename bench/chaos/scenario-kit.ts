import { setTimeout as sleep } from 'node:timers/promises';
import type { ParsedEvent, RequestType } from '../../protocol/index.js';
import type { Answer, ChaosDevice } from './device.js';
import type { CallKind, Ledger } from './ledger.js';
import type { ChaosUser, Population } from './population.js';
import type { Rng } from './rng.js';

/** What every scenario needs: the choices, the ledger, the users and the timings. */
export interface ScenarioContext {
  rng: Rng;
  ledger: Ledger;
  pop: Population;
  ringTimeoutMs: number;
  holdMs: readonly [number, number];
  deadAfterMs: number;
  rejoinWindowMs: number;
  queueMaxWaitMs: number;
  /** How long a scenario keeps trying to end a call whose step got no answer. */
  settleMs: number;
  /** Calls left running on purpose (their people vanished): at most `maxAbandoned`. */
  abandoned: Set<string>;
  maxAbandoned: number;
  nextCallId(tag: string): string;
  count(what: string): void;
}

/** A step got no answer (socket gone, server killed, device faulted): the scenario settles. */
export class StepLost extends Error {
  override readonly name = 'StepLost';
}

/** The answer, unless there was none: then the step is lost and the scenario settles. */
export function answered<T extends RequestType>(
  answer: Answer<T>,
): Exclude<Answer<T>, { kind: 'lost' }> {
  if (answer.kind === 'lost') throw new StepLost(answer.why);
  return answer;
}

/** A ready device of the user, waiting up to `timeoutMs` for one. */
export async function readyDevice(
  user: ChaosUser,
  rng: Rng,
  timeoutMs = 5_000,
): Promise<ChaosDevice | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = user.devices.filter((d) => d.isReady);
    if (ready.length > 0) return rng.pick(ready);
    if (Date.now() >= deadline) return undefined;
    await sleep(50);
  }
}

export const isAbout =
  (callId: string, type?: ParsedEvent['type']) =>
  (e: ParsedEvent): boolean => {
    if (type !== undefined && e.type !== type) return false;
    switch (e.type) {
      case 'call.incoming':
      case 'call.updated':
      case 'call.ended':
        return e.data.call.callId === callId;
      case 'call.ringEnded':
      case 'queue.position':
        return e.data.callId === callId;
      case 'call.controlled':
      case 'presence.changed':
      case 'message.received':
      case 'message.delivered':
      case 'session.closing':
      case 'agent.status':
      case 'queue.state':
        return false;
    }
  };

/** The first of these devices to get `call.incoming` for the call, or undefined. */
export async function firstIncoming(
  devices: readonly ChaosDevice[],
  callId: string,
  timeoutMs: number,
): Promise<ChaosDevice | undefined> {
  if (devices.length === 0) return undefined;
  const winner = await Promise.race(
    devices.map(async (d) =>
      (await d.waitFor(isAbout(callId, 'call.incoming'), timeoutMs)) ? d : undefined,
    ),
  );
  return winner;
}

export const endedOn = (device: ChaosDevice, callId: string, timeoutMs: number) =>
  device.waitFor(isAbout(callId, 'call.ended'), timeoutMs);

/** Takes `n` free users of a role (out of the pool until `release`), or undefined. */
export function take(
  ctx: ScenarioContext,
  role: ChaosUser['role'],
  n: number,
  fits: (u: ChaosUser) => boolean = () => true,
): ChaosUser[] | undefined {
  const candidates = [...ctx.pop.free]
    .map((id) => ctx.pop.byId.get(id))
    .filter((u): u is ChaosUser => u !== undefined && u.role === role && fits(u));
  if (candidates.length < n) return undefined;
  const chosen: ChaosUser[] = [];
  while (chosen.length < n) {
    const u = ctx.rng.pick(candidates.filter((c) => !chosen.includes(c)));
    chosen.push(u);
  }
  for (const u of chosen) ctx.pop.free.delete(u.userId);
  return chosen;
}

export function release(ctx: ScenarioContext, users: readonly ChaosUser[]): void {
  for (const u of users) if (!ctx.abandoned.has(u.userId)) ctx.pop.free.add(u.userId);
}

export const hold = (ctx: ScenarioContext): Promise<void> =>
  sleep(ctx.rng.int(ctx.holdMs[0], ctx.holdMs[1]));

export function registerCall(
  ctx: ScenarioContext,
  kind: CallKind,
  caller: ChaosUser,
  callees: readonly string[],
): string {
  const callId = ctx.nextCallId(kind);
  ctx.ledger.register({ callId, kind, callerId: caller.userId, callees });
  return callId;
}

/**
 * Ends a call whose step got no answer, as a user would after reconnecting: asks the server
 * which calls it is in (caller first), hangs up an active one, withdraws a ringing one. Gives up
 * after `settleMs` (the ring timeout still bounds a ringing call; an active one would then show
 * as stale, with the frames as evidence).
 */
export async function settle(
  ctx: ScenarioContext,
  callId: string,
  caller: ChaosUser,
  callees: readonly ChaosUser[],
): Promise<void> {
  ctx.count('settled');
  const deadline = Date.now() + ctx.settleMs;
  while (Date.now() < deadline) {
    for (const user of [caller, ...callees]) {
      const device = user.devices.find((d) => d.isReady);
      if (!device) continue;
      const list = await device.request('call.list', {});
      if (list.kind !== 'ok') continue;
      const call = list.data.calls.find((c) => c.callId === callId);
      if (!call) {
        // A callee's ringing invitation is not in its list; the caller's list is the answer.
        if (user === caller) return;
        continue;
      }
      const answer =
        call.state === 'active'
          ? await device.request('call.hangup', { callId })
          : await device.request('call.cancel', { callId });
      if (answer.kind !== 'lost') return;
    }
    await sleep(200);
  }
  ctx.count('settle-gave-up');
}
