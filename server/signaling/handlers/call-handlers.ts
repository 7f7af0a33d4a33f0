import type { CallInfo } from '../../../protocol/index.js';
import { ProtocolError, jsonObjectWith, queueOfAddress } from '../../../protocol/index.js';
import { type CallEngine, wasInCall } from '../../calls/call-engine.js';
import { resolveCalleeChecks } from '../../calls/callee-checks.js';
import { isPresent, presentParticipants } from '../../calls/live-call.js';
import { EncodedResult } from '../encoded-result.js';
import type { HandlerTable } from './types.js';

type CallRequest =
  | 'call.invite'
  | 'call.ack'
  | 'call.accept'
  | 'call.refuse'
  | 'call.cancel'
  | 'call.hangup'
  | 'call.add'
  | 'call.moveHere'
  | 'call.control'
  | 'call.hold'
  | 'call.resume'
  | 'call.transfer'
  | 'call.completeTransfer'
  | 'call.list'
  | 'media.ticket';

/** Media tickets only need to outlive the join that follows them. */
const MEDIA_TICKET_TTL_SEC = 60;

/**
 * `{ call }`, as the text the engine published for this call (in the step's `call.updated` or
 * `call.ended`): the call is not encoded once more for the answer.
 */
const callResult = (calls: CallEngine, call: CallInfo): EncodedResult<{ call: CallInfo }> =>
  new EncodedResult(() => jsonObjectWith('call', calls.snapshotOf(call), {}));

export const callHandlers: HandlerTable<CallRequest> = {
  'call.invite': async ({ session, services }, data) => {
    const { calls, stores, presence } = services;
    const queue = queueOfAddress(data.callees[0] ?? '');
    if (queue !== undefined) {
      return callResult(calls, await services.contactCenter.enqueue(session, data, queue));
    }
    // A retry of a known call id answers from memory, without lookups.
    const known = calls.get(data.callId);
    const checks = known
      ? new Map()
      : await resolveCalleeChecks(
          stores.users,
          (id) => presence.cachedStatusOf(id),
          session.userId,
          data.callees,
        );
    return callResult(calls, calls.invite(session, data, checks));
  },
  'call.ack': ({ session, services }, { callId }) => {
    services.calls.ack(session, callId);
    return {};
  },
  'call.accept': ({ session, services }, { callId }) =>
    callResult(services.calls, services.calls.accept(session, callId)),
  'call.refuse': ({ session, services }, { callId, reason }) =>
    callResult(services.calls, services.calls.refuse(session, callId, reason)),
  'call.cancel': ({ session, services }, { callId, callees }) =>
    callResult(services.calls, services.calls.cancel(session, callId, callees)),
  'call.hangup': ({ session, services }, { callId }) =>
    callResult(services.calls, services.calls.hangup(session, callId)),
  'call.moveHere': ({ session, services }, { callId }) =>
    callResult(services.calls, services.calls.moveHere(session, callId)),
  'call.add': async ({ session, services }, data) => {
    const { calls, stores, presence } = services;
    const checks = await resolveCalleeChecks(
      stores.users,
      (id) => presence.cachedStatusOf(id),
      session.userId,
      data.callees,
    );
    return callResult(calls, calls.add(session, data, checks));
  },
  'call.control': ({ session, services }, data) =>
    callResult(services.calls, services.calls.control(session, data)),
  'call.hold': ({ session, services }, { callId }) =>
    callResult(services.calls, services.calls.hold(session, callId)),
  'call.resume': ({ session, services }, { callId }) =>
    callResult(services.calls, services.calls.resume(session, callId)),
  'call.transfer': async ({ session, services }, data) => {
    const { calls, stores, presence } = services;
    const checks = await resolveCalleeChecks(
      stores.users,
      (id) => presence.cachedStatusOf(id),
      session.userId,
      [data.target],
    );
    return callResult(calls, calls.transfer(session, data, checks));
  },
  'call.completeTransfer': ({ session, services }, data) =>
    callResult(services.calls, services.calls.completeTransfer(session, data)),
  'call.list': ({ session, services }) => ({ calls: services.calls.callsOf(session.userId) }),
  'media.ticket': async ({ session, services }, { callId }) => {
    const call = services.calls.get(callId);
    // Whoever was never in the call learns nothing of it (see CallEngine's noSuchCall).
    if (!call || !wasInCall(call, session.userId)) {
      throw new ProtocolError('not-found', 'no such call');
    }
    if (call.state !== 'active' || !isPresent(call, session.userId)) {
      throw new ProtocolError(
        'forbidden',
        'only participants of an active call get a media ticket',
      );
    }
    // Media belongs to the device that is in the call: another device of the same user would
    // push it out of the room.
    const inCallOn = presentParticipants(call).find((p) => p.userId === session.userId)?.deviceId;
    if (inCallOn !== session.device.id) {
      throw new ProtocolError('forbidden', 'you are in this call on another device');
    }
    const role = call.moderatorId === session.userId ? 'moderator' : 'participant';
    const { ticket, expiresAt, sfuUrl } = await services.mediaTickets.issue(
      { callId, userId: session.userId, role, sessionId: session.sessionId },
      MEDIA_TICKET_TTL_SEC,
    );
    return { ticket, expiresAt, sfuUrl };
  },
};
