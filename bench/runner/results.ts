// The shape of a results file (bench/results/*.json): everything measured, raw per repeat, plus the
// aggregated rows and headline checks the Markdown summary is made from.
import type { Headline } from '../report/headlines.js';
import type { AggregateRow } from '../report/aggregate.js';
import type { LoadVerdict } from '../proc/machine-load.js';
import type { MachineFacts } from '../proc/machine-facts.js';
import type { Scenario } from '../scenarios.js';
import type { LatencySummary } from '../stats/percentiles.js';
import type { StageSummary } from '../stats/stage-histogram.js';
import type { TargetName } from '../targets/target.js';

export interface CpuReport {
  /** Target process tree CPU per completed request, µs; null for direct. */
  targetUsPerReq: number | null;
  /** Average cores the target used during the window. */
  targetCores: number | null;
  mockUsPerReq: number;
  mockCores: number;
  /** The load generator's own CPU (all its threads), µs per request and cores. */
  generatorUsPerReq: number;
  generatorCores: number;
  /**
   * Target CPU by thread name (ticks), to tell the event loop from helper threads. Unlike the other fields it
   * spans the whole phase (warm-up, window, drain), not the window alone.
   */
  targetThreads: Record<string, number> | null;
}

export interface Measurement {
  scenario: string;
  target: TargetName;
  repeat: number;
  /** 1, or 2 when the first attempt was taken on a busy machine and measured again. */
  attempt: number;
  seconds: number;
  intended: number;
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** Warm-up requests still out at the deadline: not in `errors` (absent in older files). */
  warmupTimeouts?: number;
  /** Successful completions inside the window ÷ its length (before 27 Nov 12:10 UTC: ÷ first-to-last completion). */
  rps: number;
  /** Open loop: the rate asked for. */
  offeredRps: number | null;
  latencyUs: LatencySummary;
  headersUs: LatencySummary;
  firstChunkUs: LatencySummary | null;
  sendLagUs: LatencySummary | null;
  cpu: CpuReport;
  /**
   * Our gateway: what requests of the window waited in each stage (auth, analyze, limits, cache), from its
   * `gateway_stage_seconds`; null for other targets (absent in results files older than 27 Nov).
   */
  stages?: Record<string, StageSummary> | null;
  /** Highest VmRSS sampled during the window (every 200 ms and at its edges) and VmHWM after it, KiB. */
  rssPeakKb: number | null;
  hwmKb: number | null;
  /**
   * Mock requests per client request over the measured window: 1.0 unless the target retries or fans out
   * (before 27 Nov 12:10 UTC: over warm-up + window, so a previous target's backlog could leak in).
   */
  upstreamCallsPerRequest: number | null;
  connections: number;
  machine: LoadVerdict;
}

export interface TargetInfo {
  name: TargetName;
  label: string;
  available: boolean;
  version: string;
  /** Why the target is missing from the run. */
  reason?: string;
}

export interface RunSettings {
  mode: 'quick' | 'full' | 'custom';
  repeats: number;
  warmupS: number;
  durationS: number;
  drainS: number;
  openLoopMaxConnections: number;
  /** Nice value the bench's processes ran at (0 = unchanged). */
  nice: number;
}

export interface RunResults {
  schema: 1;
  command: string;
  startedAt: string;
  finishedAt: string;
  settings: RunSettings;
  machine: MachineFacts;
  /** Machine check before the run. */
  preflight: LoadVerdict;
  targets: TargetInfo[];
  scenarios: Scenario[];
  measurements: Measurement[];
  rows: AggregateRow[];
  headlines: Headline[];
}
