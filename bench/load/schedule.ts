// Open-loop schedule: request i is due at start + i / rate, whatever happened to earlier requests. Latency
// counts from this due time, so a stalled server is charged for every request it delayed (no coordinated
// omission).

export interface Schedule {
  /** performance.now() time of request 0, ms. */
  startMs: number;
  intervalMs: number;
  /** Requests in the whole schedule, warm-up included. */
  total: number;
  /** The first `warmup` requests are not recorded. */
  warmup: number;
}

export function makeSchedule(
  startMs: number,
  ratePerSec: number,
  warmupMs: number,
  durationMs: number,
  maxRequests: number,
): Schedule {
  if (!(ratePerSec > 0)) throw new RangeError('rate must be positive');
  const intervalMs = 1000 / ratePerSec;
  const warmup = Math.min(maxRequests, Math.floor(warmupMs / intervalMs));
  const measured = Math.floor(durationMs / intervalMs);
  return { startMs, intervalMs, total: Math.min(maxRequests, warmup + measured), warmup };
}

export function dueTime(schedule: Schedule, index: number): number {
  return schedule.startMs + index * schedule.intervalMs;
}

/** How many requests are due at `now` (indices 0..n-1 have a due time <= now), capped by the total. */
export function dueCount(schedule: Schedule, now: number): number {
  if (now < schedule.startMs) return 0;
  let n = Math.floor((now - schedule.startMs) / schedule.intervalMs) + 1;
  // Float rounding can put the boundary request one step off; settle it against dueTime itself.
  while (n > 0 && dueTime(schedule, n - 1) > now) n--;
  while (n < schedule.total && dueTime(schedule, n) <= now) n++;
  return Math.min(n, schedule.total);
}

/** Duration of the measured part, ms. */
export function measuredSpanMs(schedule: Schedule): number {
  return (schedule.total - schedule.warmup) * schedule.intervalMs;
}
