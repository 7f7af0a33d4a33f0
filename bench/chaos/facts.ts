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

/**
 * End reasons a call may get when its ringing ends without an answer (a caller whose devices
 * are all gone past the rejoin window leaves too).
 */
export const UNANSWERED_END_REASONS: ReadonlySet<string> = new Set([
  'canceled',
  'refused',
  'timeout',
  'unreachable',
  SERVER_FACTS.connectionLostReason,
]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets `value` at `path` in a configuration object (creating the objects on the way). */
export function setConfigAt(config: Json, path: readonly string[], value: unknown): Json {
  const [key, ...rest] = path;
  if (key === undefined) throw new Error('an empty configuration path');
  const inner = config[key];
  return {
    ...config,
    [key]: rest.length === 0 ? value : setConfigAt(isObject(inner) ? inner : {}, rest, value),
  };
}
