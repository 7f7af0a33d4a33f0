import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Every line about a call carries `callId`, every line about a user
 * `userId`: use `logger.child({ callId })` rather than formatting ids into messages.
 */
export function createLogger(options: { level: string; destination?: number | string }): Logger {
  return pino(
    { level: options.level, base: { service: 'trayphone-server' } },
    pino.destination({ dest: options.destination ?? 1, sync: false }),
  );
}

/** A logger that drops everything: for tests and benchmarks that measure the server itself. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
