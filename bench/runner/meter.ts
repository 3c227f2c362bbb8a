// Snapshots of CPU counters at the edges of a measured window: the target's, the mock's, the generator's,
// all of the bench's processes together, and the whole machine's (for the busy check).
import { readFileSync } from 'node:fs';
import { parseProcStat, type CpuTotals } from '../proc/machine-load.js';
import { treeTicks } from '../proc/cpu-ticks.js';

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
  /** All bench processes, the generator included, in ticks. */
  ownTicks: number;
  /** The generator's CPU in µs (precise, unlike ticks). */
  generatorUs: number;
}

export function takeSnapshot(pids: MeterPids): MeterSnapshot {
  const targetTicks = pids.target === undefined ? 0 : treeTicks(pids.target);
  const mockTicks = treeTicks(pids.mock);
  let ownTicks = treeTicks(process.pid) + mockTicks + targetTicks;
  for (const pid of pids.others) {
    const ticks = treeTicks(pid);
    if (!Number.isNaN(ticks)) ownTicks += ticks;
  }
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
