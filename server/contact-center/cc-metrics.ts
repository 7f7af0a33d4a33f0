import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AgentStatus, QueueStats } from '../../protocol/index.js';
import { AGENT_STATUSES } from './agents.js';

/** What the metrics read at scrape time from the contact center. */
export interface ContactCenterGauges {
  /** Counters only (no per-agent part): cheap. */
  queueStats(): QueueStats[];
  agentStatuses(): Map<AgentStatus, number>;
  /** Per queue: its members' time in each status, summed. */
  queueAgentTimes(): { queue: string; timeInStatusMs: Record<AgentStatus, number> }[];
}

/** One scrape renders every collector in a row: the queue figures are computed once for all. */
const SCRAPE_CACHE_MS = 100;

/** Prometheus metrics of seat calling, on the server's registry. */
export function createContactCenterMetrics(registry: Registry, source: () => ContactCenterGauges) {
  const registers = [registry];
  let cached: { at: number; stats: QueueStats[] } | undefined;
  const stats = (): QueueStats[] => {
    const now = performance.now();
    if (!cached || now - cached.at > SCRAPE_CACHE_MS)
      cached = { at: now, stats: source().queueStats() };
    return cached.stats;
  };
  new Gauge({
    name: 'trayphone_cc_queue_waiting',
    help: 'Calls waiting in each queue now',
    labelNames: ['queue'] as const,
    registers,
    collect() {
      for (const s of stats()) this.set({ queue: s.queue }, s.waitingNow);
    },
  });
  new Gauge({
    name: 'trayphone_cc_queue_longest_wait_seconds',
    help: 'How long the longest-waiting call of each queue has waited',
    labelNames: ['queue'] as const,
    registers,
    collect() {
      for (const s of stats()) this.set({ queue: s.queue }, s.longestWaitMs / 1000);
    },
  });
  new Gauge({
    name: 'trayphone_cc_queue_service_level_ratio',
    help: 'Calls answered within the service-level threshold, of those that finished waiting',
    labelNames: ['queue'] as const,
    registers,
    collect() {
      for (const s of stats()) this.set({ queue: s.queue }, s.serviceLevelPct / 100);
    },
  });
  new Gauge({
    name: 'trayphone_cc_agents',
    help: 'Agents by status',
    labelNames: ['status'] as const,
    registers,
    collect() {
      const counts = source().agentStatuses();
      for (const status of AGENT_STATUSES) this.set({ status }, counts.get(status) ?? 0);
    },
  });
  new Gauge({
    // Summed per queue: one series per agent and status would make every scrape render
    // thousands of lines (tens of ms of a blocked event loop with 1,000 agents). Per-agent
    // times are in `queue.stats` (signaling) and `/admin/queues/:name/stats`.
    name: 'trayphone_cc_queue_agent_status_seconds',
    help: "Time the queue's agents spent in each status since the server started (summed)",
    labelNames: ['queue', 'status'] as const,
    registers,
    collect() {
      for (const q of source().queueAgentTimes()) {
        for (const status of AGENT_STATUSES) {
          this.set({ queue: q.queue, status }, q.timeInStatusMs[status] / 1000);
        }
      }
    },
  });
  return {
    calls: new Counter({
      name: 'trayphone_cc_queue_calls_total',
      help: 'Queue calls by outcome: entered, answered, abandoned, overflowed, timeout',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    decisions: new Counter({
      name: 'trayphone_cc_decisions_total',
      help: 'Distribution decisions: offer, no-agent, missed, break, overflow, timeout',
      labelNames: ['decision'] as const,
      registers,
    }),
    entryToOffer: new Histogram({
      name: 'trayphone_cc_entry_to_offer_seconds',
      help: 'From a call entering a queue to its first offer to an agent',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers,
    }),
    speedOfAnswer: new Histogram({
      name: 'trayphone_cc_speed_of_answer_seconds',
      help: 'From entering the queue to an agent answering',
      labelNames: ['queue'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 20, 30, 60, 120, 300],
      registers,
    }),
    handleTime: new Histogram({
      name: 'trayphone_cc_handle_seconds',
      help: 'From an agent answering to the end of the after-call work',
      labelNames: ['queue'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
  };
}
export type ContactCenterMetrics = ReturnType<typeof createContactCenterMetrics>;
