// Snapshots of CPU counters at the edges of a measured window: the target's, the mock's, the generator's,
// every other process's and the whole machine's (for the busy check).
import { readFileSync } from 'node:fs';
import { othersTicksOf, parseProcStat, type CpuTotals } from '../proc/machine-load.js';
import { allPids, processTicks, processTree, treeTicks } from '../proc/cpu-ticks.js';

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
  /** Every process but the bench's (its tree, the target, the mock, the idle targets), in ticks. */
  othersTicks: number;
  /** The generator's CPU in µs (precise, unlike ticks). */
  generatorUs: number;
}

export function takeSnapshot(pids: MeterPids): MeterSnapshot {
  const targetTicks = pids.target === undefined ? 0 : treeTicks(pids.target);
  const mockTicks = treeTicks(pids.mock);
  const own = processTree([process.pid, pids.target, pids.mock, ...pids.others]);
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    machine: parseProcStat(readFileSync('/proc/stat', 'latin1')),
    targetTicks,
    mockTicks,
    othersTicks: othersTicksOf(allPids(), own, processTicks),
    generatorUs: usage.user + usage.system,
  };
}
