// One finding per stretch of text. When detectors overlap, the more specific kind wins (a URL's password
// over the e-mail-looking `password@host` inside it, a Luhn-valid card over a phone-shaped number), then
// the higher confidence, then the longer span (the whole IPv6 over its IPv4 tail).
import type { RawFinding } from './finding.js';

const SPECIFICITY: Readonly<Record<string, number>> = {
  SECRET: 6,
  CREDIT_CARD: 5,
  IBAN_CODE: 5,
  US_SSN: 4,
  EMAIL_ADDRESS: 3,
  IP_ADDRESS: 3,
  PHONE_NUMBER: 1,
};

function rank(f: RawFinding): number {
  return SPECIFICITY[f.type] ?? 2;
}

/** Index of the first kept span (sorted by start, disjoint) that ends after `start`. */
function firstEndingAfter(kept: readonly RawFinding[], start: number): number {
  let lo = 0;
  let hi = kept.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (kept[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Above this many findings, a coverage map replaces insertion into the sorted array (quadratic moves). */
const MANY = 256;

export function resolveOverlaps(findings: readonly RawFinding[]): RawFinding[] {
  if (findings.length < 2) return [...findings];
  const ordered = [...findings].sort(
    (a, b) =>
      rank(b) - rank(a) ||
      b.confidence - a.confidence ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  if (ordered.length > MANY && ordered.every((f) => f.end > f.start)) return byCoverage(ordered);
  // Kept spans stay sorted and disjoint, so one binary search tells whether a candidate overlaps any.
  const kept: RawFinding[] = [];
  for (const f of ordered) {
    const i = firstEndingAfter(kept, f.start);
    if (i < kept.length && kept[i]!.start < f.end) continue;
    kept.splice(i, 0, f);
  }
  return kept;
}

/**
 * The same greedy choice for many non-empty spans (a megabyte of PII-dense text): a character is taken
 * once a kept span covers it, so a span overlaps a kept one exactly when one of its characters is taken.
 * Each character is marked once and checks stop at the first taken one.
 */
function byCoverage(ordered: readonly RawFinding[]): RawFinding[] {
  let length = 0;
  for (const f of ordered) length = Math.max(length, f.end);
  const taken = new Uint8Array(length);
  const kept: RawFinding[] = [];
  for (const f of ordered) {
    let free = true;
    for (let i = f.start; i < f.end && free; i++) free = taken[i] === 0;
    if (!free) continue;
    taken.fill(1, f.start, f.end);
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}
