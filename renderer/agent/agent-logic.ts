import type {
  AgentState,
  AgentStats,
  AgentStatus,
  QueueOfferEntry,
  SoftphoneCall,
  SoftphoneSnapshot,
} from '../../protocol/index.js';
import { clock } from '../call/call-view.js';

/** The order statuses are listed in (console figures, supervisor tables, tray). */
export const AGENT_STATUS_ORDER: readonly AgentStatus[] = [
  'available',
  'on-call',
  'after-call-work',
  'break',
  'logged-out',
];

/** Reasons an agent picks for a break; the server may also set `no-answer`. */
export const BREAK_REASONS = ['break', 'lunch', 'meeting', 'training', 'personal'] as const;

/** m:ss or h:mm:ss of a duration in ms (never negative). */
export const formatMs = (ms: number): string => clock(Math.max(0, Math.floor(ms / 1000)));

/** Milliseconds in the current status; the server's `since` is clamped against clock skew. */
export const timeInStatusMs = (agent: AgentState, now: number): number =>
  Math.max(0, now - agent.since);

/**
 * After-call work left, in ms, or undefined when not in after-call work. The length comes from
 * the server (`afterCallUntil - since`, both server clock); the elapsed part from this device's
 * clock since it first saw the status (`seenAt`), so a skewed clock does not skew the countdown.
 */
export function afterCallRemainingMs(
  agent: AgentState | undefined,
  seenAt: number,
  now: number,
): number | undefined {
  if (agent?.status !== 'after-call-work' || agent.afterCallUntil === undefined) return undefined;
  const length = agent.afterCallUntil - agent.since;
  return Math.max(0, length - Math.max(0, now - seenAt));
}

/** The offer ringing on this device now (the first, if several), with its call. */
export function currentOffer(
  snapshot: SoftphoneSnapshot,
): { offer: QueueOfferEntry; call: SoftphoneCall } | undefined {
  for (const offer of snapshot.queueOffers ?? []) {
    const call = snapshot.calls.find((c) => c.callId === offer.callId);
    if (call?.state === 'ringing') return { offer, call };
  }
  return undefined;
}

/** How long the caller has waited by now: the server's figure plus the time since it came. */
export const offerWaitMs = (offer: QueueOfferEntry, now: number): number =>
  offer.waitMs + Math.max(0, now - offer.receivedAt);

export interface AgentFigures {
  answered: number;
  offered: number;
  missed: number;
  /** Mean handle time of finished calls (answer to the end of after-call work), in ms. */
  avgHandleMs: number | undefined;
  /** Time per status, in display order, the current status brought up to `now`. */
  timeIn: { status: AgentStatus; ms: number }[];
}

/**
 * The console's figures from `agent.stats` (fetched at `fetchedAt`) and the live status. The
 * call in progress (on a call or in after-call work) is answered but not yet handled, so it is
 * left out of the average.
 */
export function agentFigures(
  stats: AgentStats,
  agent: AgentState | undefined,
  fetchedAt: number,
  now: number,
): AgentFigures {
  const inProgress = agent?.status === 'on-call' || agent?.status === 'after-call-work' ? 1 : 0;
  const handled = Math.max(0, stats.answered - inProgress);
  return {
    answered: stats.answered,
    offered: stats.offered,
    missed: stats.missed,
    avgHandleMs: handled === 0 ? undefined : stats.handleMs / handled,
    timeIn: AGENT_STATUS_ORDER.map((status) => ({
      status,
      ms:
        stats.timeInStatusMs[status] +
        (agent?.status === status ? Math.max(0, now - fetchedAt) : 0),
    })),
  };
}

/** The translation key of a break reason, or undefined for a free-text reason shown as is. */
export function reasonKey(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  return reason === 'no-answer' || (BREAK_REASONS as readonly string[]).includes(reason)
    ? `seat.reasons.${reason}`
    : undefined;
}
