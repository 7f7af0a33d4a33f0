import { resolveCalleeChecks } from '../../calls/callee-checks.js';
import type { HandlerTable } from './types.js';

type CallRequest =
  | 'call.invite'
  | 'call.ack'
  | 'call.accept'
  | 'call.refuse'
  | 'call.cancel'
  | 'call.hangup'
  | 'call.add'
  | 'call.control'
  | 'call.list';

export const callHandlers: HandlerTable<CallRequest> = {
  'call.invite': async ({ session, services }, data) => {
    const { calls, stores, presence } = services;
    // A retry of a known call id answers from memory, without lookups.
    const known = calls.get(data.callId);
    const checks = known
      ? new Map()
      : await resolveCalleeChecks(
          stores.users,
          (id) => presence.statusOf(id),
          session.userId,
          data.callees,
        );
    return { call: calls.invite(session, data, checks) };
  },
  'call.ack': ({ session, services }, { callId }) => {
    services.calls.ack(session, callId);
    return {};
  },
  'call.accept': ({ session, services }, { callId }) => ({
    call: services.calls.accept(session, callId),
  }),
  'call.refuse': ({ session, services }, { callId, reason }) => ({
    call: services.calls.refuse(session, callId, reason),
  }),
  'call.cancel': ({ session, services }, { callId, callees }) => ({
    call: services.calls.cancel(session, callId, callees),
  }),
  'call.hangup': ({ session, services }, { callId }) => ({
    call: services.calls.hangup(session, callId),
  }),
  'call.add': async ({ session, services }, data) => {
    const { calls, stores, presence } = services;
    const checks = await resolveCalleeChecks(
      stores.users,
      (id) => presence.statusOf(id),
      session.userId,
      data.callees,
    );
    return { call: calls.add(session, data, checks) };
  },
  'call.control': ({ session, services }, data) => ({
    call: services.calls.control(session, data),
  }),
  'call.list': ({ session, services }) => ({ calls: services.calls.callsOf(session.userId) }),
};
