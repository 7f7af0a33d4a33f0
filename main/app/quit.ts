import type { SoftphoneApi, SoftphoneSnapshot } from '../../protocol/index.js';
import type { Log } from '../log/log.js';
import { forCall } from '../log/log.js';
import type { TimerPort } from './ports.js';

/** How each live call ends when the app quits: nobody is left ringing or talking to no one. */
export type QuitStep =
  | { command: 'decline'; callId: string }
  | { command: 'cancel'; callId: string }
  | { command: 'hangup'; callId: string };

export function callsToEnd(snapshot: SoftphoneSnapshot): QuitStep[] {
  const steps: QuitStep[] = [];
  for (const call of snapshot.calls) {
    switch (call.state) {
      case 'ringing':
        steps.push({ command: 'decline', callId: call.callId });
        break;
      case 'dialing':
      case 'ringback':
        steps.push({ command: 'cancel', callId: call.callId });
        break;
      case 'answering':
      case 'active':
        steps.push({ command: 'hangup', callId: call.callId });
        break;
      // 'elsewhere': in a call on another device of the user; quitting here must not end it there.
      case 'elsewhere':
      case 'idle':
      case 'ended':
        break;
    }
  }
  return steps;
}

/** Quitting never waits longer than this for the server's answers. */
export const QUIT_TIMEOUT_MS = 3_000;

const within = <T>(timers: TimerPort, ms: number, work: Promise<T>): Promise<T | 'timeout'> =>
  new Promise((resolve) => {
    const timer = timers.setTimeout(() => {
      resolve('timeout');
    }, ms);
    work.then(
      (value) => {
        timers.clearTimeout(timer);
        resolve(value);
      },
      () => {
        timers.clearTimeout(timer);
        resolve('timeout');
      },
    );
  });

type CallEnder = Pick<SoftphoneApi, 'getSnapshot' | 'decline' | 'cancel' | 'hangup'>;

/**
 * Ends every live call (decline / cancel / hang up, concurrently), bounded by a timeout so a dead
 * connection cannot hold the caller up. `why` starts each log line (quitting, a crash loop).
 */
export async function endLiveCalls(
  softphone: CallEnder,
  timers: TimerPort,
  log: Log,
  timeoutMs: number,
  why: string,
): Promise<void> {
  const snapshot = await within(timers, timeoutMs, softphone.getSnapshot({}));
  if (snapshot === 'timeout') return;
  const steps = callsToEnd(snapshot);
  const results = await within(
    timers,
    timeoutMs,
    Promise.allSettled(
      steps.map(async (step) => {
        forCall(log, step.callId).info({ command: step.command }, `${why}: ending call`);
        await softphone[step.command]({ callId: step.callId });
      }),
    ),
  );
  if (results === 'timeout') {
    log.warn({ calls: steps.length }, `${why}: server did not answer in time`);
    return;
  }
  results.forEach((r, i) => {
    const step = steps[i];
    if (r.status === 'rejected' && step) {
      forCall(log, step.callId).warn({ err: r.reason as unknown }, `${why}: could not end call`);
    }
  });
}

/** Ends every live call as above, then closes the connection: quitting. */
export async function endCallsAndClose(
  softphone: CallEnder & { close(): Promise<void> },
  timers: TimerPort,
  log: Log,
  timeoutMs = QUIT_TIMEOUT_MS,
): Promise<void> {
  await endLiveCalls(softphone, timers, log, timeoutMs, 'quitting');
  await within(timers, timeoutMs, softphone.close());
}
