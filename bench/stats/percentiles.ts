// Latency summaries from sorted samples. Nearest-rank percentiles: the reported value is always one that was
// actually measured, never an interpolation between two requests.

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Samples that never completed and entered at their lower bound (the deadline); absent in old files. */
  censored?: number;
  /** Percentiles that are only lower bounds because they reach into censored samples ("≥" in reports). */
  lowerBound?: Percentile[];
}

export type Percentile = 'p50' | 'p90' | 'p99' | 'p999';

/** Nearest-rank percentile of an ascending array; q in [0, 100]. NaN for an empty array. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (q <= 0) return sorted[0]!;
  if (q >= 100) return sorted[n - 1]!;
  // The epsilon keeps float noise (99.9 / 100 * 1000 = 999.0000000000001) from bumping the rank.
  const rank = Math.ceil((q * n) / 100 - 1e-9);
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!;
}

export function summarize(sorted: ArrayLike<number>): LatencySummary {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    min: n === 0 ? Number.NaN : sorted[0]!,
    mean: n === 0 ? Number.NaN : sum / n,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: n === 0 ? Number.NaN : sorted[n - 1]!,
  };
}

/** p99.9 from fewer than 1000 samples is the maximum in disguise; reports flag it. */
export function hasEnoughForP999(summary: LatencySummary): boolean {
  return summary.count >= 1000;
}

/** Merges two ascending arrays into one. */
function mergeSorted(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/**
 * Summary of completed samples plus censored ones (requests that never completed, entered at their lower
 * bound: the time to the deadline). Each percentile is computed twice: with the censored samples at their
 * bound (a lower bound of the truth) and at +∞ (an upper bound). Where the two differ, the reported value is
 * the lower bound and the percentile is listed in `lowerBound`. Count, mean and max include the censored
 * samples at their bound, so the mean and max are lower bounds too when `censored > 0`.
 */
export function summarizeCensored(done: ArrayLike<number>, censored: ArrayLike<number>): LatencySummary {
  if (censored.length === 0) return { ...summarize(done), censored: 0, lowerBound: [] };
  const all = mergeSorted(done, censored);
  const summary = summarize(all);
  const atInfinity = new Float64Array(all.length);
  atInfinity.set(done as ArrayLike<number>);
  atInfinity.fill(Number.POSITIVE_INFINITY, done.length);
  const lowerBound: Percentile[] = [];
  for (const [key, q] of [
    ['p50', 50],
    ['p90', 90],
    ['p99', 99],
    ['p999', 99.9],
  ] as const) {
    if (percentile(atInfinity, q) !== summary[key]) lowerBound.push(key);
  }
  return { ...summary, censored: censored.length, lowerBound };
}
