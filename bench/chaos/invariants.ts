import type { CallRecord, RequestType } from '../../protocol/index.js';
import type { ReceivedWebhook } from '../../server/webhooks/receiver.test-helper.js';
import type { Kill } from './chaos-server.js';
import { SERVER_FACTS, UNANSWERED_END_REASONS } from './facts.js';
import type { CallEntry, Ledger, Seen } from './ledger.js';

export const INVARIANTS = [
  'lostRecords',
  'alteredRecords',
  'vanishedInvitations',
  'resurrected',
  'ghostRings',
  'staleCalls',
  'pushNotPosted',
  'invalidFrames',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: Invariant;
  callId: string;
  what: string;
  evidence: string[];
}

/** What the probes found after quiescing: calls still listed, users still reported busy. */
export interface Probes {
  listed: { userId: string; callId: string }[];
  busy: { userId: string; probeCallId: string }[];
}

export interface CheckInput {
  ledger: Ledger;
  records: ReadonlyMap<string, CallRecord | undefined>;
  kills: readonly Kill[];
  probes: Probes;
  webhooks: readonly ReceivedWebhook[];
}

/** Frames on different sockets may arrive in another order than the server sent them. */
const CROSS_SOCKET_SLACK_MS = 300;
/** The same server clock stamps snapshots and records: they must agree to the millisecond. */
const SAME_CLOCK_SLACK_MS = 5;
/** A kill is sent, then seen; a crash record is dated no later than the exit plus this. */
const KILL_SLACK_MS = 50;
/** Requests that end a call, or a callee's part of it. */
const END_REQUESTS: readonly RequestType[] = ['call.hangup', 'call.cancel', 'call.refuse'];

const isListing = (s: Seen): boolean =>
  s.what === 'incoming' ||
  s.what.startsWith('hello:') ||
  s.what === 'updated:ringing' ||
  s.what === 'updated:active';
const toldEnded = (s: Seen): boolean => s.call?.state === 'ended' || s.what.startsWith('ended:');

function describeRecord(record: CallRecord | undefined): string {
  if (!record) return 'record: none';
  const people = record.participants
    .map((p) => `${p.userId}:${p.outcome}${p.reason ? `(${p.reason})` : ''}`)
    .join(' ');
  return `record: ${record.endReason} endedAt=${record.endedAt} answeredAt=${record.answeredAt ?? '-'} duration=${record.durationSec}s ${people}`;
}

/**
 * Checks every invariant of issue 12 against the ledger and the server's records; each
 * violation names its call and carries the frames seen (and the record) as evidence.
 */
export function checkInvariants(input: CheckInput): Violation[] {
  const { ledger, records, kills, probes } = input;
  const out: Violation[] = [];
  const stale = new Set(probes.listed.map((l) => l.callId));
  for (const entry of ledger.calls.values()) {
    if (entry.inviteAckAt === undefined) continue;
    const record = records.get(entry.callId);
    const add = (invariant: Invariant, what: string): void => {
      out.push({
        invariant,
        callId: entry.callId,
        what: `${entry.kind}: ${what}`,
        evidence: [...ledger.evidence(entry.callId), describeRecord(record)],
      });
    };
    if (!record) {
      if (!stale.has(entry.callId)) add('lostRecords', 'the invite was acknowledged; no record');
    } else checkRecord(entry, record, kills, add);
    checkVanished(entry, record, kills, ledger, add);
    checkResurrected(entry, record, add);
    checkGhostRings(entry, record, add);
    checkPush(entry, input.webhooks, kills, add);
  }
  for (const l of probes.listed)
    out.push({
      invariant: 'staleCalls',
      callId: l.callId,
      what: `after quiescing, ${l.userId}'s hello still lists the call`,
      evidence: [...ledger.evidence(l.callId), describeRecord(records.get(l.callId))],
    });
  for (const b of probes.busy)
    out.push({
      invariant: 'staleCalls',
      callId: b.probeCallId,
      what: `after quiescing, ${b.userId} is reported busy`,
      evidence: [],
    });
  for (const frame of ledger.invalidFrames)
    out.push({ invariant: 'invalidFrames', callId: '-', what: frame, evidence: [] });
  return out;
}

