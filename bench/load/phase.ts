// What a load phase reports back, and the hooks through which the caller samples CPU exactly when the
// measured window opens and closes.
import type { Recorder } from './recorder.js';

export interface PhaseHooks {
  /** Called synchronously when measuring starts (warm-up over). */
  onMeasureStart(): void;
  /** Called synchronously when the last measured response is in (or the drain deadline passed). */
  onMeasureEnd(): void;
}

export interface PhaseResult {
  recorder: Recorder;
  /** performance.now() at the window's start and end, ms. */
  startedAt: number;
  endedAt: number;
  /** Requests the phase meant to measure (open loop: scheduled; closed loop: sent). */
  intended: number;
  /** Requests put on the wire in the whole phase, warm-up included (for upstream calls per request). */
  issued: number;
  /** Connections the generator had open at the end. */
  connections: number;
}
