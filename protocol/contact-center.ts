import { z } from 'zod';
import { callIdSchema, userIdSchema } from './common.js';

/**
 * Seat calling (contact center): queues that callers call instead of a person, agents who take
 * the calls, supervisors who watch and listen (call-semantics.md, "Seat calling").
 *
 * A queue is addressed as `queue:<name>` wherever a callee is named in `call.invite`; user ids
 * never contain a colon, so the two never collide.
 */

export const QUEUE_ADDRESS_PREFIX = 'queue:';

export const queueNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'queue names are 1-64 of a-z 0-9 . _ - and start alphanumeric',
  );
export type QueueName = z.infer<typeof queueNameSchema>;

/** `queue:<name>`: a callee that is a queue. */
export const queueAddressSchema = z
  .string()
  .regex(/^queue:[a-z0-9][a-z0-9._-]{0,63}$/, 'a queue address is queue:<name>');

/** The queue name of a callee address, or undefined for a user id. */
export const queueOfAddress = (callee: string): QueueName | undefined =>
  callee.startsWith(QUEUE_ADDRESS_PREFIX) ? callee.slice(QUEUE_ADDRESS_PREFIX.length) : undefined;

/**
 * How a queue picks the agent to offer a call to:
 * - `longest-idle`: the available agent who has been waiting for a call the longest;
 * - `round-robin`: the next agent after the one offered last, in a fixed order;
 * - `ring-all`: every available agent at once, the first to answer takes it;
 * - `fewest-calls`: the agent who answered the fewest calls of this queue;
 * - `tiers`: tier 1 agents first (the most skilled among them), tier 2 after `escalateAfterMs`
 *   of waiting, tier 3 after twice that, and so on.
 */
export const queueStrategySchema = z.enum([
  'longest-idle',
  'round-robin',
  'ring-all',
  'fewest-calls',
  'tiers',
]);
export type QueueStrategy = z.infer<typeof queueStrategySchema>;

const ms = (min: number, max: number) => z.number().int().min(min).max(max);

/** The settings of a queue, without defaults (a patch names only what changes). */
const queueSettings = {
  displayName: z.string().min(1).max(100),
  strategy: queueStrategySchema,
  /** How long one agent rings before the call goes to the next. */
  offerTimeoutMs: ms(1_000, 300_000),
  /** How long a caller may wait; then the call overflows to `overflowTo`, or ends (`timeout`). */
  maxWaitMs: ms(1_000, 86_400_000),
  /** After a call the agent is in after-call work this long before the next offer. */
  afterCallWorkMs: ms(0, 3_600_000),
  /** An agent who lets this many offers in a row go unanswered is put on break (0: never). */
  maxNoAnswers: z.number().int().min(0).max(100),
  /** `tiers`: the next tier joins after each such period of waiting. */
  escalateAfterMs: ms(1_000, 3_600_000),
  /** Answered within this counts towards the service level. */
  serviceLevelMs: ms(1_000, 3_600_000),
};

/** A queue's configuration; every field but the name and strategy has a default. */
export const queueConfigSchema = z.object({
  name: queueNameSchema,
  displayName: queueSettings.displayName.optional(),
  strategy: queueSettings.strategy,
  offerTimeoutMs: queueSettings.offerTimeoutMs.default(15_000),
  maxWaitMs: queueSettings.maxWaitMs.default(600_000),
  overflowTo: queueNameSchema.optional(),
  afterCallWorkMs: queueSettings.afterCallWorkMs.default(10_000),
  maxNoAnswers: queueSettings.maxNoAnswers.default(3),
  escalateAfterMs: queueSettings.escalateAfterMs.default(30_000),
  serviceLevelMs: queueSettings.serviceLevelMs.default(20_000),
});
export type QueueConfig = z.infer<typeof queueConfigSchema>;
export type QueueConfigInput = z.input<typeof queueConfigSchema>;
/** A change to a queue (its name stays). `overflowTo: null` removes the overflow. */
export const queueConfigPatchSchema = z
  .object(queueSettings)
  .partial()
  .extend({ overflowTo: queueNameSchema.nullable().optional() })
  .strict();
