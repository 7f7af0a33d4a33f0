import type { CallRecord, HistoryPage, UserId } from '../../protocol/index.js';
import { isMissed } from '../calls/missed.js';
import type { SignalingClient } from '../signaling/signaling-client.js';

/** The server's largest page. */
const SERVER_PAGE = 100;
/** A missed-only page stops scanning after this many server pages (a history of only answered calls). */
const MAX_SCANNED_PAGES = 20;
const DEFAULT_LIMIT = 50;

export async function listHistory(
  signaling: SignalingClient,
  me: UserId,
  args: { before?: number; limit?: number; missedOnly?: boolean },
): Promise<HistoryPage> {
  const limit = args.limit ?? DEFAULT_LIMIT;
  if (!args.missedOnly) {
    const page = await signaling.request('history.list', {
      limit,
      ...(args.before === undefined ? {} : { before: args.before }),
    });
    return page.nextBefore === undefined
      ? { records: page.records }
      : { records: page.records, nextBefore: page.nextBefore };
  }
  // Filtered here: page through the server's history until the page is full or it runs out.
  const missed: CallRecord[] = [];
  let before = args.before;
  for (let scanned = 0; scanned < MAX_SCANNED_PAGES; scanned++) {
    const page = await signaling.request('history.list', {
      limit: SERVER_PAGE,
      ...(before === undefined ? {} : { before }),
    });
    missed.push(...page.records.filter((r) => isMissed(r, me)));
    const exhausted = page.nextBefore === undefined;
    if (missed.length >= limit) {
      const result = cut(missed, limit);
      // Everything there was fits: no cursor, so the UI does not ask for an empty page.
      return exhausted && result.records.length === missed.length ? { records: missed } : result;
    }
    if (page.nextBefore === undefined) return { records: missed };
    before = page.nextBefore;
  }
  // Scanned enough for one call: hand back what was found and where to go on from.
  return before === undefined ? { records: missed } : { records: missed, nextBefore: before };
}

/**
 * The first `limit` records, plus any sharing the last one's creation time: the cursor is a
 * creation time (exclusive), so a page must not end in the middle of ties (the server's pages
 * always hold every record of a creation time they end on, so the ties are all here).
 */
function cut(records: CallRecord[], limit: number): HistoryPage {
  const last = records[limit - 1];
  if (!last) return { records };
  const page = records.filter((r, i) => i < limit || r.createdAt === last.createdAt);
  return { records: page, nextBefore: last.createdAt };
}
