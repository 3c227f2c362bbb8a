// Turns raw measurements into one row per scenario and target: medians and spread over the repeats, and
// the latency each target adds to the direct baseline (paired within each repeat).
import type { Measurement } from '../runner/results.js';
import type { Percentile } from '../stats/percentiles.js';
import { median, pairedDifference, spread, type Spread } from '../stats/repeats.js';
import type { TargetName } from '../targets/target.js';

export interface AggregateRow {
  scenario: string;
  target: TargetName;
  repeats: number;
  rps: Spread;
  offeredRps: number | null;
  /** Latency percentiles, µs: median over repeats. */
  p50: Spread;
  p90: Spread;
  p99: Spread;
  p999: Spread;
  /**
   * Percentiles that reach into censored samples (requests that never completed) in at least half the repeats,
   * so that the median shown is (likely) a lower bound: "≥".
   */
  lowerBound: Percentile[];
  /** Percentiles that are a lower bound in any repeat: a verdict built on one of them is not trusted. */
  lowerBoundAny: Percentile[];
  /** Measured requests that never completed, all repeats (included in the percentiles at the deadline). */
  censored: number;
  /** False when a repeat had fewer than 1000 samples, making p99.9 the max in disguise. */
  p999Reliable: boolean;
  headersP50: Spread;
  firstChunkP50: Spread | null;
  firstChunkP99: Spread | null;
  sendLagP99: Spread | null;
  /**
   * Target percentile minus direct's percentile in the same repeat (p99 − direct p99: not the p99 of the added
   * latency), µs, median and spread over repeats; null for direct itself or without a direct run.
   */
  addedP50: Spread | null;
  addedP99: Spread | null;
  addedFirstChunkP50: Spread | null;
  targetUsPerReq: Spread | null;
  targetCores: Spread | null;
  mockUsPerReq: Spread;
  generatorUsPerReq: Spread;
  generatorCores: Spread;
  /** Highest RSS sampled in any repeat's window (max over repeats, not a median). */
  rssPeakMb: number | null;
  errors: number;
  /** Warm-up requests still out at a deadline: shown, not part of `errors` or `errorRate`. */
  warmupTimeouts: number;
  /** Open loop: whether the median rate reached 97 % of the offered rate; null for closed loop. */
  /** Every repeat kept up with the offered rate (null for closed loops). */
  sustained: boolean | null;
  errorRate: number;
  /** The highest error rate of a single repeat: one bad repeat must not hide in the pooled rate. */
  worstErrorRate: number;
  errorKinds: Record<string, number>;
  upstreamCallsPerRequest: number | null;
  /** Repeats whose window was flagged busy (after the re-measure). */
  busyRepeats: number;
  /** Per stage of our gateway: its own wait per request, medians over repeats; null for other targets. */
  stages: Record<string, StageRow> | null;
}

export interface StageRow {
  /** Observations in all repeats' windows. */
  count: number;
  meanUs: Spread;
  p50UpperUs: Spread;
  p99UpperUs: Spread;
}

function stageRows(ms: readonly Measurement[]): Record<string, StageRow> | null {
  const withStages = ms.filter((m) => m.stages !== undefined && m.stages !== null);
  if (withStages.length === 0) return null;
  const names = [...new Set(withStages.flatMap((m) => Object.keys(m.stages!)))].sort();
  const out: Record<string, StageRow> = {};
  for (const name of names) {
    const per = withStages.map((m) => m.stages![name]).filter((s) => s !== undefined);
    out[name] = {
      count: per.reduce((n, s) => n + s.count, 0),
      meanUs: spread(per.map((s) => s.meanUs)),
      p50UpperUs: spread(per.map((s) => s.p50UpperUs)),
      p99UpperUs: spread(per.map((s) => s.p99UpperUs)),
    };
  }
  return out;
}

/** The last attempt of each repeat, ordered by repeat. */
export function finalAttempts(
  all: readonly Measurement[],
  scenario: string,
  target: TargetName,
): Measurement[] {
  const byRepeat = new Map<number, Measurement>();
  for (const m of all) {
    if (m.scenario !== scenario || m.target !== target) continue;
    const seen = byRepeat.get(m.repeat);
    if (seen === undefined || m.attempt > seen.attempt) byRepeat.set(m.repeat, m);
  }
  return [...byRepeat.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
}

function byRepeat(ms: readonly Measurement[], pick: (m: Measurement) => number): Map<number, number> {
  return new Map(ms.map((m) => [m.repeat, pick(m)]));
}

function paired(
  ms: readonly Measurement[],
  base: readonly Measurement[],
  pick: (m: Measurement) => number,
): Spread | null {
  if (base.length === 0) return null;
  const a = byRepeat(ms, pick);
  const b = byRepeat(base, pick);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [repeat, value] of a) {
    const other = b.get(repeat);
    if (other === undefined) continue;
    xs.push(value);
    ys.push(other);
  }
  return xs.length === 0 ? null : pairedDifference(xs, ys);
}

