import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type Log, forCall } from '../log/log.js';

/** Each call's state changes, one line each, carrying the call id (the log tells its story). */
export function logCallChanges(
  log: Log,
  before: SoftphoneSnapshot | undefined,
  after: SoftphoneSnapshot,
): void {
  const previous = new Map(before?.calls.map((c) => [c.callId, c.state]));
  for (const call of after.calls) {
    const was = previous.get(call.callId);
    if (was === call.state) continue;
    forCall(log, call.callId).info(
      {
        direction: call.direction,
        from: was ?? 'new',
        to: call.state,
        ...(call.endReason !== undefined ? { endReason: call.endReason } : {}),
        ...(call.info ? { caller: call.info.callerId, media: call.info.media } : {}),
      },
      'call state',
    );
  }
}
