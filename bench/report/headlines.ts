// The acceptance targets, checked against the aggregated rows. A missing target or scenario gives
// 'n/a', never a pass.
import type { AggregateRow } from './aggregate.js';
import type { TargetName } from '../targets/target.js';

export interface Headline {
  check: string;
  goal: string;
  measured: string;
  value: number | null;
  status: 'pass' | 'fail' | 'n/a';
  /**
   * The same measure for the bare hop (bench/floor/bare-hop.ts: a uWS server forwarding through undici with
   * nothing else), when it ran: what any proxy built this way pays on this machine, so a miss can be read
   * against it. Context only, never part of the verdict.
   */
  floor: string;
}

type Finder = (scenario: string, target: TargetName) => AggregateRow | undefined;

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
    status: value === null ? 'n/a' : value >= min ? 'pass' : 'fail',
    floor: '–',
  };
}

function maxCheck(
  find: Finder,
  check: string,
  scenario: string,
  target: TargetName,
  pick: (row: AggregateRow) => number | undefined,
  maxUs: number,
  unit: 'ms' | 'µs',
): Headline {
  const valueOf = (name: TargetName): number | null => {
    const row = find(scenario, name);
    const raw = row === undefined ? undefined : pick(row);
    return raw === undefined || !Number.isFinite(raw) ? null : raw;
  };
  const value = valueOf(target);
  const floor = valueOf('hop');
  const show = (us: number): string =>
    unit === 'ms' ? `${(us / 1000).toFixed(3)} ms` : `${us.toFixed(1)} µs`;
  return {
    check,
    goal: `≤ ${show(maxUs)}`,
    measured: value === null ? 'n/a' : show(value),
    value,
    status: value === null ? 'n/a' : value <= maxUs ? 'pass' : 'fail',
    floor: floor === null ? '–' : show(floor),
  };
}

export function headlines(rows: readonly AggregateRow[]): Headline[] {
  const find: Finder = (scenario, target) => rows.find((r) => r.scenario === scenario && r.target === target);
  return [
    ratioCheck(find, 'pass-through throughput vs Portkey, c=50', 'ns-0ms-c50', 'gateway', 10),
    ratioCheck(find, 'full-pipeline throughput vs Portkey, c=50', 'ns-0ms-c50', 'gateway-full', 5),
    maxCheck(
      find,
      'open loop 2k/s: added p99, pass-through',
      'open-2k',
      'gateway',
      (r) => r.addedP99?.median,
      1000,
      'ms',
    ),
    maxCheck(
      find,
      'open loop 2k/s: added p99, full pipeline',
      'open-2k',
      'gateway-full',
      (r) => r.addedP99?.median,
      3000,
      'ms',
    ),
    maxCheck(
      find,
      'streaming: added time to first chunk p50, c=1',
      'st20-0ms-c1',
      'gateway',
      (r) => r.addedFirstChunkP50?.median,
      300,
      'ms',
    ),
    maxCheck(
      find,
      'gateway CPU per request, pass-through, 0 ms, c=50',
      'ns-0ms-c50',
      'gateway',
      (r) => r.targetUsPerReq?.median,
      100,
      'µs',
    ),
  ];
}
