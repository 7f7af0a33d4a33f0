import type { Registry } from 'prom-client';
import type {
  AgentState,
  AgentStats,
  AgentStatus,
  CallInfo,
  Leg,
  QueueConfig,
  QueueConfigInput,
  QueueConfigPatch,
  QueueMember,
  QueueName,
  QueueSnapshot,
  QueueStats,
  RecordQueue,
  RequestData,
  UserId,
} from '../../protocol/index.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { MediaPlane, QueueHooks } from '../calls/ports.js';
import type { Logger } from '../logger.js';
import type { MessageRouter, Session, SessionRegistry } from '../signaling/sessions.js';
import type { ContactCenterStore } from '../store/contact-center.js';
import type { RecordStore, UserStore } from '../store/types.js';
import { AgentRoster } from './agent-roster.js';
import { AGENT_STATUSES } from './agents.js';
import { createContactCenterMetrics } from './cc-metrics.js';
import { Distribution } from './distribution.js';
import { QueueCalls } from './queue-calls.js';
import { type QueueListing, QueueDirectory } from './queue-directory.js';
import { queueRecordOf } from './queue-record.js';
import { SupervisorFeed } from './supervisor-feed.js';

export interface ContactCenterOptions {
  calls: CallEngine;
  /** Where a supervisor's listen/whisper peer is taken out of a call's media room. */
  media?: Pick<MediaPlane, 'participantLeft'>;
  router: MessageRouter;
  sessions: SessionRegistry;
  /** Sessions watching a user's presence: they hear `agent.status` too. */
  presenceWatchers: (userId: UserId) => Iterable<Session>;
  store: ContactCenterStore;
  users: UserStore;
  /** Call records: an agent's own figures are counted from them (they survive a restart). */
  records?: RecordStore;
  registry: Registry;
  logger: Logger;
  now?: () => number;
  /** A safety net: queues with waiting calls are looked at again this often. */
  sweepIntervalMs?: number;
}

/**
 * Seat calling as the rest of the server sees it, composed of its managers: the queue directory
 * (queues, members, supervisors and their administration), the distribution (waiting calls and
 * offers), the agent roster (agents' statuses and after-call work) and the supervisor feed
 * (queue state, statistics, monitoring). This class builds and wires them, and answers for them;
 * it decides nothing itself.
 */
export class ContactCenter implements QueueHooks {
  private readonly directory: QueueDirectory;
  private readonly queueCalls = new QueueCalls();
  private readonly distribution: Distribution;
  private readonly roster: AgentRoster;
  private readonly feed: SupervisorFeed;
  private readonly now: () => number;

  constructor(o: ContactCenterOptions) {
    this.now = o.now ?? Date.now;
    const log = o.logger.child({ component: 'contact-center' });
    const now = this.now;
    const directory = new QueueDirectory(o.store, now, log);
    const { calls, router, sessions } = o;
    const feed = new SupervisorFeed({
      directory,
      queueCalls: this.queueCalls,
      calls,
      media: o.media,
      sessions,
      log,
      now,
    });
    const metrics = createContactCenterMetrics(o.registry, () => ({
      queueStats: () => feed.allStats(false),
      queueAgentTimes: () => {
        const at = this.now();
        return [...directory.allQueues()].map((q) => {
          const sum = {
            available: 0,
            'on-call': 0,
            'after-call-work': 0,
            break: 0,
            'logged-out': 0,
          };
          for (const userId of q.order) {
            const times = directory.agent(userId)?.timeInStatus(at);
            if (times) for (const status of AGENT_STATUSES) sum[status] += times[status];
          }
          return { queue: q.name, timeInStatusMs: sum };
        });
      },
      agentStatuses: () => {
        const counts = new Map<AgentStatus, number>();
        for (const a of directory.agents.values())
          counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
        return counts;
      },
    }));
    const roster = new AgentRoster({
      directory,
      feed,
      calls,
      router,
      presenceWatchers: o.presenceWatchers,
      store: o.store,
      records: o.records,
      metrics,
      log,
      now,
    });
    const distribution = new Distribution({
      directory,
      queueCalls: this.queueCalls,
      roster,
      feed,
      calls,
      router,
      sessions,
      users: o.users,
      metrics,
      log,
      now,
      sweepIntervalMs: o.sweepIntervalMs,
    });
    roster.on('free', (agent) => {
      distribution.agentFree(agent);
    });
    directory.on('queue-configured', (queue) => {
      distribution.dispatch(queue);
      feed.changed(queue);
    });
    directory.on('members-changed', (queue) => {
      feed.changed(queue);
    });
    directory.on('agent-changed', (agent, joined) => {
      roster.announce(agent);
      if (joined) distribution.agentFree(agent);
    });
    directory.on('supervision-ended', (queue, userId) => {
      feed.supervisionEnded(queue, userId);
    });
    this.directory = directory;
    this.feed = feed;
    this.roster = roster;
    this.distribution = distribution;
  }

