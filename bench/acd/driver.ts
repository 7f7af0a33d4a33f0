import { eventType, okResponseId, openSession, type Session } from '../signaling/lean-client.js';
import type { BenchUser } from '../signaling/messages.js';

/**
 * The bench's clients in this process: agents that auto-answer every offer after a tone and hang
 * up after a talk time, and callers that call the queues open-loop. Frames are read cheaply (an
 * event's type from its prefix); only offers and error answers are parsed in full.
 */

interface Agent {
  session: Session | undefined;
  nextId: number;
  /** Request id of a `call.accept` → its call id. */
  accepting: Map<number, string>;
  /** Request id of a set-up request → what to do with its answer's text. */
  settingUp: Map<number, (text: string) => void>;
}

interface Caller {
  session: Session | undefined;
  nextId: number;
}

export interface DriverCounters {
  invited: number;
  inviteErrors: number;
  offers: number;
  answered: number;
  acceptErrors: number;
  otherErrors: number;
}

export class AcdDriver {
  private readonly agents: Agent[] = [];
  private readonly callers: Caller[] = [];
  /** performance.now() when each call's invite was sent, until its first offer arrives. */
  private readonly sentAt = new Map<string, number>();
  private seq = 0;
  private callerTurn = 0;
  measuring = false;
  readonly latencies: number[] = [];
  counters: DriverCounters = this.zero();
  readonly errorCodes = new Map<string, number>();

  constructor(
    private readonly wsUrl: string,
    private readonly timing: { toneMs: number; talkMs: number },
  ) {}

  zero(): DriverCounters {
    return { invited: 0, inviteErrors: 0, offers: 0, answered: 0, acceptErrors: 0, otherErrors: 0 };
  }

  /** Signs the agents in, `concurrency` at a time; each turns auto-answer on and goes available. */
  async connectAgents(users: readonly BenchUser[], concurrency: number): Promise<void> {
    await inBatches(users, concurrency, async (user) => {
      const agent: Agent = {
        session: undefined,
        nextId: 1,
        accepting: new Map(),
        settingUp: new Map(),
      };
      const session = openSession(
        this.wsUrl,
        user.token,
        {
          onFrame: (text) => {
            this.agentFrame(agent, text);
          },
          onClose: () => undefined,
        },
        20_000,
      );
      agent.session = session;
      await session.ready;
      await this.request(agent, 'agent.settings', { autoAnswer: true });
      await this.request(agent, 'agent.setStatus', { status: 'available' });
      this.agents.push(agent);
    });
  }

  async connectCallers(users: readonly BenchUser[]): Promise<void> {
    await inBatches(users, 20, async (user) => {
      const caller: Caller = { session: undefined, nextId: 1 };
      const session = openSession(
        this.wsUrl,
        user.token,
        {
          onFrame: (text) => {
            this.callerFrame(text);
          },
          onClose: () => undefined,
        },
        20_000,
      );
      caller.session = session;
      await session.ready;
      this.callers.push(caller);
    });
  }

  /** One call into `queue` from the next caller. */
  invite(queue: string): void {
    const caller = this.callers[this.callerTurn++ % this.callers.length];
    if (!caller) return;
    const callId = `acd-call-${String(++this.seq).padStart(8, '0')}`;
    this.sentAt.set(callId, performance.now());
    caller.session?.send(
      JSON.stringify({
        id: caller.nextId++,
        type: 'call.invite',
        data: { callId, callees: [`queue:${queue}`], media: 'audio' },
      }),
    );
    if (this.measuring) this.counters.invited++;
  }

  /** Calls invited and never offered yet (so far). */
  unoffered(): number {
    return this.sentAt.size;
  }

  close(): void {
    for (const c of [...this.agents, ...this.callers]) c.session?.terminate();
  }

  private callerFrame(text: string): void {
    if (okResponseId(text) !== undefined || eventType(text) !== undefined) return;
    const frame = JSON.parse(text) as { ok?: boolean; error?: { code?: string } };
    if (frame.ok === false) {
      if (this.measuring) this.counters.inviteErrors++;
      this.countError(`invite:${frame.error?.code ?? '?'}`);
    }
  }

  private agentFrame(agent: Agent, text: string): void {
    const type = eventType(text);
    if (type === 'call.incoming') {
      const now = performance.now();
      const { data } = JSON.parse(text) as { data: { call: { callId: string } } };
      const { callId } = data.call;
      const sent = this.sentAt.get(callId);
      if (sent !== undefined) {
        this.sentAt.delete(callId);
        if (this.measuring) this.latencies.push(now - sent);
      }
      if (this.measuring) this.counters.offers++;
      agent.session?.send(
        JSON.stringify({ id: agent.nextId++, type: 'call.ack', data: { callId } }),
      );
      setTimeout(() => {
        const id = agent.nextId++;
        agent.accepting.set(id, callId);
        agent.session?.send(JSON.stringify({ id, type: 'call.accept', data: { callId } }));
      }, this.timing.toneMs);
      return;
    }
    if (type !== undefined) return;
    if (agent.settingUp.size > 0 && this.settledSetUp(agent, text)) return;
    const id = okResponseId(text);
    if (id !== undefined) {
      const callId = agent.accepting.get(id);
      if (callId === undefined) return;
      agent.accepting.delete(id);
      if (this.measuring) this.counters.answered++;
      setTimeout(() => {
        agent.session?.send(
          JSON.stringify({ id: agent.nextId++, type: 'call.hangup', data: { callId } }),
        );
      }, this.timing.talkMs);
      return;
    }
    const frame = JSON.parse(text) as { id?: number; ok?: boolean; error?: { code?: string } };
    if (frame.ok !== false) return;
    if (typeof frame.id === 'number' && agent.accepting.delete(frame.id)) {
      // Lost a race (the caller's call ended first): counted, not a failure of the bench.
      if (this.measuring) this.counters.acceptErrors++;
    } else if (this.measuring) this.counters.otherErrors++;
    this.countError(`agent:${frame.error?.code ?? '?'}`);
  }

  private countError(key: string): void {
    this.errorCodes.set(key, (this.errorCodes.get(key) ?? 0) + 1);
  }

  /** A request during set-up, answered before the next one goes. */
  private request(agent: Agent, type: string, data: unknown): Promise<void> {
    const id = agent.nextId++;
    return new Promise((resolve, reject) => {
      agent.settingUp.set(id, (text) => {
        if (okResponseId(text) === id) resolve();
        else reject(new Error(`${type} refused: ${text.slice(0, 200)}`));
      });
      agent.session?.send(JSON.stringify({ id, type, data }));
    });
  }

  /** Whether `text` answered a set-up request (and was handled). */
  private settledSetUp(agent: Agent, text: string): boolean {
    for (const [id, settle] of agent.settingUp) {
      if (!text.startsWith(`{"id":${String(id)},`)) continue;
      agent.settingUp.delete(id);
      settle(text);
      return true;
    }
    return false;
  }
}

async function inBatches<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}
