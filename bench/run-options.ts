// Command-line options of bench/run.ts.
import { parseArgs } from 'node:util';
import { QUICK_SCENARIOS, SCENARIOS } from './scenarios.js';
import { ALL_TARGETS, type TargetName } from './targets/target.js';
import type { RunSettings } from './runner/results.js';

export interface RunOptions {
  compare: [string, string] | undefined;
  settings: RunSettings;
  scenarios: string[];
  targets: TargetName[];
  outDir: string | undefined;
  allowBusy: boolean;
  build: boolean;
  /** Measure the gateway of this git ref instead of the working tree. */
  gatewayRef: string | undefined;
  /** Nice value for the bench's processes during the run (0 = leave as is). */
  nice: number;
  help: boolean;
}

export const USAGE = `Usage: node --import tsx bench/run.ts [options]
  --quick                 ${QUICK_SCENARIOS.length} headline scenarios, short windows (< 3 minutes with all targets)
  --full                  every scenario (default)
  --scenarios a,b         only these scenario ids (${SCENARIOS.map((s) => s.id).join(', ')})
  --targets a,b           only these targets (${ALL_TARGETS.join(', ')})
  --repeats N             repeats per scenario and target (default 3; fewer than 3 gives no spread)
  --warmup S --duration S seconds of warm-up and of measuring per measurement
  --out DIR               where results go (default bench/results)
  --allow-busy            run even when the machine is busy with other work (results are flagged)
  --no-build              do not rebuild the gateway (dist/) before the run
  --gateway-ref REF       measure the gateway as committed at REF (e.g. HEAD~1), built under .data/
  --nice=N                run the bench's processes at nice N (e.g. --nice=-10, needs root) on a shared machine
  --compare A.json B.json print B/A ratios of two result files and exit`;

function list<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  what: string,
): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new Error(`unknown ${what} "${item}"`);
  }
  return items as T[];
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || n > 600) throw new Error(`--${name} must be a number of seconds in (0, 600]`);
  return n;
}

export function parseRunOptions(argv: readonly string[]): RunOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      repeats: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      out: { type: 'string' },
      'allow-busy': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'gateway-ref': { type: 'string' },
      nice: { type: 'string', default: '0' },
      compare: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.compare && positionals.length !== 2) throw new Error('--compare takes two result files');
  if (!values.compare && positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  if (values.quick && values.full) throw new Error('--quick and --full exclude each other');
  const quick = values.quick;
  const chosen = list(
    values.scenarios,
    SCENARIOS.map((s) => s.id),
    'scenario',
  );
  const nice = Number(values.nice);
  if (!Number.isInteger(nice) || nice < -20 || nice > 19)
    throw new Error('--nice must be an integer -20..19');
  const repeats = values.repeats === undefined ? 3 : Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) throw new Error('--repeats must be 1..20');
  return {
    compare: values.compare ? [positionals[0]!, positionals[1]!] : undefined,
    settings: {
      mode: chosen !== undefined ? 'custom' : quick ? 'quick' : 'full',
      repeats,
      warmupS: positive(values.warmup, 'warmup', quick ? 0.4 : 1),
      durationS: positive(values.duration, 'duration', quick ? 1.2 : 4),
      drainS: 3,
      openLoopMaxConnections: 512,
      nice,
    },
    scenarios: chosen ?? (quick ? [...QUICK_SCENARIOS] : SCENARIOS.map((s) => s.id)),
    targets: list(values.targets, ALL_TARGETS, 'target') ?? [...ALL_TARGETS],
    outDir: values.out,
    allowBusy: values['allow-busy'],
    build: !values['no-build'],
    gatewayRef: values['gateway-ref'],
    nice,
    help: values.help,
  };
}