  close(): void {
    this.distribution.close();
    this.feed.close();
    this.roster.close();
  }

  // ---- the engine's queue hooks --------------------------------------------------------------

  legChanged(call: CallInfo, leg: Leg): void {
    this.distribution.legChanged(call, leg);
  }

  queueRecord(call: CallInfo): RecordQueue | undefined {
    const known = {
      waiting: this.queueCalls.waiting(call.callId),
      answered: this.queueCalls.answered(call.callId),
    };
    return queueRecordOf(call, known, this.now());
  }

  callEnded(call: CallInfo): void {
    this.distribution.callEnded(call);
  }

  // ---- callers: the distribution -------------------------------------------------------------

  enqueue(session: Session, data: RequestData<'call.invite'>, name: QueueName): Promise<CallInfo> {
    return this.distribution.enqueue(session, data, name);
  }

  adoptRestored(): Promise<void> {
    return this.distribution.adoptRestored();
  }

  // ---- administration: the directory ---------------------------------------------------------

  load(): Promise<void> {
    return this.directory.load();
  }

  listQueues(): QueueListing[] {
    return this.directory.listQueues();
  }

  getQueue(name: QueueName): QueueListing | undefined {
    return this.directory.getQueue(name);
  }

  createQueue(input: QueueConfigInput): Promise<QueueConfig> {
    return this.directory.createQueue(input);
  }

  updateQueue(name: QueueName, patch: QueueConfigPatch): Promise<QueueConfig> {
    return this.directory.updateQueue(name, patch);
  }

  /** Deletes a queue; calls still waiting in it end as timed out by the queue's owner. */
  deleteQueue(name: QueueName, endWaiting: (callId: string) => void): Promise<void> {
    return this.directory.deleteQueue(name, endWaiting);
  }

  setMember(
    name: QueueName,
    input: { userId: UserId; tier?: number; skill?: number },
  ): Promise<QueueMember> {
    return this.directory.setMember(name, input);
  }

  removeMember(name: QueueName, userId: UserId): Promise<boolean> {
    return this.directory.removeMember(name, userId);
  }

  setSupervisor(name: QueueName, userId: UserId, supervisor: boolean): Promise<void> {
    return this.directory.setSupervisor(name, userId, supervisor);
  }

  // ---- agents: the roster --------------------------------------------------------------------

  setOwnStatus(
    userId: UserId,
    status: 'available' | 'break' | 'logged-out',
    reason?: string,
  ): AgentState {
    return this.roster.setOwnStatus(userId, status, reason);
  }

  userOffline(userId: UserId): void {
    this.roster.userOffline(userId);
  }

  agentState(userId: UserId): AgentState {
    return this.roster.agentState(userId);
  }

  ownStats(userId: UserId, since?: number): Promise<AgentStats> {
    return this.roster.ownStats(userId, since);
  }

  setAutoAnswer(userId: UserId, autoAnswer: boolean): Promise<AgentState> {
    return this.roster.setAutoAnswer(userId, autoAnswer);
  }

  // ---- supervisors: the feed -----------------------------------------------------------------

  supervisedQueues(userId: UserId): { name: QueueName; displayName?: string }[] {
    return this.feed.supervisedQueues(userId);
  }

  subscribe(session: Session, names: readonly QueueName[]): QueueSnapshot[] {
    return this.feed.subscribe(session, names);
  }

  unsubscribe(session: Session, names: readonly QueueName[]): void {
    this.feed.unsubscribe(session, names);
  }

  stats(userId: UserId, name: QueueName): QueueStats {
    return this.feed.stats(userId, name);
  }

  allStats(perAgent = true): QueueStats[] {
    return this.feed.allStats(perAgent);
  }

  monitorTarget(userId: UserId, callId: string): UserId {
    return this.feed.monitorTarget(userId, callId);
  }

  barge(userId: UserId, deviceId: string, callId: string): void {
    this.feed.barge(userId, deviceId, callId);
  }

  mayMonitor(callId: string, userId: UserId): boolean {
    return this.feed.mayMonitor(callId, userId);
  }
}
