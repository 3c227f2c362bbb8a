// Before the run: is anything else using the CPU? Watches the machine for a second while the bench itself
// idles; the run refuses to start on a busy machine unless told otherwise.
import { readFileSync } from 'node:fs';
import { allPids, processTicks, processTree } from '../proc/cpu-ticks.js';
import { judgeWindow, othersTicksOf, parseProcStat, type LoadVerdict } from '../proc/machine-load.js';

export async function preflight(ticksPerSecond: number, cores: number, ms = 1000): Promise<LoadVerdict> {
  const read = () => ({
    machine: parseProcStat(readFileSync('/proc/stat', 'latin1')),
    others: othersTicksOf(allPids(), processTree([process.pid]), processTicks),
  });
  const before = read();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = read();
  return judgeWindow(
    before.machine,
    after.machine,
    after.others - before.others,
    (performance.now() - t0) / 1000,
    ticksPerSecond,
    cores,
    { maxForeignCores: 0.25, maxStealCores: 0.25 },
  );
}
