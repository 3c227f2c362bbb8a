// Combining repeated measurements: the median is the headline, the spread says how far to trust it.

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max - min) / |median|; NaN when the median is 0 or there are no finite values. */
  relative: number;
  n: number;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0)
    return { median: Number.NaN, min: Number.NaN, max: Number.NaN, relative: Number.NaN, n: 0 };
  const med = median(finite);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return {
    median: med,
    min,
    max,
    relative: med === 0 ? Number.NaN : (max - min) / Math.abs(med),
    n: finite.length,
  };
}

/**
 * Paired differences (a[i] - b[i]) of measurements taken in the same repeat, so slow drift of the machine
 * during the run cancels out; pairs with a non-finite member are skipped.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): Spread {
  const diffs: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a[i]! - b[i]!;
    if (Number.isFinite(d)) diffs.push(d);
  }
  return spread(diffs);
}
