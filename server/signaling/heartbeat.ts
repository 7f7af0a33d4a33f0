import type { Logger } from '../logger.js';

/** What the sweep needs of a connection. */
export interface Heartbeating {
  readonly lastSeen: number;
  readonly userId: string | undefined;
  /** The signed-in session's deadline (its token's expiry); undefined before hello. */
  readonly sessionExpiresAt: number | undefined;
  ping(): void;
  terminate(): void;
  /** Closes the session whose deadline and grace passed (`session.closing token-expired`). */
  expire(): void;
}

export interface HeartbeatOptions {
  /** Connections quiet for half of this are pinged. */
  heartbeatIntervalMs: number;
  /** A connection silent this long is declared gone. */
  deadAfterMs: number;
  /**
   * A session is closed this long after its deadline when no `session.renew` moved it. Checked
   * in this sweep rather than by a timer per session: at most one period late.
   */
  renewGraceMs: number;
  logger: Logger;
  /** How often a slice of the connections is visited; 100 ms by default. */
  sliceMs?: number;
}

/**
 * Pings quiet connections and drops silent ones, visiting each connection once per period as
 * before, but spread over the period in small slices: one sweep over 10,000 sockets at once
 * queued 10,000 pings (and their pongs) in one burst and stalled call set-ups behind it.
 */
export class HeartbeatSweep {
  /** How long one full round over all connections takes. */
  readonly periodMs: number;
  private readonly sliceMs: number;
  private round: Iterator<Heartbeating> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly connections: ReadonlySet<Heartbeating>,
    private readonly options: HeartbeatOptions,
  ) {
    const { heartbeatIntervalMs, deadAfterMs } = options;
    this.periodMs = Math.min(heartbeatIntervalMs, Math.max(50, Math.floor(deadAfterMs / 3)));
    this.sliceMs = Math.min(this.periodMs, options.sliceMs ?? 100);
    this.timer = setInterval(() => {
      this.visitSlice();
    }, this.sliceMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Visits the next share of the connections. A Set iterator survives additions and removals:
   * new connections are visited in the current round or the next, closed ones are skipped.
   */
  private visitSlice(): void {
    const size = this.connections.size;
    if (size === 0) return;
    let budget = Math.ceil((size * this.sliceMs) / this.periodMs);
    const now = Date.now();
    const { heartbeatIntervalMs, deadAfterMs, renewGraceMs, logger } = this.options;
    // Bounded by the budget, and by one restart of the round when it runs out mid-slice.
    for (let restarted = false; budget > 0;) {
      this.round ??= this.connections.values();
      const next = this.round.next();
      if (next.done) {
        this.round = undefined;
        if (restarted) return;
        restarted = true;
        continue;
      }
      budget--;
      const c = next.value;
      const deadline = c.sessionExpiresAt;
      if (now - c.lastSeen > deadAfterMs) {
        logger.info({ userId: c.userId }, 'connection silent: declared gone');
        c.terminate();
      } else if (deadline !== undefined && now > deadline + renewGraceMs) {
        c.expire();
      } else if (now - c.lastSeen >= heartbeatIntervalMs / 2) c.ping();
    }
  }
}
