import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server process, in a registry of its own (tests run several). */
type CallCounts = { ringing: number; active: number };

export function createMetrics() {
  const registry = new Registry();
  let callCounts: () => CallCounts = () => ({ ringing: 0, active: 0 });
  collectDefaultMetrics({ register: registry });
  const connections = new Gauge({
    name: 'trayphone_connections',
    help: 'Open signaling WebSocket connections (signed in or not)',
    registers: [registry],
  });
  const sessions = new Gauge({
    name: 'trayphone_sessions',
    help: 'Signed-in device sessions',
    registers: [registry],
  });
  const calls = new Gauge({
    name: 'trayphone_calls',
    help: 'Calls in progress by state',
    labelNames: ['state'] as const,
    registers: [registry],
    // Read from the call engine at scrape time rather than tracked on every change.
    collect() {
      const counts = callCounts();
      this.set({ state: 'ringing' }, counts.ringing);
      this.set({ state: 'active' }, counts.active);
    },
  });
  const callsStarted = new Counter({
    name: 'trayphone_calls_started_total',
    help: 'Calls invited',
    registers: [registry],
  });
  const callsEnded = new Counter({
    name: 'trayphone_calls_ended_total',
    help: 'Calls ended, by end reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const inviteToRing = new Histogram({
    name: 'trayphone_invite_to_ring_seconds',
    help: 'From an invitation reaching the server to the first callee device acknowledging it',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const frames = new Counter({
    name: 'trayphone_frames_total',
    help: 'Signaling frames received, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'trayphone_webhooks_total',
    help: 'Webhook deliveries by event and outcome',
    labelNames: ['event', 'outcome'] as const,
    registers: [registry],
  });
  let webhookBacklog: () => number = () => 0;
  new Gauge({
    name: 'trayphone_webhook_outbox',
    help: 'Webhooks written to the outbox and not yet delivered or given up (this run and earlier)',
    registers: [registry],
    collect() {
      this.set(webhookBacklog());
    },
  });
  return {
    registry,
    connections,
    sessions,
    calls,
    callsStarted,
    callsEnded,
    inviteToRing,
    frames,
    webhooks,
    countCallsWith(source: () => CallCounts) {
      callCounts = source;
    },
    watchWebhookBacklog(source: () => number) {
      webhookBacklog = source;
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
