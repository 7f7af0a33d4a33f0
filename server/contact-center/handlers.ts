import type { HandlerTable } from '../signaling/handlers/types.js';

type ContactCenterRequest =
  | 'agent.setStatus'
  | 'agent.get'
  | 'agent.stats'
  | 'supervisor.queues'
  | 'agent.settings'
  | 'queue.subscribe'
  | 'queue.unsubscribe'
  | 'queue.stats'
  | 'supervisor.monitor';

/** Supervisor media tickets only need to outlive the join that follows them. */
const MONITOR_TICKET_TTL_SEC = 60;

/** Signaling requests of agents and supervisors. */
export const contactCenterHandlers: HandlerTable<ContactCenterRequest> = {
  'agent.setStatus': ({ session, services }, { status, reason }) => ({
    agent: services.contactCenter.setOwnStatus(session.userId, status, reason),
  }),
  'agent.get': ({ session, services }) => ({
    agent: services.contactCenter.agentState(session.userId),
  }),
  'agent.stats': async ({ session, services }, { since }) => ({
    stats: await services.contactCenter.ownStats(session.userId, since),
  }),
  'supervisor.queues': ({ session, services }) => ({
    queues: services.contactCenter.supervisedQueues(session.userId),
  }),
  'agent.settings': async ({ session, services }, { autoAnswer }) => ({
    agent: await services.contactCenter.setAutoAnswer(session.userId, autoAnswer),
  }),
  'queue.subscribe': ({ session, services }, { queues }) => ({
    queues: services.contactCenter.subscribe(session, queues),
  }),
  'queue.unsubscribe': ({ session, services }, { queues }) => {
    services.contactCenter.unsubscribe(session, queues);
    return {};
  },
  'queue.stats': ({ session, services }, { queue }) => ({
    stats: services.contactCenter.stats(session.userId, queue),
  }),
  'supervisor.monitor': async ({ session, services }, { callId, mode }) => {
    const agentId = services.contactCenter.monitorTarget(session.userId, callId);
    const { ticket, expiresAt, sfuUrl } = await services.mediaTickets.issue(
      { callId, userId: session.userId, role: mode, target: agentId, sessionId: session.sessionId },
      MONITOR_TICKET_TTL_SEC,
    );
    // Barge joins the signaling call too; after the ticket, so a failed ticket leaves no leg.
    if (mode === 'barge') services.contactCenter.barge(session.userId, session.device.id, callId);
    return { ticket, expiresAt, sfuUrl, agentId };
  },
};
