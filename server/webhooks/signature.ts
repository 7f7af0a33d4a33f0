import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SIGNATURE_PREFIX } from '../../protocol/webhooks.js';

/**
 * Webhook signatures: `v1=` + hex HMAC-SHA256 over `${timestampSec}.${rawBody}`. Signing the
 * timestamp with the body lets a receiver reject replays of an old, validly signed request.
 * The body is signed as the exact bytes sent, so receivers must verify before parsing.
 */

export type RawBody = string | Uint8Array;

/** The timestamp is signed as the header text, so a receiver never re-formats what it checks. */
function hmac(secret: string, timestamp: string, rawBody: RawBody): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

export function signWebhook(secret: string, timestampSec: number, rawBody: RawBody): string {
  return WEBHOOK_SIGNATURE_PREFIX + hmac(secret, String(timestampSec), rawBody).toString('hex');
}

/** Header values as `node:http` (`string | string[]`) or `fetch` (`string | null`) give them. */
type HeaderValue = string | readonly string[] | null | undefined;

export interface VerifyWebhookInput {
  secret: string;
  timestampHeader: HeaderValue;
  signatureHeader: HeaderValue;
  rawBody: RawBody;
  /** How far the timestamp may be from now, either way (clock skew), in seconds. */
  toleranceSec?: number;
  nowSec?: number;
}

export type VerifyWebhookResult =
  { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^v1=([0-9a-f]{64})$/i;

export function verifyWebhookSignature(input: VerifyWebhookInput): VerifyWebhookResult {
  const { secret, timestampHeader, signatureHeader, rawBody, toleranceSec = 300 } = input;
  // A repeated header is as unusable as a missing one: we cannot tell which copy was signed.
  if (typeof timestampHeader !== 'string' || typeof signatureHeader !== 'string') {
    return { ok: false, reason: 'missing' };
  }
  const timestamp = timestampHeader.trim();
  if (!TIMESTAMP.test(timestamp)) return { ok: false, reason: 'missing' };
  const nowSec = input.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowSec - Number(timestamp)) > toleranceSec) return { ok: false, reason: 'stale' };

  const hex = SIGNATURE.exec(signatureHeader.trim())?.[1];
  if (hex === undefined) return { ok: false, reason: 'mismatch' };
  const given = Buffer.from(hex, 'hex');
  const expected = hmac(secret, timestamp, rawBody);
  // timingSafeEqual throws on different lengths; the regex already fixes the length, this keeps
  // the check safe should the pattern ever change.
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  return same ? { ok: true } : { ok: false, reason: 'mismatch' };
}
