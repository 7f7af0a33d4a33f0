/** One SFU quality sample of a transport (protocol/sfu.ts `transport.quality`). */
export interface QualitySample {
  rttMs: number | null;
  lossPct: number | null;
  jitterMs: number | null;
}

export type QualityLevel = 'unknown' | 'good' | 'fair' | 'poor';

/**
 * Rates the worse of our two transports. The thresholds follow what people hear: above ~5 %
 * loss or ~400 ms round trip speech breaks up; above 2 % / 200 ms it is noticeable.
 */
export function rateQuality(samples: (QualitySample | undefined)[]): QualityLevel {
  const known = samples.filter((s): s is QualitySample => s !== undefined);
  if (known.length === 0) return 'unknown';
  const worst = (pick: (s: QualitySample) => number | null) =>
    Math.max(0, ...known.map((s) => pick(s) ?? 0));
  const loss = worst((s) => s.lossPct);
  const rtt = worst((s) => s.rttMs);
  const jitter = worst((s) => s.jitterMs);
  if (loss > 5 || rtt > 400 || jitter > 50) return 'poor';
  if (loss > 2 || rtt > 200 || jitter > 30) return 'fair';
  return 'good';
}
