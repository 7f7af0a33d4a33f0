import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { CallInfo, CallRecord } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { ScryptCost } from './passwords.js';

/** Fixtures and helpers for the store tests only. */

/** Cheap enough to hash many times in a test run. */
export const TEST_SCRYPT_COST: ScryptCost = { N: 1024, r: 8, p: 1 };

export function makeTempDir(): { dir: string; file: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-'));
  return {
    dir,
    file: path.join(dir, 'test.sqlite'),
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger whose lines are kept, parsed, for assertions. */
export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  return { logger, lines };
}

export function makeCall(overrides: Partial<CallInfo> = {}): CallInfo {
  return {
    callId: 'call-0001',
    callerId: 'alice',
    callerDevice: 'alice-laptop',
    moderatorId: 'alice',
    media: 'audio',
    state: 'ringing',
    createdAt: 1_700_000_000_000,
    callerMuted: { audio: false, video: false },
    legs: [
      {
        userId: 'bob',
        state: 'ringing',
        invitedBy: 'alice',
        invitedAt: 1_700_000_000_000,
        expiresAt: 1_700_000_060_000,
        muted: { audio: false, video: false },
      },
    ],
    ...overrides,
  };
}

export function makeRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  const createdAt = overrides.createdAt ?? 1_700_000_000_000;
  return {
    callId: 'call-0001',
    callerId: 'alice',
    media: 'audio',
    createdAt,
    answeredAt: createdAt + 2_000,
    endedAt: createdAt + 62_000,
    endReason: 'completed',
    durationSec: 60,
    participants: [
      {
        userId: 'alice',
        role: 'caller',
        invitedAt: createdAt,
        outcome: 'caller',
        durationSec: 60,
      },
      {
        userId: 'bob',
        role: 'callee',
        invitedBy: 'alice',
        invitedAt: createdAt,
        answeredAt: createdAt + 2_000,
        outcome: 'answered',
        durationSec: 60,
      },
    ],
    ...overrides,
  };
}