type Add = (invariant: Invariant, what: string) => void;

/** The newest server time a call snapshot carries: when its latest step happened. */
function stepTimeOf(call: NonNullable<Seen['call']>): number {
  const times = [call.createdAt, call.callerLeftAt ?? 0, call.endedAt ?? 0];
  for (const leg of call.legs) times.push(leg.invitedAt, leg.answeredAt ?? 0, leg.leftAt ?? 0);
  return Math.max(...times);
}

/**
 * How long the server held its answers before they reached the devices: the server answers only
 * after a step is committed, so on a starved machine a step dated T by the server is seen much
 * later, and a crash record dated at the last commit may precede the last frame seen by as much.
 * Measured on the newest frame that announced a new step (its snapshot carries a server time
 * later than any seen before: the answer's time for the frame that made the call active), so a
 * call merely re-announced (a resync after a restart) cannot excuse a stale record.
 */
function releaseLag(seen: readonly Seen[]): number {
  let newest = -Infinity;
  let lag = 0;
  for (const s of [...seen].sort((x, y) => x.at - y.at)) {
    if (!s.call) continue;
    const step = stepTimeOf(s.call);
    if (step <= newest) continue;
    newest = step;
    lag = Math.max(0, s.at - step);
  }
  return lag;
}

function checkRecord(entry: CallEntry, record: CallRecord, kills: readonly Kill[], add: Add): void {
  if (record.endReason === 'server-shutdown') {
    add(
      'alteredRecords',
      'ended `server-shutdown`, but the server was never shut down, only killed',
    );
    return;
  }
  const endings = entry.seen.filter((s) => s.call?.state === 'ended');
  const reasons = new Set(endings.map((s) => s.call?.endReason));
  if (reasons.size > 1) add('alteredRecords', `told two endings: ${[...reasons].join(', ')}`);
  const told = endings[0]?.call;
  if (told) {
    if (record.endReason !== told.endReason)
      add('alteredRecords', `acknowledged ${told.endReason ?? '?'}, recorded ${record.endReason}`);
    if (told.endedAt !== undefined && Math.abs(record.endedAt - told.endedAt) > SAME_CLOCK_SLACK_MS)
      add('alteredRecords', `acknowledged end at ${told.endedAt}, recorded ${record.endedAt}`);
  } else {
    const activeAt = entry.seen.find((s) => s.call?.state === 'active')?.at;
    // Frames keep coming from the dying process until it has exited (SIGKILL is not instant on
    // a loaded machine): the kill that cut the call is the first one not yet over when it
    // became active.
    const cut = activeAt === undefined ? undefined : kills.find((k) => k.exitedAt >= activeAt);
    // A step may be committed and its answer lost with the process: the server writes first and
    // answers after the commit, so a kill in between leaves a record nobody was told of. That is
    // allowed only for a step someone asked for before the kill (its request is in the ledger),
    // dated before the process exited.
    const inFlight = (types: readonly RequestType[], kill: Kill, after = 0): boolean =>
      entry.sent.some((r) => types.includes(r.type) && r.at >= after && r.at <= kill.killAt) &&
      record.endedAt <= kill.exitedAt + KILL_SLACK_MS;
    if (cut) {
      const endReason: string = record.endReason;
      const before = entry.seen.filter((s) => s.at <= cut.exitedAt);
      const lastBefore = Math.max(...before.map((s) => s.at)) - releaseLag(before);
      // The server ends a call on its own too: a participant with no live device past the
      // rejoin window leaves, connection lost. Committed just before the kill, nobody hears it.
      const endAsked =
        inFlight(END_REQUESTS, cut, activeAt) ||
        (endReason === SERVER_FACTS.connectionLostReason &&
          record.endedAt <= cut.exitedAt + KILL_SLACK_MS &&
          record.participants.some((p) => p.reason === SERVER_FACTS.connectionLostReason));
      if (endReason !== SERVER_FACTS.crashEndReason && !endAsked)
        add(
          'alteredRecords',
          `active at the kill at ${cut.killAt} with no acknowledged end: expected ${SERVER_FACTS.crashEndReason}, recorded ${record.endReason}`,
        );
      if (
        record.endedAt > cut.exitedAt + KILL_SLACK_MS ||
        (record.endedAt < lastBefore - KILL_SLACK_MS && !endAsked)
      )
        add(
          'alteredRecords',
          `cut by the kill at ${cut.killAt} (last acknowledged ${lastBefore}), recorded ended at ${record.endedAt}${cut.readyAt !== undefined && record.endedAt >= cut.readyAt ? ' (after the restart)' : ''}`,
        );
    } else if (activeAt === undefined && !UNANSWERED_END_REASONS.has(record.endReason)) {
      // Answered, but nobody was told: an accept in flight at a kill that came after the answer.
      const acceptCut = kills.find(
        (k) =>
          record.answeredAt !== undefined &&
          record.answeredAt <= k.exitedAt &&
          inFlight(['call.accept'], k),
      );
      if (!acceptCut) add('alteredRecords', `never answered, recorded ${record.endReason}`);
      else if (
        record.endReason !== SERVER_FACTS.crashEndReason &&
        !inFlight(END_REQUESTS, acceptCut)
      )
        add(
          'alteredRecords',
          `answered by an accept in flight at the kill at ${acceptCut.killAt}: expected ${SERVER_FACTS.crashEndReason}, recorded ${record.endReason}`,
        );
    }
  }
  if (record.answeredAt !== undefined) {
    const expected = (record.endedAt - record.answeredAt) / 1000;
    if (Math.abs(record.durationSec - expected) > 1.01)
      add('alteredRecords', `duration ${record.durationSec}s, end - answer is ${expected}s`);
  }
  // The last acknowledged final state of each callee is what its participant record says.
  const lastLeg = new Map<string, { state: string; reason?: string | undefined }>();
  for (const s of entry.seen)
    for (const leg of s.call?.legs ?? [])
      if (leg.state === 'refused' || leg.state === 'canceled' || leg.state === 'failed')
        lastLeg.set(leg.userId, { state: leg.state, reason: leg.reason });
  for (const [userId, leg] of lastLeg) {
    const p = record.participants.find((x) => x.userId === userId && x.role === 'callee');
    if (!p) add('alteredRecords', `${userId} acknowledged ${leg.state}, missing from the record`);
    else if (leg.reason !== undefined && p.reason !== undefined && p.reason !== leg.reason)
      add(
        'alteredRecords',
        `${userId} acknowledged ${leg.state} (${leg.reason}), recorded ${p.outcome} (${p.reason})`,
      );
  }
}

