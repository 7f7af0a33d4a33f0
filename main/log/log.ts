/**
 * The logger every main-process module takes: pino's call shape (`fields, message`), so a module
 * can be handed pino in tests or the electron-log adapter in the app. Call lines carry `callId`
 * through `forCall`, never by remembering to add it by hand.
 */
export type LogFields = Record<string, unknown>;

export interface Log {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

type Level = keyof Log;
const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];

/** A logger that adds `bindings` to every line. */
export function childLog(log: Log, bindings: LogFields): Log {
  const child = {} as Log;
  for (const level of LEVELS) {
    child[level] = (fields, message) => {
      log[level]({ ...bindings, ...fields }, message);
    };
  }
  return child;
}

/** Every line about a call starts from this: it carries the call id. */
export const forCall = (log: Log, callId: string): Log => childLog(log, { callId });

export const silentLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * One text line per record for file sinks (electron-log): the call id first so that
 * `grep <callId>` finds a call's whole story.
 */
export function formatLine(fields: LogFields, message: string): string {
  const { callId, ...rest } = fields;
  const head = typeof callId === 'string' ? `[call ${callId}] ` : '';
  const tail = Object.entries(rest)
    .map(([k, v]) => `${k}=${v instanceof Error ? v.message : JSON.stringify(v)}`)
    .join(' ');
  return `${head}${message}${tail ? ` ${tail}` : ''}`;
}

/** A logger that records lines, for tests. */
export function memoryLog(): Log & {
  lines: { level: Level; fields: LogFields; message: string }[];
} {
  const lines: { level: Level; fields: LogFields; message: string }[] = [];
  const log = { lines } as Log & { lines: typeof lines };
  for (const level of LEVELS) {
    log[level] = (fields, message) => {
      lines.push({ level, fields, message });
    };
  }
  return log;
}
