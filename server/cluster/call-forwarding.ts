import { randomUUID } from 'node:crypto';
import { type CallInfo, ProtocolError, queueOfAddress, requests } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { Services } from '../signaling/context.js';
import { EncodedResult } from '../signaling/encoded-result.js';
import { handlers } from '../signaling/handlers/index.js';
import type { Handler, HandlerResult, SessionRequestType } from '../signaling/handlers/types.js';
import type { Session } from '../signaling/sessions.js';
import type { ClusterBus } from './bus.js';
import { ownerOf } from './call-ownership.js';
import { RemoteSession } from './cluster-sessions.js';
import { type NodeMessage, type RemoteDevice, nodeChannel } from './messages.js';

/** Requests that name a call: the call's owner node decides them. */
const CALL_REQUESTS = new Set<SessionRequestType>([
  'call.invite',
  'call.ack',
  'call.accept',
  'call.refuse',
  'call.cancel',
  'call.hangup',
  'call.add',
  'call.moveHere',
  'call.control',
  'media.ticket',
]);

type ForwardedType = SessionRequestType;

/** The owner node did not answer in time (or is unreachable): typed, so callers can retry. */
export class OwnerUnreachableError extends ProtocolError {
  constructor(readonly ownerNodeId: string) {
    super('internal', 'the node that holds this call did not answer; retry shortly');
  }
}

const callIdOf = (data: unknown): string | undefined =>
  typeof data === 'object' && data !== null && 'callId' in data && typeof data.callId === 'string'
    ? data.callId
    : undefined;

interface Pending {
  type: ForwardedType;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  done: () => void;
}

/** How often a forwarded request still unanswered checks that the owner holds its lease. */
const WATCH_OWNER_MS = 200;

/**
 * Requests for a call this node does not hold go to the call's owner node (RPC over the owner's
 * node channel, answered on this node's); the owner runs the very handler a local request would
 * run, with the requesting device as a RemoteSession, so it decides synchronously and in the
 * order requests reach it, as in one process. The call's frames flow back through the router
 * (the owner publishes them before the answer, on the same connection: they arrive first).
 */
export class CallForwarding {
  private readonly pending = new Map<string, Pending>();
  private services: Services | undefined;

  constructor(
    private readonly o: {
      nodeId: string;
      bus: ClusterBus;
      timeoutMs: number;
      logger: Logger;
      /** Is this node allowed to decide (holds its lease)? */
      deciding: () => boolean;
    },
  ) {}

  attach(services: Services): void {
    this.services = services;
  }

  /** The handler to run for a request of this type: forwarding first, where it names a call. */
  handlerFor<T extends SessionRequestType>(type: T, local: Handler<T>): Handler<T> {
    if (!CALL_REQUESTS.has(type)) return local;
    return async (ctx, data) => {
      for (let attempt = 0; ; attempt++) {
        const owner = await this.ownerElsewhere(ctx.services, type, data);
        if (owner === undefined) return local(ctx, data);
        try {
          return (await this.forward(owner, ctx.session, type, data)) as HandlerResult<T>;
        } catch (error) {
          // The owner died with the request unanswered: it decided nothing that stays (what it
          // had not committed is lost with it), so the node that takes the call over decides.
          if (!(error instanceof OwnerUnreachableError) || attempt > 0) throw error;
        }
      }
    };
  }

  /** An owner node other than this one, when the call is not here. */
  private async ownerElsewhere(
    services: Services,
    type: SessionRequestType,
    data: unknown,
  ): Promise<string | undefined> {
    const callId = callIdOf(data);
    if (callId === undefined || services.calls.get(callId)) return undefined;
    if (type === 'call.invite' && queueOfAddress(this.firstCallee(data)) !== undefined)
      return undefined;
    // An owner without a lease is dead or fenced: its calls are about to be taken over, so the
    // request waits for the new owner (within the forwarding timeout) rather than for silence.
    const giveUpAt = performance.now() + this.o.timeoutMs;
    for (;;) {
      const { owner, alive } = await ownerOf(this.o.bus, callId);
      if (owner === undefined || owner === this.o.nodeId) return undefined;
      if (alive) return owner;
      if (performance.now() > giveUpAt) throw new OwnerUnreachableError(owner);
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (services.calls.get(callId)) return undefined; // Taken over here meanwhile.
    }
  }

