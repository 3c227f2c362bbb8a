// Collects one load phase's raw measurements: latency samples in µs, counts, and errors by kind.
import { SampleBuffer } from '../stats/sample-buffer.js';

export class Recorder {
  /** Until completion: from send (closed loop) or from the scheduled send time (open loop). */
  readonly total = new SampleBuffer();
  readonly headers = new SampleBuffer();
  readonly firstChunk = new SampleBuffer();
  /** Open loop only: how late each request left compared with its schedule. */
  readonly sendLag = new SampleBuffer();
  ok = 0;
  /** Every response completed while measuring, warm-up stragglers included: the CPU-per-request divisor. */
  completedInWindow = 0;
  firstCompletionAt = Number.NaN;
  lastCompletionAt = Number.NaN;
  readonly errors = new Map<string, number>();

  error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  get errorCount(): number {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }

  completion(now: number): void {
    if (Number.isNaN(this.firstCompletionAt)) this.firstCompletionAt = now;
    this.lastCompletionAt = now;
  }
}
