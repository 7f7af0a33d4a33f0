import { recordForViewer } from '../../calls/call-record.js';
import type { HandlerTable } from './types.js';

type AccountRequest =
  | 'ping'
  | 'push.register'
  | 'push.unregister'
  | 'history.list'
  | 'settings.update'
  | 'block.add'
  | 'block.remove'
  | 'block.list';

const HISTORY_PAGE = 50;

export const accountHandlers: HandlerTable<AccountRequest> = {
  ping: () => ({ serverTime: Date.now() }),
  'push.register': async ({ session, services }, { platform, token }) => {
    await services.stores.pushTokens.register({
      userId: session.userId,
      deviceId: session.device.id,
      platform,
      token,
    });
    return {};
  },
  'push.unregister': async ({ session, services }) => {
    await services.stores.pushTokens.unregister(session.userId, session.device.id);
    return {};
  },
  'history.list': async ({ session, services }, { before, limit = HISTORY_PAGE }) => {
    const records = await services.stores.records.query({
      userId: session.userId,
      limit: limit + 1,
      ...(before === undefined ? {} : { before }),
    });
    const page = records.slice(0, limit).map((r) => recordForViewer(r, session.userId));
    const last = page.at(-1);
    return records.length > limit && last
      ? { records: page, nextBefore: last.createdAt }
      : { records: page };
  },
  'settings.update': async ({ session, services }, patch) => {
    const { callWaiting } = await services.stores.users.updateSettings(session.userId, patch);
    return { settings: { callWaiting } };
  },
  'block.add': async ({ session, services }, { userId }) => {
    await services.stores.users.block(session.userId, userId);
    return {};
  },
  'block.remove': async ({ session, services }, { userId }) => {
    await services.stores.users.unblock(session.userId, userId);
    return {};
  },
  'block.list': async ({ session, services }) => ({
    userIds: await services.stores.users.getBlocked(session.userId),
  }),
};
