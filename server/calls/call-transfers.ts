import type { CallInfo, CallTransfer, UserId } from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { CallRegistry } from './call-registry.js';
import type { CallSteps } from './call-steps.js';
import { invalidState } from './call-steps.js';
import type { CalleeCheck } from './callee-checks.js';
import { isPendingLeg } from './leg-transitions.js';
import { type LiveCall, findLeg, pendingLegs, presentParticipants } from './live-call.js';
import type { Actor } from './ports.js';
import { type TransferEvent, transferTransition } from './transfer-transitions.js';

/**
 * Blind transfer (issue 18): who may move the other party of a 1:1 call to someone else, decided
 * here; the transfer's own states are transfer-transitions.ts, applied in `apply` only. The
 * transferor leaves at once and the target rings with the call (the same call id: the party
 * transferred stays in it, with its media, and the record keeps every leg). When the target's
 * leg ends unanswered, the transferor is rung back; if that is not answered either, or cannot be
 * (the caller of the call has no leg to ring), the call ends by the usual rules.
 *
 * `settle` runs at the end of every step that changed a call (CallSteps.afterChange), so every
 * way a leg ends (accept, refuse, timeout, a withdrawal) moves the transfer on, in that step.
 */
export class CallTransfers {
  constructor(
    private readonly steps: CallSteps,
    private readonly registry: CallRegistry,
    private readonly now: () => number,
    private readonly defaultRingMs: number,
  ) {}

  transfer(
    call: LiveCall,
    actor: Actor,
    target: UserId,
    ringMs: number | undefined,
    checks: ReadonlyMap<UserId, CalleeCheck>,
  ): CallInfo {
    const { info } = call;
    const present = presentParticipants(info);
    const here = present.find((p) => p.userId === actor.userId);
    if (!here) throw invalidState(info, 'you are not in this call');
    if (here.deviceId !== actor.device.id) {
      throw invalidState(info, 'you are in this call on another device');
    }
    if (info.state !== 'active') throw invalidState(info, 'only an active call is transferred');
    this.assertMayTransfer(info, actor);
    const party = present.find((p) => p.userId !== actor.userId)?.userId;
    if (party === undefined || present.length !== 2 || pendingLegs(info).length > 0) {
      throw invalidState(info, 'only a one-to-one call is transferred');
    }
    if (target === actor.userId || target === party) {
      throw new ProtocolError('bad-request', 'transfer the call to someone else');
    }
    if (info.hold && info.hold.by !== actor.userId) {
      throw invalidState(info, 'the call is on hold by another participant');
    }
    const outcome = transferTransition(info.transfer?.state ?? 'absent', 'transfer');
    if (outcome.kind !== 'next') throw invalidState(info, 'a transfer of this call is under way');
    const transfer: CallTransfer = {
      by: actor.userId,
      party,
      target,
      at: this.now(),
      state: outcome.state,
    };
    info.transfer = transfer;
    call.transfers.push(transfer);
    this.steps.log(info, { by: actor.userId, party, target }, 'call transferred');
    this.steps.leave(call, actor.userId, 'left');
    this.steps.placeLeg(call, target, actor.userId, ringMs ?? this.defaultRingMs, checks, {
      transferredBy: actor.userId,
    });
    // A target refused at once (busy, DND, a block) rings the transferor back in this step.
    this.steps.afterChange(call);
    return info;
  }

  /**
   * Attended transfer, completed: the actor holds `held` (a 1:1 call with the party) and talks
   * with the target in `consult` (a 1:1 call of their own). The consultation ends, the target is
   * in the held call at once (a joined leg on the device they consulted on, nobody rings), and
   * the transferor leaves it, so the hold ends with them and the two remote parties talk.
   * Cancelling is the transferor's own: hang up the consultation, resume the held call.
   */
  complete(held: LiveCall, consult: LiveCall, actor: Actor): CallInfo {
    const { info } = held;
    if (held === consult) throw new ProtocolError('bad-request', 'consult in another call');
    const party = this.otherParty(held, actor, 'the held call');
    const target = this.otherParty(consult, actor, 'the consultation');
    this.assertMayTransfer(info, actor);
    if (info.hold?.by !== actor.userId) {
      throw invalidState(info, 'put the call on hold before completing its transfer');
    }
    if (target.userId === party.userId) {
      throw invalidState(info, 'the consultation is with the party being transferred');
    }
    const outcome = transferTransition(info.transfer?.state ?? 'absent', 'complete');
    if (outcome.kind !== 'next') throw invalidState(info, 'a transfer of this call is under way');
    this.steps.log(
      consult.info,
      { by: actor.userId, into: info.callId, target: target.userId },
      'consultation joined into the transferred call',
    );
    this.steps.end(consult, 'completed');
    const transfer: CallTransfer = {
      by: actor.userId,
      party: party.userId,
      target: target.userId,
      at: this.now(),
      state: outcome.state,
    };
    info.transfer = transfer;
    held.transfers.push(transfer);
    this.steps.log(
      info,
      { by: actor.userId, party: party.userId, target: target.userId },
      'attended transfer completed',
    );
    this.steps.leave(held, actor.userId, 'left');
    this.steps.createLeg(held, target.userId, 'join', {
      invitedBy: actor.userId,
      ringMs: 0,
      device: target.deviceId,
      transferredBy: actor.userId,
    });
    this.registry.involve(target.userId, info.callId);
    this.handOver(held, target.userId);
    this.steps.afterChange(held);
    return info;
  }