/** An open-loop rate counts as sustained at 97 % of the offered rate or more. */
export function isSustained(rps: number, offeredRps: number): boolean {
  return rps >= offeredRps * 0.97;
}

const nullable = (values: (number | null)[]): Spread | null =>
  values.every((v) => v === null) ? null : spread(values.map((v) => v ?? Number.NaN));

const PERCENTILES: readonly Percentile[] = ['p50', 'p90', 'p99', 'p999'];

export function aggregateRow(
  all: readonly Measurement[],
  scenario: string,
  target: TargetName,
): AggregateRow | undefined {
  const ms = finalAttempts(all, scenario, target);
  if (ms.length === 0) return undefined;
  const base = target === 'direct' ? [] : finalAttempts(all, scenario, 'direct');
  const stream = ms[0]!.firstChunkUs !== null;
  const requests = ms.reduce((n, m) => n + m.ok + m.errors, 0);
  const errors = ms.reduce((n, m) => n + m.errors, 0);
  const errorKinds: Record<string, number> = {};
  for (const m of ms)
    for (const [k, v] of Object.entries(m.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v;
  const rss = ms.map((m) => m.rssPeakKb).filter((v): v is number => v !== null);
  const calls = ms.map((m) => m.upstreamCallsPerRequest).filter((v): v is number => v !== null);
  return {
    scenario,
    target,
    repeats: ms.length,
    rps: spread(ms.map((m) => m.rps)),
    offeredRps: ms[0]!.offeredRps,
    p50: spread(ms.map((m) => m.latencyUs.p50)),
    p90: spread(ms.map((m) => m.latencyUs.p90)),
    p99: spread(ms.map((m) => m.latencyUs.p99)),
    p999: spread(ms.map((m) => m.latencyUs.p999)),
    lowerBound: PERCENTILES.filter(
      (p) => 2 * ms.filter((m) => (m.latencyUs.lowerBound ?? []).includes(p)).length >= ms.length,
    ),
    lowerBoundAny: [...new Set(ms.flatMap((m) => m.latencyUs.lowerBound ?? []))],
    censored: ms.reduce((n, m) => n + (m.latencyUs.censored ?? 0), 0),
    p999Reliable: ms.every((m) => m.latencyUs.count >= 1000),
    headersP50: spread(ms.map((m) => m.headersUs.p50)),
    firstChunkP50: stream ? spread(ms.map((m) => m.firstChunkUs?.p50 ?? Number.NaN)) : null,
    firstChunkP99: stream ? spread(ms.map((m) => m.firstChunkUs?.p99 ?? Number.NaN)) : null,
    sendLagP99: ms[0]!.sendLagUs === null ? null : spread(ms.map((m) => m.sendLagUs?.p99 ?? Number.NaN)),
    addedP50: paired(ms, base, (m) => m.latencyUs.p50),
    addedP99: paired(ms, base, (m) => m.latencyUs.p99),
    addedFirstChunkP50: stream ? paired(ms, base, (m) => m.firstChunkUs?.p50 ?? Number.NaN) : null,
    targetUsPerReq: nullable(ms.map((m) => m.cpu.targetUsPerReq)),
    targetCores: nullable(ms.map((m) => m.cpu.targetCores)),
    mockUsPerReq: spread(ms.map((m) => m.cpu.mockUsPerReq)),
    generatorUsPerReq: spread(ms.map((m) => m.cpu.generatorUsPerReq)),
    generatorCores: spread(ms.map((m) => m.cpu.generatorCores)),
    rssPeakMb: rss.length === 0 ? null : Math.max(...rss) / 1024,
    errors,
    warmupTimeouts: ms.reduce((n, m) => n + (m.warmupTimeouts ?? 0), 0),
    // Judged per repeat, as errors are: one repeat that fell behind must not vanish under the median.
    sustained: ms[0]!.offeredRps === null ? null : ms.every((m) => isSustained(m.rps, ms[0]!.offeredRps!)),
    errorRate: requests === 0 ? 0 : errors / requests,
    worstErrorRate: Math.max(0, ...ms.map((m) => (m.ok + m.errors === 0 ? 0 : m.errors / (m.ok + m.errors)))),
    errorKinds,
    upstreamCallsPerRequest: calls.length === 0 ? null : median(calls),
    busyRepeats: ms.filter((m) => m.machine.busy).length,
    stages: stageRows(ms),
  };
}

export function aggregate(
  all: readonly Measurement[],
  scenarios: readonly string[],
  targets: readonly TargetName[],
): AggregateRow[] {
  const rows: AggregateRow[] = [];
  for (const scenario of scenarios) {
    for (const target of targets) {
      const row = aggregateRow(all, scenario, target);
      if (row !== undefined) rows.push(row);
    }
  }
  return rows;
}