export type QueueConfigPatch = z.infer<typeof queueConfigPatchSchema>;

/** An agent's place in a queue: lower tiers are asked first, higher skill first within a tier. */
export const queueMemberSchema = z.object({
  userId: userIdSchema,
  tier: z.number().int().min(1).max(9).default(1),
  skill: z.number().int().min(1).max(10).default(5),
});
export type QueueMember = z.infer<typeof queueMemberSchema>;

export const agentStatusSchema = z.enum([
  'available',
  'on-call',
  'after-call-work',
  'break',
  'logged-out',
]);
export type AgentStatus = z.infer<typeof agentStatusSchema>;

export const agentStateSchema = z.object({
  userId: userIdSchema,
  status: agentStatusSchema,
  /** Why on break (`no-answer` when the server put the agent there, or the agent's own). */
  reason: z.string().max(64).optional(),
  /** When the status last changed. */
  since: z.number(),
  /** A call being offered to the agent now (status stays `available` while it rings). */
  offeredCallId: callIdSchema.optional(),
  /** The call the agent is in (`on-call`) or just finished (`after-call-work`). */
  callId: callIdSchema.optional(),
  /** `after-call-work`: when it ends by itself (server clock), for the agent's countdown. */
  afterCallUntil: z.number().optional(),
  queues: z.array(
    z.object({ queue: queueNameSchema, tier: z.number().int(), skill: z.number().int() }),
  ),
  autoAnswer: z.boolean(),
  /** Offers in a row not answered. */
  missedInRow: z.number().int(),
});
export type AgentState = z.infer<typeof agentStateSchema>;

/** What an agent's `call.incoming` says about the queue the call comes from. */
export const queueOfferSchema = z.object({
  queue: queueNameSchema,
  callerId: userIdSchema,
  callerName: z.string(),
  /** How long the caller has waited in the queue so far. */
  waitMs: z.number(),
  /** The agent answers by itself after a short tone. */
  autoAnswer: z.boolean(),
});
export type QueueOffer = z.infer<typeof queueOfferSchema>;

/** The queue part of a call: which queue it came through and since when it waited. */
export const callQueueInfoSchema = z.object({
  queue: queueNameSchema,
  enteredAt: z.number(),
  agentId: userIdSchema.optional(),
});
export type CallQueueInfo = z.infer<typeof callQueueInfoSchema>;

export const agentStatsSchema = z.object({
  userId: userIdSchema,
  offered: z.number().int(),
  answered: z.number().int(),
  missed: z.number().int(),
  /** Total ms spent in calls of this queue (answer to end) plus their after-call work. */
  handleMs: z.number(),
  /** Ms spent in each status since the server started. */
  timeInStatusMs: z.record(agentStatusSchema, z.number()),
  /** `agent.stats`: the call figures count calls created from this time on (epoch ms). */
  since: z.number().optional(),
});
export type AgentStats = z.infer<typeof agentStatsSchema>;

export const queueStatsSchema = z.object({
  queue: queueNameSchema,
  waitingNow: z.number().int(),
  longestWaitMs: z.number(),
  entered: z.number().int(),
  answered: z.number().int(),
  abandoned: z.number().int(),
  overflowed: z.number().int(),
  timedOut: z.number().int(),
  /** Mean ms from entering the queue to an agent answering. */
  avgSpeedOfAnswerMs: z.number(),
  /** Percent of calls finished in the queue that were answered within `serviceLevelMs`. */
  serviceLevelPct: z.number(),
  /** Mean ms from answer to the end of the agent's after-call work. */
  avgHandleMs: z.number(),
  agents: z.array(agentStatsSchema),
});
export type QueueStats = z.infer<typeof queueStatsSchema>;

export const waitingCallSchema = z.object({
  callId: callIdSchema,
  callerId: userIdSchema,
  enteredAt: z.number(),
  position: z.number().int(),
  /** Agents ringing for it now. */
  offeredTo: z.array(userIdSchema),
});

