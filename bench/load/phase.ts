// What a load phase reports back, and the hooks through which the caller samples CPU exactly when the
// measured window opens and closes.
import type { Recorder } from './recorder.js';

export interface PhaseHooks {
  /**
   * Called synchronously when the CPU window opens: when warm-up is over (closed loop), or SNAPSHOT_LEAD_MS
   * before the first measured request falls due (open loop, so that its cost delays no measured request).
   */
  onMeasureStart(): void;
  /** Called synchronously when the last measured response is in (or the drain deadline passed). */
  onMeasureEnd(): void;
}

export interface PhaseResult {
  recorder: Recorder;
  /** performance.now() at the window's start and end, ms. */
  startedAt: number;
  endedAt: number;
  /**
   * Length of the window whose successful completions (recorder.okInWindow) give the throughput, ms: the
   * configured duration (closed loop) or the measured part of the schedule (open loop).
   */
  windowMs: number;
  /** Requests the phase meant to measure (open loop: scheduled; closed loop: sent). */
  intended: number;
  /** Requests put on the wire in the whole phase, warm-up included: the divisor of upstream calls per request. */
  issued: number;
  /** Connections the generator had open at the end. */
  connections: number;
}
