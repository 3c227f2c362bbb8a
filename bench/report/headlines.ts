// The acceptance targets, checked against the aggregated rows. A missing target or scenario gives
// 'n/a', never a pass; so does a row that cannot be trusted (busy repeats, errors or a missed rate on the
// baseline), and a row of ours with errors or a missed rate fails, with the reason shown.
import type { Percentile } from '../stats/percentiles.js';
import type { AggregateRow } from './aggregate.js';
import type { TargetName } from '../targets/target.js';

export interface Headline {
  check: string;
  goal: string;
  measured: string;
  value: number | null;
  status: 'pass' | 'fail' | 'n/a';
  /** Error rate of the row judged, as shown (absent in older files). */
  errors?: string;
  /** Why the verdict is not what the value alone says: errors, not sustained, busy repeats (absent: none). */
  reason?: string;
  /**
   * The same measure for the bare hop (bench/floor/bare-hop.ts: a uWS server forwarding through undici with
   * nothing else), when it ran: what any proxy built this way pays on this machine, so a miss can be read
   * against it. Context only, never part of the verdict.
   */
  floor: string;
}

/** Measured error rates above this share make a row unfit to pass. */
export const MAX_ERROR_RATE = 0.01;

type Finder = (scenario: string, target: TargetName) => AggregateRow | undefined;

/** What disqualifies a row from a verdict, or undefined when it is sound. */
export function rowProblem(row: AggregateRow, percentile?: Percentile): string | undefined {
  const out: string[] = [];
  // Judged per repeat: a repeat with 2.5 % errors must not pass because the others had none.
  const worst = row.worstErrorRate;
  if (worst > MAX_ERROR_RATE) out.push(`${(worst * 100).toFixed(2)} % errors in a repeat`);
  // A percentile that reaches into requests that never completed is only a lower bound: a difference built
  // on it (target minus direct) says nothing.
  if (percentile !== undefined && row.lowerBoundAny.includes(percentile))
    out.push(`${percentile} is a lower bound (requests never completed)`);
  if (row.sustained === false) out.push('not sustained');
  if (row.busyRepeats > 0) out.push(`busy in ${row.busyRepeats}/${row.repeats} repeats`);
  return out.length === 0 ? undefined : out.join(', ');
}

/**
 * Verdict from the value, then overridden by row problems: ours with errors or a missed rate fails; a busy
 * machine, or a baseline that is not sound, gives n/a (the comparison says nothing).
 */
function judge(
  pass: boolean | null,
  ours: AggregateRow | undefined,
  baseline: AggregateRow | undefined,
  percentile?: Percentile,
): { status: Headline['status']; reason?: string } {
  if (pass === null || ours === undefined) return { status: 'n/a' };
  const reasons: string[] = [];
  let status: Headline['status'] = pass ? 'pass' : 'fail';
  const own = rowProblem(ours, percentile);
  if (own !== undefined) {
    reasons.push(`${ours.target}: ${own}`);
    const untrusted =
      ours.busyRepeats > 0 &&
      ours.worstErrorRate <= MAX_ERROR_RATE &&
      ours.sustained !== false &&
      (percentile === undefined || !ours.lowerBoundAny.includes(percentile));
    status = untrusted ? (status === 'fail' ? 'fail' : 'n/a') : 'fail';
  }
  const base = baseline === undefined ? undefined : rowProblem(baseline, percentile);
  if (base !== undefined) {
    reasons.push(`${baseline!.target}: ${base}`);
    if (status === 'pass') status = 'n/a';
  }
  return reasons.length === 0 ? { status } : { status, reason: reasons.join('; ') };
}

const percent = (row: AggregateRow | undefined): string =>
  row === undefined ? '–' : `${(row.errorRate * 100).toFixed(2)} %`;

function ratioCheck(find: Finder, check: string, scenario: string, ours: TargetName, min: number): Headline {
  const a = find(scenario, ours);
  const b = find(scenario, 'portkey');
  const value = a !== undefined && b !== undefined && b.rps.median > 0 ? a.rps.median / b.rps.median : null;
  return {
    check,
    goal: `≥ ${min}×`,
    measured:
      value === null
        ? 'n/a'
        : `${value.toFixed(2)}× (${a!.rps.median.toFixed(0)} vs ${b!.rps.median.toFixed(0)} req/s)`,
    value,
    ...judge(value === null ? null : value >= min, a, b),
    errors: `${percent(a)} (Portkey ${percent(b)})`,
    floor: '–',
  };
}

function maxCheck(
  find: Finder,
  check: string,
  scenario: string,
  target: TargetName,
  pick: (row: AggregateRow) => { median: number; min: number; max: number; n: number } | null | undefined,
  maxUs: number,
  unit: 'ms' | 'µs',
  baseline: TargetName | undefined,
  percentile?: Percentile,
): Headline {
  const spreadOf = (name: TargetName) => {
    const row = find(scenario, name);
    const raw = row === undefined ? undefined : pick(row);
    return raw === undefined || raw === null || !Number.isFinite(raw.median) ? null : raw;
  };
  const row = find(scenario, target);
  const s = spreadOf(target);
  const value = s === null ? null : s.median;
  const floor = spreadOf('hop');
  const show = (us: number): string =>
    unit === 'ms' ? `${(us / 1000).toFixed(3)} ms` : `${us.toFixed(1)} µs`;
  // The repeats' range beside the median: one repeat can swing a difference of two p99s.
  const range = s !== null && s.n > 1 ? ` (repeats ${show(s.min)} … ${show(s.max)})` : '';
  return {
    check,
    goal: `≤ ${show(maxUs)}`,
    measured: value === null ? 'n/a' : `${show(value)}${range}`,
    value,
    ...judge(
      value === null ? null : value <= maxUs,
      row,
      baseline === undefined ? undefined : find(scenario, baseline),
      percentile,
    ),
    errors: percent(row),
    floor: floor === null ? '–' : show(floor.median),
  };
}

export function headlines(rows: readonly AggregateRow[]): Headline[] {
  const find: Finder = (scenario, target) => rows.find((r) => r.scenario === scenario && r.target === target);
  return [
    ratioCheck(find, 'pass-through throughput vs Portkey, c=50', 'ns-0ms-c50', 'gateway', 10),
    ratioCheck(find, 'full-pipeline throughput vs Portkey, c=50', 'ns-0ms-c50', 'gateway-full', 5),
    maxCheck(
      find,
      'open loop 2k/s: p99 − direct p99 (paired per repeat), pass-through',
      'open-2k',
      'gateway',
      (r) => r.addedP99,
      1000,
      'ms',
      'direct',
      'p99',
    ),
    maxCheck(
      find,
      'open loop 2k/s: p99 − direct p99 (paired per repeat), full pipeline',
      'open-2k',
      'gateway-full',
      (r) => r.addedP99,
      3000,
      'ms',
      'direct',
      'p99',
    ),
    maxCheck(
      find,
      'streaming: first chunk p50 − direct first chunk p50, c=1',
      'st20-0ms-c1',
      'gateway',
      (r) => r.addedFirstChunkP50,
      300,
      'ms',
      'direct',
    ),
    maxCheck(
      find,
      'gateway CPU per request, pass-through, 0 ms, c=50',
      'ns-0ms-c50',
      'gateway',
      (r) => r.targetUsPerReq,
      100,
      'µs',
      undefined,
    ),
  ];
}
