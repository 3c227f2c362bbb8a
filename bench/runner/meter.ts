// Snapshots of CPU counters at the edges of a measured window: the target's, the mock's, the generator's,
// all of the bench's processes together, and the whole machine's (for the busy check).
import { readFileSync } from 'node:fs';
import { parseProcStat, type CpuTotals } from '../proc/machine-load.js';
import { descendantPids, treeTicks } from '../proc/cpu-ticks.js';

export interface MeterPids {
  target: number | undefined;
  mock: number;
  /** Every other process the bench started (idle targets), so their CPU is not taken for foreign load. */
  others: readonly number[];
}

export interface MeterSnapshot {
  at: number;
  machine: CpuTotals;
  targetTicks: number;
  mockTicks: number;
  /** All bench processes, the generator included, each counted once, in ticks. */
  ownTicks: number;
  /** The generator's CPU in µs (precise, unlike ticks). */
  generatorUs: number;
}

/**
 * CPU of the bench's processes, each counted once: the bench's own tree (the generator and every child it
 * spawned: mock, targets) plus only those pids that are not already in that tree. Counting a child twice
 * would hide as much foreign load as that child used.
 */
export function ownTicksOf(
  selfPid: number,
  pids: readonly (number | undefined)[],
  descendants: ReadonlySet<number>,
  ticksOf: (pid: number) => number,
): number {
  let total = ticksOf(selfPid);
  const seen = new Set<number>([selfPid]);
  for (const pid of pids) {
    if (pid === undefined || seen.has(pid) || descendants.has(pid)) continue;
    seen.add(pid);
    const ticks = ticksOf(pid);
    if (!Number.isNaN(ticks)) total += ticks;
  }
  return total;
}

export function takeSnapshot(pids: MeterPids): MeterSnapshot {
  const targetTicks = pids.target === undefined ? 0 : treeTicks(pids.target);
  const mockTicks = treeTicks(pids.mock);
  const ownTicks = ownTicksOf(
    process.pid,
    [pids.target, pids.mock, ...pids.others],
    descendantPids(process.pid),
    treeTicks,
  );
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    machine: parseProcStat(readFileSync('/proc/stat', 'latin1')),
    targetTicks,
    mockTicks,
    ownTicks,
    generatorUs: usage.user + usage.system,
  };
}
