// Is the machine busy with something other than the bench? Foreign work is the CPU time of every process that
// is not the bench's, from their own counters (othersTicksOf). It was all the CPU /proc/stat accounted minus
// the bench's: but this kernel samples /proc/stat on its 4 ms tick while processes' counters are exact, and the
// open loop's pacing periods divide that tick, so on open-loop windows the two disagreed by 0.15–0.3 cores,
// hiding foreign work or inventing it (found by review). Interrupt and softirq time belong to no process (the
// bench's loopback networking lands there); steal time (a noisy neighbour on the host) comes from /proc/stat
// and is reported separately.

export interface CpuTotals {
  /** user + nice + system, all cores, ticks. */
  busy: number;
  idle: number;
  irq: number;
  steal: number;
}

export function parseProcStat(text: string): CpuTotals {
  const line = text.slice(0, text.indexOf('\n'));
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { busy: user + nice + system, idle: idle + iowait, irq: irq + softirq, steal };
}

export interface LoadVerdict {
  /** CPU used by others, in cores (1.0 = one core fully). */
  foreignCores: number;
  stealCores: number;
  /** Share of the window the whole machine's cores were busy, 0..1. */
  machineBusy: number;
  busy: boolean;
  reason: string | undefined;
}

export interface LoadThresholds {
  /** Foreign work above this many cores flags the window. */
  maxForeignCores: number;
  maxStealCores: number;
}

export const DEFAULT_THRESHOLDS: LoadThresholds = { maxForeignCores: 0.1, maxStealCores: 0.1 };

/**
 * CPU of every process but the bench's, in ticks: utime + stime + cutime + cstime of each, so a process that
 * exits inside a window moves into its parent's (or init's) reaped time instead of vanishing. The difference
 * of two readings is the foreign work between them: a process alive at both counts its delta, a new one all of
 * its time, and one that exited what its reaper gained minus what it had at the first reading.
 */
export function othersTicksOf(
  pids: readonly number[],
  own: ReadonlySet<number>,
  ticksOf: (pid: number) => number,
): number {
  let total = 0;
  for (const pid of pids) {
    if (own.has(pid)) continue;
    const ticks = ticksOf(pid);
    if (!Number.isNaN(ticks)) total += ticks;
  }
  return total;
}

/**
 * Judges one window. `foreignTicks` is the CPU other processes used in it (othersTicksOf, end minus start);
 * `seconds` its length. Each process's counters are cut to whole ticks, so 3 ticks per core are allowed
 * before calling it foreign.
 */
export function judgeWindow(
  before: CpuTotals,
  after: CpuTotals,
  foreignTicks: number,
  seconds: number,
  ticksPerSecond: number,
  cores: number,
  thresholds: LoadThresholds = DEFAULT_THRESHOLDS,
): LoadVerdict {
  const span = Math.max(seconds * ticksPerSecond, 1);
  const busyTicks = after.busy - before.busy;
  const foreignCores = Math.max(0, foreignTicks - 3 * cores) / span;
  const stealCores = (after.steal - before.steal) / span;
  const total =
    busyTicks + (after.idle - before.idle) + (after.irq - before.irq) + (after.steal - before.steal);
  const machineBusy = total > 0 ? (busyTicks + (after.irq - before.irq)) / total : 0;
  let reason: string | undefined;
  if (foreignCores > thresholds.maxForeignCores) {
    reason = `other processes used ${foreignCores.toFixed(2)} cores`;
  } else if (stealCores > thresholds.maxStealCores) {
    reason = `hypervisor steal ${stealCores.toFixed(2)} cores`;
  }
  return { foreignCores, stealCores, machineBusy, busy: reason !== undefined, reason };
}

/** The 1-minute load average, from /proc/loadavg. */
export function parseLoadAvg(text: string): number {
  return Number(text.split(' ')[0]);
}
