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
}

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
