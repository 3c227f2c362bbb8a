// `--compare A.json B.json`: B relative to A for every scenario and target both runs have, so a change can
// be judged against the previous commit. A ratio whose two runs' repeats overlap is marked '~' (noise); when
// they do not overlap at all, '!' (a real change, for better or worse).
import { readFileSync } from 'node:fs';
import type { RunResults } from '../runner/results.js';
import type { Spread } from '../stats/repeats.js';
import { TARGET_LABELS } from '../targets/target.js';
import type { AggregateRow } from './aggregate.js';

export interface ComparedMetric {
  name: string;
  a: number;
  b: number;
  ratio: number;
  /**
   * True when the two runs' repeats do not overlap at all: every repeat of B above every repeat of A, or below.
   * Null when either run has fewer than three repeats. With three a side, pure noise still gives disjoint
   * ranges one time in ten (2 of the 20 orderings of six values).
   */
  significant: boolean | null;
}

export interface ComparedRow {
  scenario: string;
  target: AggregateRow['target'];
  metrics: ComparedMetric[];
}

function metric(
  name: string,
  a: Spread | null | undefined,
  b: Spread | null | undefined,
): ComparedMetric | undefined {
  if (a === null || a === undefined || b === null || b === undefined) return undefined;
  if (!Number.isFinite(a.median) || !Number.isFinite(b.median) || a.median === 0) return undefined;
  const ratio = b.median / a.median;
  // Disjoint ranges, not |ratio − 1| against the spreads taken as symmetric around the medians: that called
  // B [1095, 1105] against A [800, 1010] noise, and B [1200, 1260] inside A [990, 1300] a change (found by review).
  // Fewer than three repeats a side is too few: with two, pure noise gives disjoint ranges one time in three.
  const significant = a.n < 3 || b.n < 3 ? null : b.min > a.max || b.max < a.min;
  return { name, a: a.median, b: b.median, ratio, significant };
}

export function compareRuns(a: RunResults, b: RunResults): ComparedRow[] {
  const out: ComparedRow[] = [];
  for (const rowB of b.rows) {
    const rowA = a.rows.find((r) => r.scenario === rowB.scenario && r.target === rowB.target);
    if (rowA === undefined) continue;
    const metrics = [
      metric('req/s', rowA.rps, rowB.rps),
      metric('p50', rowA.p50, rowB.p50),
      metric('p99', rowA.p99, rowB.p99),
      metric('first chunk p50', rowA.firstChunkP50, rowB.firstChunkP50),
      metric('CPU µs/req', rowA.targetUsPerReq, rowB.targetUsPerReq),
    ].filter((m): m is ComparedMetric => m !== undefined);
    out.push({ scenario: rowB.scenario, target: rowB.target, metrics });
  }
  return out;
}

export function renderComparison(aPath: string, bPath: string, a: RunResults, b: RunResults): string {
  const rows = compareRuns(a, b);
  const names = ['req/s', 'p50', 'p99', 'first chunk p50', 'CPU µs/req'];
  const lines = [
    `B/A ratios — A: ${aPath} (${a.machine.gitCommit}, ${a.startedAt}), B: ${bPath} (${b.machine.gitCommit}, ${b.startedAt}).`,
    'req/s: higher is better; latency and CPU: lower is better. "!" = the repeats of A and B do not overlap (a real change), "~" = they overlap (within noise), "?" = fewer than three repeats (too few to judge by). With three repeats a side, noise alone shows "!" one time in ten.',
    '',
    `| scenario | target | ${names.join(' | ')} |`,
    `| --- | --- | ${names.map(() => '---').join(' | ')} |`,
  ];
  for (const row of rows) {
    const cells = names.map((name) => {
      const m = row.metrics.find((x) => x.name === name);
      const mark = m?.significant === null ? ' ?' : m?.significant === true ? ' !' : ' ~';
      return m === undefined ? '' : `${m.ratio.toFixed(3)}${mark}`;
    });
    lines.push(`| ${row.scenario} | ${TARGET_LABELS[row.target]} | ${cells.join(' | ')} |`);
  }
  if (rows.length === 0) lines.push('(no scenario and target in common)');
  return lines.join('\n');
}

export function loadResults(path: string): RunResults {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunResults>;
  if (parsed.schema !== 1 || !Array.isArray(parsed.rows))
    throw new Error(`${path} is not a bench results file`);
  return parsed as RunResults;
}
