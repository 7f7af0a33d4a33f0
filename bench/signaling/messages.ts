/** What the orchestrator (run.ts) and the load generators (generator.ts) say to each other over IPC. */

export interface BenchUser {
  userId: string;
  token: string;
}

export type ToGenerator =
  | { type: 'connect'; url: string; users: BenchUser[]; concurrency: number }
  | { type: 'step'; step: number; rate: number; warmupMs: number; measureMs: number }
  | { type: 'exit' };

export interface ConnectedReport {
  type: 'connected';
  signedIn: number;
  failed: number;
  errors: Record<string, number>;
  elapsedMs: number;
  /** Per socket: open + hello answered, in ms. */
  latencies: Float64Array;
}

/** One load step; "in window" means started (or, for completions, ended) in the measured window. */
export interface StepReport {
  type: 'step-done';
  step: number;
  windowMs: number;
  /** Cycles started in the window (the offered load actually placed). */
  started: number;
  /** Cycles whose last step landed in the window, whenever they started: the achieved rate. */
  completedInWindow: number;
  succeeded: number;
  failed: number;
  /** Wanted to start a cycle in the window but no two idle users were left. Counted as failures. */
  unplaced: number;
  failReasons: Record<string, number>;
  inviteToIncoming: Float64Array;
  acceptToAccepted: Float64Array;
  /** invite sent → both sides saw `call.ended`. */
  cycleMs: Float64Array;
  /** Worst invite→incoming (ms) of the cycles started in each second of the window. */
  worstPerSecond: Float64Array;
  maxInFlight: number;
  /** Largest lag of the pacing timer behind its schedule, in ms (a busy generator shows here). */
  maxPacingLagMs: number;
  openSockets: number;
}

export type FromGenerator =
  { type: 'ready' } | ConnectedReport | StepReport | { type: 'fatal'; message: string };
