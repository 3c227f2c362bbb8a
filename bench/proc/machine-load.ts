// Is the machine busy with something other than the bench? Compares all CPU time the kernel accounted
// (/proc/stat) with the CPU time of the bench's own processes over the same window: the difference is
// someone else's work. Interrupt and softirq time are left out on both sides, since loopback networking of
// the bench itself lands there, and steal time (a noisy neighbour on the host) is reported separately.

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
 * Judges one window. `ownTicks` is the CPU the bench's processes used in it; `seconds` its length. Tick
 * counting is coarse (10 ms), so a small allowance of 3 ticks per core is granted before calling it foreign.
 */
export function judgeWindow(
  before: CpuTotals,
  after: CpuTotals,
  ownTicks: number,
  seconds: number,
  ticksPerSecond: number,
  cores: number,
  thresholds: LoadThresholds = DEFAULT_THRESHOLDS,
): LoadVerdict {
  const span = Math.max(seconds * ticksPerSecond, 1);
  const busyTicks = after.busy - before.busy;
  const foreignTicks = Math.max(0, busyTicks - ownTicks - 3 * cores);
  const foreignCores = foreignTicks / span;
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
