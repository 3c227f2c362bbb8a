// Waits, before a measurement, until the mock upstream's request counter has stopped moving: an overloaded
// target (Portkey at 2k/s) keeps forwarding its accepted backlog after the generator has hung up, and that
// work must not land in the next target's window. Bounded, so a target that never settles cannot stall the
// run; the window that follows is then flagged instead.

export interface QuietOptions {
  /** The counter must stay unchanged this long, ms. */
  stableMs: number;
  /** Give up after this long, ms. */
  maxMs: number;
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

// 100 ms without a new upstream call: a target still forwarding a backlog calls the mock hundreds of times a
// second. The wait runs before every measurement, so it is kept short (the quick run must stay under 3 minutes).
export const DEFAULT_QUIET: QuietOptions = { stableMs: 100, maxMs: 5_000, pollMs: 25 };

export interface QuietResult {
  quiet: boolean;
  waitedMs: number;
  /** Counter increase seen while waiting. */
  moved: number;
}

export async function waitForQuiet(read: () => Promise<number>, options: QuietOptions): Promise<QuietResult> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const began = now();
  const first = await read();
  let last = first;
  let stableSince = began;
  for (;;) {
    const t = now();
    if (t - stableSince >= options.stableMs) return { quiet: true, waitedMs: t - began, moved: last - first };
    if (t - began >= options.maxMs) return { quiet: false, waitedMs: t - began, moved: last - first };
    await sleep(options.pollMs);
    const value = await read();
    if (value !== last) {
      last = value;
      stableSince = now();
    }
  }
}