  /**
   * The rights of conference control, for a queue call: the agent's side runs it (its
   * moderator), so the customer who called in never transfers the agent away. In any other 1:1
   * call either party may transfer, as either may hang up.
   */
  private assertMayTransfer(info: CallInfo, actor: Actor): void {
    if (info.queue && info.moderatorId !== actor.userId) {
      throw new ProtocolError('forbidden', 'only the agent transfers a queue call');
    }
  }

  /** The other participant of a 1:1 active call the actor is in on this device. */
  private otherParty(
    call: LiveCall,
    actor: Actor,
    which: string,
  ): { userId: UserId; deviceId: string } {
    const { info } = call;
    const present = presentParticipants(info);
    const here = present.find((p) => p.userId === actor.userId);
    if (!here) throw invalidState(info, `you are not in ${which}`);
    if (here.deviceId !== actor.device.id) {
      throw invalidState(info, `you are in ${which} on another device`);
    }
    const other = present.find((p) => p.userId !== actor.userId);
    if (info.state !== 'active' || !other || present.length !== 2 || pendingLegs(info).length > 0) {
      throw invalidState(info, `${which} is not an active one-to-one call`);
    }
    return other;
  }

  /** The transfer moves on when the leg rung for it has ended. No-op otherwise. */
  settle(call: LiveCall): void {
    const transfer = call.info.transfer;
    if (!transfer) return;
    const rungFor =
      transfer.state === 'ringing'
        ? transfer.target
        : transfer.state === 'returning'
          ? transfer.by
          : undefined;
    if (rungFor === undefined) return;
    const leg = findLeg(call.info, rungFor);
    if (leg && isPendingLeg(leg.state)) return;
    if (leg?.state === 'accepted' && leg.leftAt === undefined) {
      this.apply(call, transfer, 'answered');
      this.handOver(call, rungFor);
      return;
    }
    this.apply(call, transfer, 'unanswered');
    if (transfer.state === 'returning') this.ringBack(call, transfer);
  }

  /**
   * Rings the transferor again, if the party transferred is still there to be taken back and
   * the transferor was a callee (a leg can be placed for them). Otherwise the transfer failed.
   */
  private ringBack(call: LiveCall, transfer: CallTransfer): void {
    const { info } = call;
    const partyHere = presentParticipants(info).some((p) => p.userId === transfer.party);
    if (!partyHere || transfer.by === info.callerId) {
      this.apply(call, transfer, 'unanswered');
      return;
    }
    // Nobody's settings refuse this: the transferor just left this very call.
    const check: CalleeCheck = { status: 'available', callWaiting: true, blockedCaller: false };
    this.steps.placeLeg(
      call,
      transfer.by,
      transfer.party,
      this.defaultRingMs,
      new Map([[transfer.by, check]]),
    );
    this.steps.log(info, { userId: transfer.by, target: transfer.target }, 'transfer rings back');
  }

  /**
   * In a queue call the agent's side runs the call: whoever took it over from the transferring
   * agent is its moderator and its agent from now on (never the customer, CallSteps.leave).
   */
  private handOver(call: LiveCall, userId: UserId): void {
    const { info } = call;
    if (!info.queue) return;
    info.moderatorId = userId;
    info.queue.agentId = userId;
  }

  /** The one place a transfer's state changes, logged as `old → new`. */
  private apply(call: LiveCall, transfer: CallTransfer, event: TransferEvent): void {
    const outcome = transferTransition(transfer.state, event);
    if (outcome.kind !== 'next') {
      throw new Error(`call ${call.info.callId}: no transfer ${event} from ${transfer.state}`);
    }
    const from = transfer.state;
    transfer.state = outcome.state;
    this.steps.log(call.info, { from, to: outcome.state }, `transfer ${from} → ${outcome.state}`);
  }
}