  private firstCallee(data: unknown): string {
    const parsed = requests['call.invite'].data.safeParse(data);
    return parsed.success ? (parsed.data.callees[0] ?? '') : '';
  }

  private forward(
    owner: string,
    session: Session,
    type: ForwardedType,
    data: unknown,
  ): Promise<unknown> {
    const id = randomUUID();
    const entry: RemoteDevice = {
      nodeId: this.o.nodeId,
      sessionId: session.sessionId,
      userId: session.userId,
      device: session.device,
      connectedAt: session.connectedAt,
      expiresAt: session.expiresAt,
    };
    const callId = callIdOf(data) ?? '';
    return new Promise((resolve, reject) => {
      const giveUp = (why: string): void => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        clearInterval(watch);
        this.o.logger.warn({ owner, type, callId, why }, 'forwarded request unanswered');
        reject(new OwnerUnreachableError(owner));
      };
      const timer = setTimeout(() => {
        giveUp('timed out');
      }, this.o.timeoutMs);
      // While waiting, the owner's lease is watched: a dead owner is given up on at once.
      const watch = setInterval(() => {
        void ownerOf(this.o.bus, callId).then(
          (now) => {
            if (now.owner !== owner || !now.alive) giveUp('owner gone');
          },
          () => undefined,
        );
      }, WATCH_OWNER_MS);
      this.pending.set(id, {
        type,
        resolve,
        reject,
        timer,
        done: () => {
          clearInterval(watch);
        },
      });
      this.o.bus.publish(nodeChannel(owner), {
        t: 'request',
        id,
        from: this.o.nodeId,
        type,
        session: entry,
        data,
      } satisfies NodeMessage);
    });
  }

  /** An answer to one of this node's forwarded requests. */
  answered(message: Extract<NodeMessage, { t: 'answer' }>): void {
    const pending = this.pending.get(message.id);
    if (!pending) return; // Timed out already.
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    pending.done();
    if (!message.ok) {
      const { code = 'internal', message: text = 'the owner node refused', call } = message;
      pending.reject(new ProtocolError(code, text, call));
      return;
    }
    const parsed = requests[pending.type].result.safeParse(message.result);
    if (parsed.success) pending.resolve(parsed.data);
    else pending.reject(new ProtocolError('internal', 'the owner node answered unreadably'));
  }

  /** A request forwarded here by another node: decided as if its device were connected here. */
  async handle(message: Extract<NodeMessage, { t: 'request' }>): Promise<void> {
    const answer = (body: Record<string, unknown>): void => {
      this.o.bus.publishDurable(nodeChannel(message.from), {
        t: 'answer',
        id: message.id,
        ...body,
      });
    };
    const services = this.services;
    const type = message.type as SessionRequestType;
    const schema = CALL_REQUESTS.has(type) ? requests[type].data : undefined;
    const data = schema?.safeParse(message.data);
    if (!services || !data?.success || !this.o.deciding()) {
      answer({ ok: false, code: 'internal', message: 'this node does not decide this request' });
      return;
    }
    const session = new RemoteSession(message.session, this.o.bus);
    const handler = handlers[type] as Handler<typeof type>;
    try {
      const result = await handler({ session, services }, data.data);
      const json: unknown = result instanceof EncodedResult ? JSON.parse(result.json()) : result;
      answer({ ok: true, result: json });
    } catch (error) {
      if (error instanceof ProtocolError) {
        answer({
          ok: false,
          ...(error.toBody() as { code: string; message: string; call?: CallInfo }),
        });
        return;
      }
      this.o.logger.error({ err: error, type }, 'forwarded request failed');
      answer({ ok: false, code: 'internal', message: 'internal error' });
    }
  }

  close(): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.done();
      pending.reject(new ProtocolError('server-shutting-down', 'the server is stopping'));
      this.pending.delete(id);
    }
  }
}
