import { z } from 'zod';

/**
 * Every error code a Trayphone server may answer with, and what it means. Clients switch on the
 * code; the message is for people and logs only.
 */
export const ERROR_CODES = {
  'bad-frame': 'The frame is not JSON, or not shaped like a request.',
  'bad-request': 'The request data does not match the schema of its type.',
  'unknown-type': 'No request of this type exists.',
  'payload-too-large': 'The frame or a field in it is larger than allowed.',
  'rate-limited':
    'Too many requests on this connection (or sign-in attempts); slow down and retry. `retryAfterMs` (signaling, SFU) or the `Retry-After` header (HTTP) says when.',
  'not-authenticated': 'Send `hello` with a valid token first.',
  'already-authenticated': '`hello` was already accepted on this connection.',
  unauthorized: 'The token or the credentials are invalid, or the account is disabled.',
  'token-expired': 'The access token has expired; refresh it and reconnect.',
  'incompatible-version': 'The client speaks a protocol version this server does not support.',
  'not-found': 'No such call, user or record (or it is not visible to you).',
  forbidden: 'You may not do this (for example: conference control without being moderator).',
  conflict: 'The id is already used for something else (for example a call id reused).',
  'invalid-state': 'The call is not in a state that allows this; the current state is attached.',
  'too-many-sessions': 'The account is signed in on as many devices as the server allows.',
  busy: 'The user is busy.',
  'server-shutting-down': 'The server is stopping; reconnect shortly.',
  internal: 'The server failed unexpectedly; the connection survives.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);
