import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorBody, ParsedEvent, RequestType } from '../../protocol/index.js';
import type { ChaosDevice, DeviceObserver, HelloResult } from './device.js';
import type { Ledger } from './ledger.js';
import type { Rng } from './rng.js';

export interface AgentBehaviour {
  rng: Rng;
  holdMs: readonly [number, number];
  /** Share of offers an agent answers (the rest ring out to the next agent). */
  answerShare: number;
  isAgent(userId: string): boolean;
}

/**
 * The devices' observer: everything goes to the ledger; agents also act on what they see, as an
 * agent at a desk would: ready again after every sign-in (a restarted server starts them
 * logged out), most offers answered after a moment, some calls hung up by the agent.
 */
export function observeAndAct(ledger: Ledger, agents: AgentBehaviour): DeviceObserver {
  const act = (task: Promise<unknown>): void => {
    task.catch(() => {
      // A lost step of an agent needs nothing: the caller's side settles the call.
    });
  };
  return {
    hello(device: ChaosDevice, hello: HelloResult, at: number) {
      ledger.hello(device, hello, at);
      if (agents.isAgent(device.userId))
        act(device.request('agent.setStatus', { status: 'available' }));
    },
    event(device: ChaosDevice, event: ParsedEvent, at: number) {
      ledger.event(device, event, at);
      if (event.type !== 'call.incoming' || !event.data.queue || !agents.isAgent(device.userId))
        return;
      const { callId } = event.data.call;
      if (!agents.rng.chance(agents.answerShare)) return;
      act(
        (async () => {
          await sleep(agents.rng.int(20, 200));
          const accepted = await device.request('call.accept', { callId });
          if (accepted.kind !== 'ok' || agents.rng.chance(0.5)) return;
          await sleep(agents.rng.int(agents.holdMs[0], agents.holdMs[1]));
          await device.request('call.hangup', { callId });
        })(),
      );
    },
    request(device: ChaosDevice, type: RequestType, data: unknown, at: number) {
      ledger.request(device, type, data, at);
    },
    response(device: ChaosDevice, type: RequestType, data: unknown, at: number) {
      ledger.response(device, type, data, at);
    },
    errorResponse(device: ChaosDevice, type: RequestType, error: ErrorBody, at: number) {
      ledger.errorResponse(device, type, error, at);
    },
    invalidFrame(device: ChaosDevice, text: string, reason: string) {
      ledger.invalidFrame(device, text, reason);
    },
  };
}
