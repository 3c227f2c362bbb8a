// A system under test: where to send chat requests and which process to account CPU and memory to.

export type TargetName = 'direct' | 'hop' | 'gateway' | 'gateway-full' | 'portkey';

export const ALL_TARGETS: readonly TargetName[] = ['direct', 'hop', 'gateway', 'gateway-full', 'portkey'];

export const TARGET_LABELS: Record<TargetName, string> = {
  direct: 'direct (mock)',
  hop: 'floor: bare uWS + undici hop',
  gateway: 'ours pass-through',
  'gateway-full': 'ours full pipeline',
  portkey: 'Portkey 1.15.2',
};

export interface Target {
  readonly name: TargetName;
  readonly port: number;
  /** Model name to put in requests. */
  readonly model: string;
  /** Extra request headers, e.g. the peer's routing headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** The process to account to this target; undefined for the mock itself (direct). */
  readonly pid: number | undefined;
  /** Serves our /metrics with `gateway_stage_seconds` (our gateway): read at the window's edges. */
  readonly stageMetrics?: boolean;
  /** Free-form version or build facts for the report. */
  readonly version: string;
  stop(): Promise<void>;
}
