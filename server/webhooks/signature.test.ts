import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './signature.js';

const secret = 'a-secret-of-at-least-16-chars';
const rawBody = JSON.stringify({ type: 'call.ended', deliveryId: 'd1', note: 'café ☎' });
const nowSec = 1_750_000_000;

function headersFor(body: string | Uint8Array, at = nowSec, key = secret) {
  return { timestampHeader: String(at), signatureHeader: signWebhook(key, at, body) };
}

describe('webhook signatures', () => {
  it('signWebhook produces v1= and 64 hex digits', () => {
    expect(signWebhook(secret, nowSec, rawBody)).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('a signature verifies against the same secret, timestamp and body', () => {
    expect(verifyWebhookSignature({ secret, rawBody, nowSec, ...headersFor(rawBody) })).toEqual({
      ok: true,
    });
  });

  it('verifies raw bytes the same as the string they encode', () => {
    const bytes = Buffer.from(rawBody, 'utf8');
    expect(
      verifyWebhookSignature({ secret, rawBody: bytes, nowSec, ...headersFor(rawBody) }),
    ).toEqual({ ok: true });
  });

  it('a tampered body is a mismatch', () => {
    const tampered = rawBody.replace('d1', 'd2');
    const result = verifyWebhookSignature({
      secret,
      rawBody: tampered,
      nowSec,
      ...headersFor(rawBody),
    });
    expect(result).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('a signature made with another secret is a mismatch', () => {
    const headers = headersFor(rawBody, nowSec, 'another-secret-entirely');
    expect(verifyWebhookSignature({ secret, rawBody, nowSec, ...headers })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('a signature moved to another timestamp is a mismatch', () => {
    const { signatureHeader } = headersFor(rawBody, nowSec - 10);
    const result = verifyWebhookSignature({
      secret,
      rawBody,
      nowSec,
      timestampHeader: String(nowSec),
      signatureHeader,
    });
    expect(result).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('a timestamp beyond the tolerance, past or future, is stale', () => {
    for (const at of [nowSec - 301, nowSec + 301]) {
      expect(
        verifyWebhookSignature({ secret, rawBody, nowSec, ...headersFor(rawBody, at) }),
      ).toEqual({ ok: false, reason: 'stale' });
    }
    const within = headersFor(rawBody, nowSec - 300);
    expect(verifyWebhookSignature({ secret, rawBody, nowSec, ...within }).ok).toBe(true);
    const tight = { secret, rawBody, nowSec, toleranceSec: 5, ...headersFor(rawBody, nowSec - 6) };
    expect(verifyWebhookSignature(tight)).toEqual({ ok: false, reason: 'stale' });
  });

  it('uses the current time when nowSec is not given', () => {
    const at = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature({ secret, rawBody, ...headersFor(rawBody, at) }).ok).toBe(true);
    expect(verifyWebhookSignature({ secret, rawBody, ...headersFor(rawBody, at - 3600) })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('a missing, repeated or malformed timestamp or signature header is missing', () => {
    const good = headersFor(rawBody);
    const cases = [
      { ...good, timestampHeader: undefined },
      { ...good, signatureHeader: null },
      { ...good, signatureHeader: [good.signatureHeader, good.signatureHeader] },
      { ...good, timestampHeader: 'yesterday' },
      { ...good, timestampHeader: '' },
    ];
    for (const headers of cases) {
      expect(verifyWebhookSignature({ secret, rawBody, nowSec, ...headers })).toEqual({
        ok: false,
        reason: 'missing',
      });
    }
  });

  it('a signature of another scheme or length is a mismatch, not an exception', () => {
    const hex = signWebhook(secret, nowSec, rawBody).slice(3);
    for (const signatureHeader of [`v2=${hex}`, hex, 'v1=abcd', `v1=${hex}00`, 'v1=']) {
      const input = { secret, rawBody, nowSec, timestampHeader: String(nowSec), signatureHeader };
      expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: 'mismatch' });
    }
  });
});
