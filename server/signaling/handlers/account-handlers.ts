import type { CallRecord, UserId } from '../../../protocol/index.js';
import { ProtocolError } from '../../../protocol/index.js';
import { recordForViewer } from '../../calls/call-record.js';
import type { RecordKey } from '../../store/types.js';
import {
  CursorError,
  decodeRecordCursor,
  encodeRecordCursor,
  pageOf,
} from '../../util/page-cursor.js';
import type { Services } from '../context.js';
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
  'history.list': async ({ session, services }, { cursor, before, limit = HISTORY_PAGE }) => {
    const viewed = (records: readonly CallRecord[]): CallRecord[] =>
      records.map((r) => recordForViewer(r, session.userId));
    if (cursor !== undefined) {
      const records = await services.stores.records.query({
        userId: session.userId,
        olderThan: decodeCursor(cursor),
        limit: limit + 1,
        ...(before === undefined ? {} : { before }),
      });
      const { items, nextCursor } = pageOf(records, limit, encodeRecordCursor);
      return { records: viewed(items), ...(nextCursor === undefined ? {} : { nextCursor }) };
    }
    return legacyPage(services, session.userId, before, limit, viewed);
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

function decodeCursor(cursor: string): RecordKey {
  try {
    return decodeRecordCursor(cursor);
  } catch (error) {
    if (error instanceof CursorError) throw new ProtocolError('bad-request', error.message);
    throw error;
  }
}

/**
 * Paging by creation time (`before`, exclusive): a page must not end in the middle of records
 * that share one, or the next page (strictly before it) would skip the rest of them, so it takes
 * them all. `nextCursor` is given too, so that a client can switch to cursors from any page.
 */
async function legacyPage(
  services: Services,
  userId: UserId,
  before: number | undefined,
  limit: number,
  viewed: (records: readonly CallRecord[]) => CallRecord[],
): Promise<{ records: CallRecord[]; nextCursor?: string; nextBefore?: number }> {
  const { records: store } = services.stores;
  const records = await store.query({
    userId,
    limit: limit + 1,
    ...(before === undefined ? {} : { before }),
  });
  const last = records[limit - 1];
  if (records.length <= limit || !last) return { records: viewed(records) };
  const tied = await store.query({
    userId,
    from: last.createdAt,
    before: last.createdAt + 1,
    limit: MAX_TIED_RECORDS,
  });
  const page = [...records.filter((r) => r.createdAt > last.createdAt), ...tied];
  const oldest = page.at(-1) ?? last;
  return {
    records: viewed(page),
    nextCursor: encodeRecordCursor(oldest),
    nextBefore: last.createdAt,
  };
}
