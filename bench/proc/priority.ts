// Raises the scheduling priority of the bench's processes (--nice): on a shared machine, background work of
// other users (compilers, test runs) then disturbs the measurement less. On Linux nice is per thread, so
// every thread of each process is set; threads created later inherit it from their creator.
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Sets `nice` on every thread of every pid; returns the reason when the system refused (not root). */
export function applyNice(pids: readonly number[], nice: number): string | undefined {
  let refused: string | undefined;
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        setPriority(Number(tid), nice);
      } catch (error) {
        refused ??= error instanceof Error ? error.message : String(error);
      }
    }
  }
  return refused;
}
