/** Reading the server's Prometheus text: sums of counters and a bound on a histogram's p99. */

export async function scrape(httpUrl: string): Promise<string> {
  const res = await fetch(`${httpUrl}/metrics`);
  return res.text();
}

/** Sum of every sample of `name` (optionally only those whose labels contain `label`). */
export function metricSum(text: string, name: string, label?: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (label && !rest.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

const BUCKET = 'trayphone_cc_entry_to_offer_seconds_bucket{le="';

/** The smallest histogram bucket bound under which 99% of the window's samples fall (seconds). */
export function serverP99Bound(after: string, before: string): number {
  const buckets = (text: string): Map<string, number> => {
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (!line.startsWith(BUCKET)) continue;
      const le = line.slice(BUCKET.length, line.indexOf('"', BUCKET.length));
      out.set(le, Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
    return out;
  };
  const a = buckets(after);
  const b = buckets(before);
  const total = (a.get('+Inf') ?? 0) - (b.get('+Inf') ?? 0);
  if (total <= 0) return Number.NaN;
  for (const [le, count] of a) {
    if ((count - (b.get(le) ?? 0)) / total >= 0.99) return le === '+Inf' ? Infinity : Number(le);
  }
  return Number.NaN;
}
