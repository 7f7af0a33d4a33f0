/**
 * What the harness expects of the server, named once: other work on the server is adding these
 * (issue 12, sections 1 and 2), so when a name changes there it changes here alone.
 */
export const SERVER_FACTS = {
  /** End reason of a call cut by a crash of the server (never `server-shutdown`). */
  crashEndReason: 'server-failure',
  /** Leg reason (and one-to-one end reason) when a participant had no live device too long. */
  connectionLostReason: 'connection-lost',
  /** Where the rejoin window goes in the server's configuration. */
  rejoinWindowConfigPath: ['calls', 'rejoinWindowMs'],
} as const;

/** End reasons a call may get when its ringing ends without an answer. */
export const UNANSWERED_END_REASONS: ReadonlySet<string> = new Set([
  'canceled',
  'refused',
  'timeout',
  'unreachable',
]);

/** `{a: {b: value}}` for the path `['a', 'b']`: a config override at a named place. */
export function configAt(path: readonly string[], value: unknown): Record<string, unknown> {
  let out: unknown = value;
  for (const key of [...path].reverse()) out = { [key]: out };
  return out as Record<string, unknown>;
}
