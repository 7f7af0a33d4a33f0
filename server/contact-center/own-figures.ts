import type { CallRecord, UserId } from '../../protocol/index.js';
import type { RecordStore } from '../store/types.js';

/** An agent's call figures from the call records: they outlive a restart, counters do not. */
export interface RecordFigures {
  offered: number;
  answered: number;
  missed: number;
  /** Talk time (answer to leaving) of the calls answered; after-call work is not in records. */
  handleMs: number;
}

/** Records are read in pages of this many (the store's largest page). */
const PAGE = 1000;

/** Local midnight (of the server's time zone) of the day `now` falls in. */
export function localMidnight(now: number): number {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/**
 * Counts the queue calls the agent was offered since `since` (by the call's creation): an offer
 * is the agent's callee leg in a queue call's record (a re-offer of the same call to the same
 * agent replaces the leg, so it counts once); answered is the call's agent; missed is an offer
 * that timed out or was refused (withdrawn offers are neither).
 */
export function figuresOf(records: readonly CallRecord[], agentId: UserId): RecordFigures {
  const out: RecordFigures = { offered: 0, answered: 0, missed: 0, handleMs: 0 };
  for (const record of records) {
    if (!record.queue) continue;
    const leg = record.participants.find((p) => p.role === 'callee' && p.userId === agentId);
    if (!leg) continue;
    out.offered++;
    if (record.queue.agentId === agentId && leg.answeredAt !== undefined) {
      out.answered++;
      out.handleMs += Math.max(0, (leg.leftAt ?? record.endedAt) - leg.answeredAt);
    } else if (leg.outcome === 'timeout' || leg.outcome === 'refused') {
      out.missed++;
    }
  }
  return out;
}

/** Every record of the user created since `since`, read page by page (newest first). */
export async function recordsSince(
  records: RecordStore,
  userId: UserId,
  since: number,
): Promise<CallRecord[]> {
  const all: CallRecord[] = [];
  const seen = new Set<string>();
  let before: number | undefined;
  for (;;) {
    const page = await records.query({
      userId,
      from: since,
      limit: PAGE,
      ...(before === undefined ? {} : { before: before + 1 }),
    });
    // `before` is exclusive: the next page starts at the oldest time seen (inclusive), so calls
    // created in the same ms are not lost; the ones already read are skipped.
    const fresh = page.filter((r) => !seen.has(r.callId));
    for (const r of fresh) seen.add(r.callId);
    all.push(...fresh);
    const oldest = page.at(-1);
    if (page.length < PAGE || fresh.length === 0 || !oldest) return all;
    before = oldest.createdAt;
  }
}
