import type {
  AgentState,
  AgentStatus,
  QueueMember,
  QueueName,
  UserId,
} from '../../protocol/index.js';

const STATUSES: readonly AgentStatus[] = [
  'available',
  'on-call',
  'after-call-work',
  'break',
  'logged-out',
];

/** What the contact center knows about one agent, in memory. */
export class Agent {
  status: AgentStatus = 'logged-out';
  reason: string | undefined;
  since: number;
  /** When the agent last became available: `longest-idle` offers to the smallest. */
  idleSince: number;
  /** The call ringing for this agent now, if any (one offer at a time). */
  offeredCallId: string | undefined;
  /** The call the agent is in, or finished last (after-call work). */
  callId: string | undefined;
  autoAnswer = false;
  /** Offers not answered in a row; an answer resets it. */
  missedInRow = 0;
  readonly memberships = new Map<QueueName, QueueMember>();
  /** Milliseconds spent in each status, up to `since`. */
  private readonly spent: Record<AgentStatus, number> = {
    available: 0,
    'on-call': 0,
    'after-call-work': 0,
    break: 0,
    'logged-out': 0,
  };
  afterCallTimer: NodeJS.Timeout | undefined;
  /** When after-call work ends by itself; and what ends it (counts the handle time once). */
  afterCallUntil: number | undefined;
  endAfterCall: (() => void) | undefined;

  constructor(
    readonly userId: UserId,
    now: number,
  ) {
    this.since = now;
    this.idleSince = now;
  }

  /**
   * The one place an agent's status changes. Returns false for a no-op (same status and reason),
   * so that nobody is told about nothing.
   */
  setStatus(status: AgentStatus, now: number, reason?: string): boolean {
    if (status === this.status && reason === this.reason) return false;
    this.spent[this.status] += Math.max(0, now - this.since);
    if (status === 'available' && this.status !== 'available') this.idleSince = now;
    this.status = status;
    this.reason = reason;
    this.since = now;
    if (status !== 'after-call-work') {
      clearTimeout(this.afterCallTimer);
      this.afterCallTimer = undefined;
      this.afterCallUntil = undefined;
      this.endAfterCall = undefined;
    }
    if (status !== 'on-call' && status !== 'after-call-work') this.callId = undefined;
    return true;
  }

  timeInStatus(now: number): Record<AgentStatus, number> {
    const out = { ...this.spent };
    out[this.status] += Math.max(0, now - this.since);
    return out;
  }

  /** Free to be offered a call (the queue still checks membership, devices and busy). */
  isOfferable(): boolean {
    return this.status === 'available' && this.offeredCallId === undefined;
  }

  toState(): AgentState {
    return {
      userId: this.userId,
      status: this.status,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      since: this.since,
      ...(this.offeredCallId === undefined ? {} : { offeredCallId: this.offeredCallId }),
      ...(this.callId === undefined ? {} : { callId: this.callId }),
      ...(this.afterCallUntil === undefined ? {} : { afterCallUntil: this.afterCallUntil }),
      queues: [...this.memberships].map(([queue, m]) => ({ queue, tier: m.tier, skill: m.skill })),
      autoAnswer: this.autoAnswer,
      missedInRow: this.missedInRow,
    };
  }
}

export const AGENT_STATUSES = STATUSES;
