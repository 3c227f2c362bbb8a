// A bound on how often a repeated log line is written: an outage must be visible, not flood the log. Real
// elapsed time (performance.now): a wall clock can step back and would silence the line.
import { performance } from 'node:perf_hooks';

/**
 * At most `perSecond` lines in any window of one second from the first line of the window. The returned
 * function says whether a line may be written now: the number of lines left out since the last one written,
 * or undefined when this one must be left out too.
 */
export function createLogThrottle(
  perSecond: number,
  now: () => number = () => performance.now(),
): () => number | undefined {
  let windowStart = Number.NEGATIVE_INFINITY;
  let written = 0;
  let suppressed = 0;
  return () => {
    const t = now();
    if (t - windowStart >= 1000) {
      windowStart = t;
      written = 0;
    }
    if (written >= perSecond) {
      suppressed++;
      return undefined;
    }
    written++;
    const before = suppressed;
    suppressed = 0;
    return before;
  };
}