export const queueSnapshotSchema = z.object({
  config: queueConfigSchema,
  waiting: z.array(waitingCallSchema),
  agents: z.array(agentStateSchema),
  /** Calls of this queue agents are in now. */
  active: z.array(
    z.object({ callId: callIdSchema, agentId: userIdSchema, callerId: userIdSchema }),
  ),
  stats: queueStatsSchema,
});
export type QueueSnapshot = z.infer<typeof queueSnapshotSchema>;

export const monitorModeSchema = z.enum(['listen', 'whisper', 'barge']);
export type MonitorMode = z.infer<typeof monitorModeSchema>;

const empty = z.object({}).strict();
/**
 * An answer with nothing in it yet. Not strict, unlike `empty` for request data: a client must
 * accept the members a newer server may add (forward compatibility, docs/protocol.md).
 */
const emptyResult = z.object({});
const queueList = z.array(queueNameSchema).min(1).max(50);

/** Requests of the contact center, merged into the signaling request table. */
export const contactCenterRequests = {
  /** The agent's own status change: `available`, `break` (with a reason) or `logged-out`. */
  'agent.setStatus': {
    data: z.object({
      status: z.enum(['available', 'break', 'logged-out']),
      reason: z.string().min(1).max(64).optional(),
    }),
    result: z.object({ agent: agentStateSchema }),
  },
  'agent.get': { data: empty, result: z.object({ agent: agentStateSchema }) },
  /**
   * The agent's own figures over its queues: calls offered, answered, missed and talk time from
   * the call records (so they survive a restart) since `since`, by default the server's local
   * midnight; the time in each status since the server started.
   */
  'agent.stats': {
    data: z.object({ since: z.number().int().min(0).optional() }).strict(),
    result: z.object({ stats: agentStatsSchema }),
  },
  /** The agent's own settings: auto-answer offers (the client answers after a short tone). */
  'agent.settings': {
    data: z.object({ autoAnswer: z.boolean() }),
    result: z.object({ agent: agentStateSchema }),
  },
  /** A supervisor of these queues watches them: `queue.state` follows every change. */
  'queue.subscribe': {
    data: z.object({ queues: queueList }),
    result: z.object({ queues: z.array(queueSnapshotSchema) }),
  },
  /** The queues this user supervises (empty for everyone else). */
  'supervisor.queues': {
    data: empty,
    result: z.object({
      queues: z.array(z.object({ name: queueNameSchema, displayName: z.string().optional() })),
    }),
  },
  'queue.unsubscribe': { data: z.object({ queues: queueList }), result: emptyResult },
  'queue.stats': {
    data: z.object({ queue: queueNameSchema }),
    result: z.object({ stats: queueStatsSchema }),
  },
  /**
   * A supervisor of the call's queue joins its media: `listen` hears both sides and is heard by
   * nobody, `whisper` is also heard by the agent alone, `barge` is a normal participant.
   */
  'supervisor.monitor': {
    data: z.object({ callId: callIdSchema, mode: monitorModeSchema }),
    result: z.object({
      ticket: z.string(),
      sfuUrl: z.string(),
      expiresAt: z.number(),
      agentId: userIdSchema,
    }),
  },
} as const;

/** Events of the contact center, merged into the signaling event table. */
export const contactCenterEvents = {
  /** To a caller waiting in a queue: its place changed (1 is next). */
  'queue.position': z.object({
    callId: callIdSchema,
    queue: queueNameSchema,
    position: z.number().int().min(1),
    waiting: z.number().int(),
    waitedMs: z.number(),
  }),
  /** An agent's status changed: to the agent's devices, its presence watchers and supervisors. */
  'agent.status': agentStateSchema,
  /** To supervisors subscribed to the queue: the queue as it is now. */
  'queue.state': queueSnapshotSchema,
} as const;

/** The queue part of a call record. */
export const recordQueueSchema = z.object({
  queue: queueNameSchema,
  /** Queues the call overflowed from, in order. */
  overflowedFrom: z.array(queueNameSchema).optional(),
  agentId: userIdSchema.optional(),
  /** Seconds from entering the (first) queue to an answer, or to leaving the queue. */
  waitSec: z.number(),
  outcome: z.enum(['answered', 'abandoned', 'timeout', 'overflowed']),
});
export type RecordQueue = z.infer<typeof recordQueueSchema>;
