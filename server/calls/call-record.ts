import type {
  CallEndReason,
  CallInfo,
  CallRecord,
  Leg,
  ParticipantOutcome,
  ParticipantRecord,
  UserId,
} from '../../protocol/index.js';

const seconds = (from: number | undefined, to: number): number =>
  from === undefined ? 0 : Math.max(0, Math.round((to - from) / 1000));

/** Private facts about a leg that the caller must not see (a block is refused as `declined`). */
export type LegNote = 'blocked' | 'removed';

function legOutcome(leg: Leg, note: LegNote | undefined): ParticipantOutcome {
  if (note) return note;
  switch (leg.state) {
    case 'accepted':
      return 'answered';
    case 'refused':
      return leg.reason === 'dnd' || leg.reason === 'busy' ? leg.reason : 'refused';
    case 'failed':
      return leg.reason === 'unreachable' ? 'unreachable' : 'timeout';
    case 'canceled':
    case 'inviting':
    case 'ringing':
    case 'pushed':
      return 'canceled';
  }
}

/** Why a call that nobody answered ended, from its legs' final states. */
export function unansweredEndReason(legs: readonly Leg[]): CallEndReason {
  if (legs.some((l) => l.state === 'refused')) return 'refused';
  if (legs.some((l) => l.state === 'failed' && l.reason === 'timeout')) return 'timeout';
  if (legs.length > 0 && legs.every((l) => l.state === 'failed')) return 'unreachable';
  return 'canceled';
}

/** The call detail record of an ended call. */
export function buildCallRecord(call: CallInfo, notes: ReadonlyMap<UserId, LegNote>): CallRecord {
  const endedAt = call.endedAt ?? Date.now();
  const answers = call.legs.flatMap((l) => (l.answeredAt === undefined ? [] : [l.answeredAt]));
  const answeredAt = answers.length > 0 ? Math.min(...answers) : undefined;
  const caller: ParticipantRecord = {
    userId: call.callerId,
    role: 'caller',
    invitedAt: call.createdAt,
    outcome: 'caller',
    durationSec: seconds(answeredAt, call.callerLeftAt ?? endedAt),
    ...(answeredAt === undefined ? {} : { answeredAt }),
    ...(call.callerLeftAt === undefined ? {} : { leftAt: call.callerLeftAt }),
    ...(call.callerLeftReason === undefined ? {} : { reason: call.callerLeftReason }),
  };
  const callees = call.legs.map((leg): ParticipantRecord => {
    const record: ParticipantRecord = {
      userId: leg.userId,
      role: 'callee',
      invitedBy: leg.invitedBy,
      invitedAt: leg.invitedAt,
      outcome: legOutcome(leg, notes.get(leg.userId)),
      durationSec: seconds(leg.answeredAt, leg.leftAt ?? endedAt),
    };
    if (leg.answeredAt !== undefined) record.answeredAt = leg.answeredAt;
    if (leg.answeredDevice !== undefined) record.answeredDevice = leg.answeredDevice;
    if (leg.leftAt !== undefined) record.leftAt = leg.leftAt;
    if (leg.reason !== undefined) record.reason = leg.reason;
    return record;
  });
  return {
    callId: call.callId,
    callerId: call.callerId,
    media: call.media,
    createdAt: call.createdAt,
    ...(answeredAt === undefined ? {} : { answeredAt }),
    endedAt,
    endReason: call.endReason ?? 'completed',
    durationSec: seconds(answeredAt, endedAt),
    participants: [caller, ...callees],
  };
}

/**
 * A record as one user may see it: what other participants' blocks were is hidden (a block shows
 * as a plain refusal to everyone but the user who blocked).
 */
export function recordForViewer(record: CallRecord, viewer: UserId): CallRecord {
  if (!record.participants.some((p) => p.outcome === 'blocked' && p.userId !== viewer)) {
    return record;
  }
  return {
    ...record,
    participants: record.participants.map((p) =>
      p.outcome === 'blocked' && p.userId !== viewer ? { ...p, outcome: 'refused' } : p,
    ),
  };
}