function checkVanished(
  entry: CallEntry,
  record: CallRecord | undefined,
  kills: readonly Kill[],
  ledger: Ledger,
  add: Add,
): void {
  const ackAt = entry.inviteAckAt ?? Infinity;
  for (const [i, kill] of kills.entries()) {
    if (kill.readyAt === undefined || ackAt > kill.killAt || entry.kind === 'abandoned') continue;
    const before = entry.seen.filter((s) => s.at <= kill.killAt);
    if (before.some((s) => toldEnded(s) || s.call?.state === 'active')) continue;
    if (record && record.endedAt <= kill.exitedAt) continue;
    const readyAt = kill.readyAt;
    if (entry.seen.some((s) => s.at >= readyAt)) continue;
    const nextKill = kills[i + 1]?.killAt ?? Infinity;
    const judgeAt = ledger.hellos.find(
      (h) => h.userId === entry.callerId && h.at >= readyAt && h.at < nextKill,
    )?.at;
    if (judgeAt === undefined) continue;
    if (record && record.endedAt <= judgeAt + KILL_SLACK_MS) continue;
    add(
      'vanishedInvitations',
      `ringing at the kill at ${kill.killAt}; after the restart it rang nowhere and the caller's hello at ${judgeAt} did not list it`,
    );
    return; // once per call: it stays gone through the later kills too
  }
}

