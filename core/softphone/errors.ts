import type { z } from 'zod';
import {
  type SoftphoneArgs,
  type SoftphoneCommand,
  SoftphoneError,
  softphoneCommands,
} from '../../protocol/index.js';
import { SignalingError } from '../signaling/signaling-client.js';

/**
 * Every failure a command reports is a `SoftphoneError` whose code is one of
 * SOFTPHONE_ERROR_CODES or a server error code (protocol/errors.ts): the renderer switches on it.
 */
export function toSoftphoneError(error: unknown): SoftphoneError {
  if (error instanceof SoftphoneError) return error;
  if (error instanceof SignalingError) {
    if (error.code === 'disconnected') return new SoftphoneError('unreachable', error.message);
    if (error.code === 'invalid-response') return new SoftphoneError('internal', error.message);
    return new SoftphoneError(error.code, error.message);
  }
  return new SoftphoneError('internal', error instanceof Error ? error.message : String(error));
}

const issuesText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

/** Parses a command's arguments (they may come over IPC): bad ones are `invalid-argument`. */
export function parseArgs<C extends SoftphoneCommand>(command: C, args: unknown): SoftphoneArgs<C> {
  const parsed = softphoneCommands[command].args.safeParse(args);
  if (!parsed.success) {
    throw new SoftphoneError('invalid-argument', `${command}: ${issuesText(parsed.error)}`);
  }
  return parsed.data as SoftphoneArgs<C>;
}
