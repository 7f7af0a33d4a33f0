import type {
  ErrorBody,
  SfuEventData,
  SfuEventType,
  SfuRequestData,
  SfuRequestResult,
  SfuRequestType,
} from '../../protocol/index.js';
import { isSfuEventType, sfuEvents, sfuRequests } from '../../protocol/index.js';
import { TypedEmitter } from '../../core/util/typed-emitter.js';

/** A request to the SFU failed. */
export class SfuError extends Error {
  override readonly name = 'SfuError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type SfuSocketEvents = {
  [T in SfuEventType]: [data: SfuEventData<T>];
} & { closed: [code: number] };

type Pending = { type: SfuRequestType; resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * The SFU WebSocket: requests correlated by id, every frame from the server checked against
 * `protocol/sfu.ts` before anyone sees it.
 */
export class SfuSocket extends TypedEmitter<SfuSocketEvents> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly socket: WebSocket) {
    super();
    socket.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') this.onFrame(ev.data);
    };
    socket.onclose = (ev: CloseEvent) => {
      for (const p of this.pending.values())
        p.reject(new SfuError('disconnected', 'SFU connection lost'));
      this.pending.clear();
      this.emit('closed', ev.code);
    };
  }

  static open(url: string): Promise<SfuSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.onopen = () => {
        resolve(new SfuSocket(socket));
      };
      socket.onerror = () => {
        reject(new SfuError('unreachable', `cannot reach the SFU at ${url}`));
      };
    });
  }

  request<T extends SfuRequestType>(
    type: T,
    data: SfuRequestData<T>,
    timeoutMs = 10_000,
  ): Promise<SfuRequestResult<T>> {
    if (this.socket.readyState !== WebSocket.OPEN) {
      // Closing or closed (the room ended under us): fail now instead of sending into the void.
      return Promise.reject(new SfuError('disconnected', `${type}: the SFU connection is closed`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SfuError('timeout', `${type}: no answer`));
      }, timeoutMs);
      this.pending.set(id, {
        type,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as SfuRequestResult<T>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.send(JSON.stringify({ id, type, data }));
    });
  }

  close(): void {
    this.socket.close(1000, 'leaving');
  }

  private onFrame(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const f = frame as {
      id?: unknown;
      ok?: unknown;
      data?: unknown;
      error?: ErrorBody;
      type?: unknown;
    };
    if (typeof f.id === 'number') {
      const pending = this.pending.get(f.id);
      if (!pending) return;
      this.pending.delete(f.id);
      if (f.ok === true) {
        const parsed = sfuRequests[pending.type].result.safeParse(f.data);
        if (parsed.success) pending.resolve(parsed.data);
        else pending.reject(new SfuError('invalid-response', `${pending.type}: malformed answer`));
      } else {
        pending.reject(
          new SfuError(f.error?.code ?? 'internal', f.error?.message ?? 'request failed'),
        );
      }
      return;
    }
    if (typeof f.type !== 'string' || !isSfuEventType(f.type)) return;
    const type = f.type;
    const parsed = sfuEvents[type].safeParse(f.data);
    if (parsed.success) this.dispatch(type, parsed.data);
  }

  private dispatch<T extends SfuEventType>(type: T, data: SfuEventData<T>): void {
    // The schema table and the event map are keyed alike; TypeScript cannot correlate them.
    const args = [data] as SfuSocketEvents[T];
    this.emit(type, ...args);
  }
}
