import type { HandlerTable } from './types.js';

/** Results when the client names no limit: a dialer's suggestion list. */
const DEFAULT_DIRECTORY_RESULTS = 20;

/**
 * The user directory: any signed-in user may find any enabled account by id or display name
 * (Trayphone has no per-organisation visibility; disabled accounts cannot be called anyway).
 */
export const directoryHandlers: HandlerTable<'directory.search'> = {
  'directory.search': async ({ services }, { query, limit = DEFAULT_DIRECTORY_RESULTS }) => {
    const accounts = await services.stores.users.search(query, limit);
    return {
      users: accounts.map(({ userId, displayName }) => ({ userId, displayName })),
    };
  },
};
