import type { HandlerTable } from './types.js';

type PresenceRequest =
  'presence.query' | 'presence.subscribe' | 'presence.unsubscribe' | 'presence.setStatus';

export const presenceHandlers: HandlerTable<PresenceRequest> = {
  'presence.query': async ({ session, services }, { userIds }) => ({
    users: await services.presence.query(session.userId, userIds),
  }),
  'presence.subscribe': async ({ session, services }, { userIds }) => ({
    users: await services.presence.subscribe(session, userIds),
  }),
  'presence.unsubscribe': ({ session, services }, { userIds }) => {
    services.presence.unsubscribe(session, userIds);
    return {};
  },
  'presence.setStatus': async ({ session, services }, { status }) => {
    await services.presence.setStatus(session.userId, status);
    return {};
  },
};