function checkResurrected(entry: CallEntry, record: CallRecord | undefined, add: Add): void {
  const endTold = entry.seen.find(toldEnded);
  const problems: string[] = [];
  if (endTold) {
    for (const s of entry.seen) {
      if (!isListing(s) || s.at < endTold.at) continue;
      const sameDevice = s.device === endTold.device;
      if (sameDevice ? s.at > endTold.at : s.at > endTold.at + CROSS_SOCKET_SLACK_MS)
        problems.push(`${s.device} got ${s.what} after ${endTold.device} was told ${endTold.what}`);
    }
  }
  if (entry.kind !== 'queue') {
    // A callee's invitation that reached a final state never rings that user again.
    const finalAt = new Map<string, Seen>();
    for (const s of entry.seen)
      if (s.what.startsWith('ringEnded:') || s.what === 'ok:call.refuse')
        if (!finalAt.has(s.userId)) finalAt.set(s.userId, s);
    for (const s of entry.seen) {
      const final = finalAt.get(s.userId);
      if (!final || s.what !== 'incoming') continue;
      const sameDevice = s.device === final.device;
      if (sameDevice ? s.at > final.at : s.at > final.at + CROSS_SOCKET_SLACK_MS)
        problems.push(`${s.device} rang again after ${final.device} got ${final.what}`);
    }
  }
  if (record)
    for (const s of entry.seen)
      if (s.what.startsWith('hello:') && s.at > record.endedAt + CROSS_SOCKET_SLACK_MS)
        problems.push(`${s.device}'s hello listed it after its recorded end`);
  if (problems.length > 0) add('resurrected', [...new Set(problems)].join('; '));
}

function checkGhostRings(entry: CallEntry, record: CallRecord | undefined, add: Add): void {
  const ghosts = entry.seen.filter(
    (s) =>
      s.what === 'incoming' &&
      ((record !== undefined && s.at > record.endedAt + CROSS_SOCKET_SLACK_MS) ||
        (s.remainingMs !== undefined && s.remainingMs <= 0)),
  );
  for (const g of ghosts)
    add(
      'ghostRings',
      g.remainingMs !== undefined && g.remainingMs <= 0
        ? `${g.device} was rung for an invitation already expired (remainingMs ${g.remainingMs})`
        : `${g.device} rang after the call had ended`,
    );
}

/**
 * An invitation acknowledged as pushed is POSTed to the push webhook, from the outbox at the
 * latest after a restart. Unless it expired while the server was down: a kill after the
 * acknowledgement and a restart only after the invitation's expiry leave nothing to push (the
 * outbox drops an expired push: ringing a phone for an invitation that is over is worse).
 */
function checkPush(
  entry: CallEntry,
  webhooks: readonly ReceivedWebhook[],
  kills: readonly Kill[],
  add: Add,
): void {
  if (entry.kind !== 'push') return;
  const pushedLeg = entry.seen
    .flatMap((s) => s.call?.legs ?? [])
    .find((l) => l.state === 'pushed' && entry.callees.includes(l.userId));
  if (!pushedLeg) return;
  const posted = webhooks.some(
    (w) =>
      w.body.type === 'call.invite' &&
      w.body.call.callId === entry.callId &&
      w.body.pushTokens.length > 0,
  );
  const ackAt = entry.inviteAckAt ?? 0;
  const expiredWhileDown = kills.some(
    (k) =>
      k.exitedAt >= ackAt &&
      k.killAt <= pushedLeg.expiresAt &&
      (k.readyAt ?? Infinity) >= pushedLeg.expiresAt,
  );
  if (!posted && !expiredWhileDown)
    add('pushNotPosted', 'acknowledged as pushed; no call.invite webhook with tokens');
}

export function countByInvariant(violations: readonly Violation[]): Record<Invariant, number> {
  const counts = Object.fromEntries(INVARIANTS.map((i) => [i, 0])) as Record<Invariant, number>;
  for (const v of violations) counts[v.invariant]++;
  return counts;
}
