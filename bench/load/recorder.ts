// Collects one load phase's raw measurements: latency samples in µs, counts, and errors by kind.
import { SampleBuffer } from '../stats/sample-buffer.js';

export class Recorder {
  /** Until completion: from send (closed loop) or from the scheduled send time (open loop). */
  readonly total = new SampleBuffer();
  /**
   * Measured requests that never completed (timed out at the deadline, or never sent): the time from their
   * origin to the deadline, µs. Their true latency is at least that, so percentiles reaching into them are
   * lower bounds (stats/percentiles.ts summarizeCensored).
   */
  readonly censored = new SampleBuffer();
  readonly headers = new SampleBuffer();
  readonly firstChunk = new SampleBuffer();
  /** Open loop only: how late each request left compared with its schedule. */
  readonly sendLag = new SampleBuffer();
  ok = 0;
  /**
   * Every response completed inside the CPU window (from the start snapshot: the open loop takes it shortly
   * before its latency window), warm-up stragglers included: the CPU-per-request divisor.
   */
  completedInWindow = 0;
  /**
   * Successful responses completed inside [windowStart, windowEnd], whichever request they answer: divided by
   * the window's length this is the throughput, with no tail of the last requests added to the divisor.
   */
  okInWindow = 0;
  windowStart = Number.POSITIVE_INFINITY;
  windowEnd = Number.POSITIVE_INFINITY;
  /** Warm-up requests still out at the deadline: shown, but not part of the measured error rate. */
  warmupTimeouts = 0;
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

  /** A successful response at `now`, measured or not: counts toward the window's throughput. */
  success(now: number): void {
    if (now >= this.windowStart && now <= this.windowEnd) this.okInWindow++;
  }

  /** Measured request that never completed: latency at least `deadline − origin`. */
  censor(origin: number, deadline: number): void {
    this.censored.push(Math.max(0, deadline - origin) * 1000);
  }

  /** Successful completions per second inside the window; NaN before the window is set. */
  windowRate(): number {
    const seconds = (this.windowEnd - this.windowStart) / 1000;
    return seconds > 0 && Number.isFinite(seconds) ? this.okInWindow / seconds : Number.NaN;
  }
}
