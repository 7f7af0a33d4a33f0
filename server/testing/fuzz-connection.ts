import WebSocket from 'ws';
import { z } from 'zod';
import {
  PROTOCOL_VERSION,
  errorBodySchema,
  parseServerFrame,
  requestIdSchema,
} from '../../protocol/index.js';
import { type Planned, idKey } from './fuzz-json.js';

/** Frames a connection may have unanswered at once: paces sends without serializing them. */
export const WINDOW = 24;
// ---------------------------------------------------------------------------------------------
// A connection that sends planned frames and accounts for every response.

const responseSchema = z.union([
  z.object({ id: requestIdSchema, ok: z.literal(true), data: z.unknown() }).strict(),
  z
    .object({ id: requestIdSchema.nullable(), ok: z.literal(false), error: errorBodySchema })
    .strict(),
]);
export type Response = z.infer<typeof responseSchema>;

export class FuzzConnection {
  readonly invalidFrames: string[] = [];
  readonly unexpected: string[] = [];
  readonly duplicates: string[] = [];
  readonly wrongCodes: string[] = [];
  readonly internalErrors: string[] = [];
  /** How many responses ended how: `ok` or the error code. */
  readonly outcomes = new Map<string, number>();
  readonly answered = new Map<string, Response>();
  readonly expected = new Map<string, Planned>();
  nullExpected = 0;
  nullReceived = 0;
  sent = 0;
  received = 0;
  closeCode: number | undefined;
  /** Sees each answer to a planned frame (a fuzzer learns the ids the server made). */
  onAnswer: ((planned: Planned, response: Response) => void) | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    readonly name: string,
    readonly socket: WebSocket,
    /** Whether a frame that is not a response is a valid event of this endpoint. */
    private readonly isEvent: (text: string) => boolean,
  ) {
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer) => {
      this.onFrame(data.toString('utf8'));
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake?.();
    });
  }

  /** Opens `url`; frames that are not responses must be events that `isEvent` accepts. */
  static async open(
    url: string,
    name: string,
    isEvent: (text: string) => boolean = (text) => parseServerFrame(text).kind === 'event',
  ): Promise<FuzzConnection> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    return new FuzzConnection(name, socket, isEvent);
  }

  /** Says hello and waits for the answer (outside the accounting). */
  async hello(token: string, deviceId: string): Promise<void> {
    const device = { id: deviceId, name: 'fuzz', platform: 'linux' };
    await this.request(`hello-${deviceId}`, 'hello', { protocol: PROTOCOL_VERSION, token, device });
  }

  /** Sends one request and resolves with its data; throws unless it succeeded. */
  async request(id: string, type: string, data: unknown, timeoutMs = 5_000): Promise<unknown> {
    const text = JSON.stringify({ id, type, data });
    this.socket.send(text);
    const key = idKey(id);
    this.expected.set(key, { kind: type, payload: Buffer.from(text), binary: false, expect: key });
    this.sent++;
    await this.settled(timeoutMs);
    const answer = this.answered.get(key);
    if (!answer?.ok) throw new Error(`${type} refused: ${JSON.stringify(answer)}`);
    return answer.data;
  }

  /** Sends the frames, at most WINDOW unanswered at once (pulled one by one: may be lazy). */
  async run(frames: Iterable<Planned>): Promise<void> {
    for (const frame of frames) {
      while (this.sent - this.received >= WINDOW && this.closeCode === undefined) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
      if (this.closeCode !== undefined) return;
      if (frame.expect === null) this.nullExpected++;
      else this.expected.set(frame.expect, frame);
      this.sent++;
      this.socket.send(frame.payload, { binary: frame.binary });
    }
  }

  /** Resolves when every frame sent has had a response, or the time is up. */
  async settled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received < this.sent && this.closeCode === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Frames that carried a valid id and have not been answered. */
  missing(): string[] {
    return [...this.expected.entries()]
      .filter(([key]) => !this.answered.has(key))
      .map(([key, p]) => `${key} (${p.kind}: ${p.payload.subarray(0, 120).toString('utf8')})`);
  }

  private onFrame(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.invalidFrames.push(`not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (json === null || typeof json !== 'object' || !('ok' in json)) {
      if (!this.isEvent(text)) this.invalidFrames.push(text.slice(0, 200));
      return;
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      this.invalidFrames.push(text.slice(0, 200));
      return;
    }
    const response = parsed.data;
    this.received++;
    this.wake?.();
    const outcome = response.ok ? 'ok' : response.error.code;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (!response.ok && response.error.code === 'internal') {
      this.internalErrors.push(text.slice(0, 200));
    }
    if (response.id === null) {
      this.nullReceived++;
      return;
    }
    const key = idKey(response.id);
    const planned = this.expected.get(key);
    if (!planned) this.unexpected.push(text.slice(0, 200));
    else if (this.answered.has(key)) this.duplicates.push(text.slice(0, 200));
    else {
      this.answered.set(key, response);
      try {
        this.onAnswer?.(planned, response);
      } catch (error) {
        // Thrown inside ws's 'message' event, it would stall the socket's reader for good.
        this.invalidFrames.push(`onAnswer failed: ${String(error)}`);
      }
      if (planned.code && planned.code !== outcome) {
        this.wrongCodes.push(`${planned.kind} ${key}: expected ${planned.code}, got ${outcome}`);
      }
    }
  }
}
