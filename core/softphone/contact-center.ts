import type {
  AgentState,
  ParsedEvent,
  QueueName,
  QueueOfferEntry,
  QueueSnapshot,
  SoftphoneCall,
  SoftphoneSnapshot,
} from '../../protocol/index.js';
import { SignalingError } from '../signaling/signaling-client.js';
import type { Session } from './session.js';

type QueuePosition = NonNullable<SoftphoneSnapshot['queuePositions']>[number];

/** How long an auto-answered offer rings (the "short tone") before this device answers it. */
export const DEFAULT_AUTO_ANSWER_DELAY_MS = 1_200;

export interface ContactCenterDeps {
  /** Something the renderer shows changed. */
  changed: () => void;
  /** Answers a ringing call on this device (the auto-answer of a queue offer). */
  answer: (session: Session, callId: string) => Promise<unknown>;
  /** A background request failed (logged, and shown unless it is only connectivity). */
  failed: (error: unknown, what: string) => void;
  now: () => number;
  autoAnswerDelayMs: number;
}

/**
 * The client side of seat calling: this user's agent status, the queue offers it receives (and
 * their auto-answer), and the queues a supervisor watches. Its state goes into the softphone
 * snapshot as optional fields, so a user who is no agent or supervisor sees nothing of it.
 */
export class ContactCenterClient {
  private agent: AgentState | undefined;
  private readonly offers = new Map<string, QueueOfferEntry>();
  private readonly watched = new Map<QueueName, QueueSnapshot | undefined>();
  private readonly positions = new Map<string, QueuePosition>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: ContactCenterDeps) {}

  /** Follows a session's events; returns the unsubscribe. */
  attach(session: Session): () => void {
    const offEvent = session.signaling.on('event', (event) => {
      this.onEvent(session, event);
    });
    const offReady = session.signaling.on('ready', () => {
      this.onReady(session);
    });
    return () => {
      offEvent();
      offReady();
    };
  }

  /** Sign-out: nothing of the previous user stays. */
  clear(): void {
    this.agent = undefined;
    this.offers.clear();
    this.positions.clear();
    this.watched.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** The snapshot fields; offers of calls no longer shown are dropped here. */
  snapshot(calls: readonly SoftphoneCall[]): Partial<SoftphoneSnapshot> {
    const shown = new Set(calls.map((c) => c.callId));
    for (const callId of this.offers.keys()) if (!shown.has(callId)) this.offers.delete(callId);
    // A queue call's place matters while it waits (no agent answered yet).
    const waiting = new Set(
      calls.filter((c) => c.state === 'ringback' || c.state === 'dialing').map((c) => c.callId),
    );
    for (const callId of this.positions.keys()) {
      if (!waiting.has(callId)) this.positions.delete(callId);
    }
    const out: Partial<SoftphoneSnapshot> = {};
    if (this.agent) out.agentState = structuredClone(this.agent);
    if (this.positions.size > 0)
      out.queuePositions = [...this.positions.values()].map((p) => ({ ...p }));
    if (this.offers.size > 0) out.queueOffers = [...this.offers.values()].map((o) => ({ ...o }));
    if (this.watched.size > 0) {
      out.supervisedQueues = [...this.watched.values()].flatMap((q) =>
        q ? [structuredClone(q)] : [],
      );
    }
    return out;
  }

  setAgent(agent: AgentState): AgentState {
    this.agent = agent;
    this.deps.changed();
    return agent;
  }

  async subscribe(session: Session, queues: readonly QueueName[]): Promise<void> {
    const result = await session.signaling.request('queue.subscribe', { queues: [...queues] });
    for (const q of result.queues) this.watched.set(q.config.name, q);
    this.deps.changed();
  }

  async unsubscribe(session: Session, queues: readonly QueueName[]): Promise<void> {
    for (const name of queues) this.watched.delete(name);
    this.deps.changed();
    await session.signaling.request('queue.unsubscribe', { queues: [...queues] });
  }

  private onReady(session: Session): void {
    session.signaling.request('agent.get', {}).then(
      ({ agent }) => this.setAgent(agent),
      (error: unknown) => {
        // Not an agent of any queue: the snapshot simply has no agent part.
        if (error instanceof SignalingError && error.code === 'forbidden') {
          this.agent = undefined;
          this.deps.changed();
        } else this.deps.failed(error, 'agent status');
      },
    );
    // Subscriptions do not outlive a connection: renew them after a reconnect.
    const names = [...this.watched.keys()];
    if (names.length > 0) {
      this.subscribe(session, names).catch((error: unknown) => {
        this.deps.failed(error, 'queue subscription');
      });
    }
  }

  private onEvent(session: Session, event: ParsedEvent): void {
    if (event.type === 'agent.status') {
      // Presence watchers hear other agents too: only this user's status is ours.
      if (event.data.userId === session.account.userId) this.setAgent(event.data);
    } else if (event.type === 'queue.state') {
      if (this.watched.has(event.data.config.name)) {
        this.watched.set(event.data.config.name, event.data);
        this.deps.changed();
      }
    } else if (event.type === 'queue.position') {
      this.positions.set(event.data.callId, { ...event.data, receivedAt: this.deps.now() });
      this.deps.changed();
    } else if (event.type === 'call.incoming' && event.data.queue) {
      const callId = event.data.call.callId;
      const known = this.offers.has(callId);
      this.offers.set(callId, { ...event.data.queue, callId, receivedAt: this.deps.now() });
      this.deps.changed();
      if (event.data.queue.autoAnswer && !known) this.autoAnswer(session, callId);
    }
  }

  /** The tone plays for a moment (the call rings as any other), then this device answers. */
  private autoAnswer(session: Session, callId: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const ringing = session.calls.get(callId)?.state === 'ringing';
      if (!ringing || session.failed) return;
      this.deps.answer(session, callId).catch((error: unknown) => {
        this.deps.failed(error, 'auto-answer');
      });
    }, this.deps.autoAnswerDelayMs);
    this.timers.add(timer);
  }
}
