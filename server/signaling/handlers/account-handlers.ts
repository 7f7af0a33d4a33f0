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
/** Records of one user created in the same millisecond: far more than can happen in practice. */
const MAX_TIED_RECORDS = 1000;

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
    const last = records[limit - 1];
    if (records.length <= limit || !last) {
      return { records: records.map((r) => recordForViewer(r, session.userId)) };
    }
    // The cursor is a creation time: a page must not end in the middle of records that share
    // one, or the next page (strictly before it) would skip the rest of them. Take them all.
    const tied = await services.stores.records.query({
      userId: session.userId,
      from: last.createdAt,
      before: last.createdAt + 1,
      limit: MAX_TIED_RECORDS,
    });
    const page = [...records.filter((r) => r.createdAt > last.createdAt), ...tied];
    return {
      records: page.map((r) => recordForViewer(r, session.userId)),
      nextBefore: last.createdAt,
    };
  },
  'settings.update': async ({ session, services }, patch) => {
    const { callWaiting } = await services.stores.users.updateSettings(session.userId, patch);
    return { settings: { callWaiting } };
  },
  'block.add': async ({ session, services }, { userId }) => {
    await services.stores.users.block(session.userId, userId);
    services.presence.blockChanged(session.userId, userId, true);
    return {};
  },
  'block.remove': async ({ session, services }, { userId }) => {
    await services.stores.users.unblock(session.userId, userId);
    services.presence.blockChanged(session.userId, userId, false);
    return {};
  },
  'block.list': async ({ session, services }) => ({
    userIds: await services.stores.users.getBlocked(session.userId),
  }),
};
