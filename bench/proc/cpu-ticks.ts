// CPU time of processes from /proc, in clock ticks (utime + stime). /proc/<pid>/stat of a process already
// sums all its threads (worker threads, libuv pool); live child processes are found through
// /proc/<pid>/task/*/children and added, and reaped children through cutime + cstime, so a gateway that
// forks workers is fully counted, and one that exits inside a window never makes the difference negative.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ, normally 100: one tick is 10 ms of CPU. */
export function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

/**
 * utime + stime from the text of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat file. The command name
 * (field 2) may contain spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseStatTicks(text: string): number {
  const close = text.lastIndexOf(')');
  if (close === -1) return Number.NaN;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14 and stime field 15.
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * utime + stime + cutime + cstime: the process's own CPU and that of its children it has already reaped
 * (fields 16 and 17). A child that exits between two readings moves from the live-children sum into its
 * parent's cutime/cstime, so the total never goes backwards.
 */
export function parseStatTicksWithReaped(text: string): number {
  const close = text.lastIndexOf(')');
  if (close === -1) return Number.NaN;
  const fields = text.slice(close + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
}

function readTicks(path: string): number {
  try {
    return parseStatTicksWithReaped(readFileSync(path, 'latin1'));
  } catch {
    return Number.NaN;
  }
}

/** Live children of a process, from every thread's children list. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      for (const part of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) {
        const child = Number(part);
        if (part !== '' && Number.isInteger(child)) out.push(child);
      }
    } catch {
      // The thread ended between readdir and read.
    }
  }
  return out;
}

/** Every live descendant of a process (children, grandchildren, …). */
export function descendantPids(pid: number): Set<number> {
  const out = new Set<number>();
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of childPids(stack.pop()!)) {
      if (out.has(child)) continue;
      out.add(child);
      stack.push(child);
    }
  }
  return out;
}

/** Every process on the machine, from /proc's numeric entries. */
export function allPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) out.push(pid);
  }
  return out;
}

/** One process's own and reaped children's CPU (utime + stime + cutime + cstime); NaN once it is gone. */
export function processTicks(pid: number): number {
  return readTicks(`/proc/${pid}/stat`);
}

/** The bench's processes: `roots` and every live descendant of each. */
export function processTree(roots: readonly (number | undefined)[]): Set<number> {
  const out = new Set<number>();
  for (const root of roots) {
    if (root === undefined || out.has(root)) continue;
    out.add(root);
    for (const pid of descendantPids(root)) out.add(pid);
  }
  return out;
}

/**
 * Ticks of a process and all its live descendants, plus the children each of them has reaped; NaN when the
 * process is gone.
 */
export function treeTicks(pid: number): number {
  const own = readTicks(`/proc/${pid}/stat`);
  if (Number.isNaN(own)) return Number.NaN;
  let total = own;
  for (const child of childPids(pid)) {
    const ticks = treeTicks(child);
    if (!Number.isNaN(ticks)) total += ticks;
  }
  return total;
}

/** Per-thread ticks keyed by thread name, for telling the event loop from helper threads in reports. */
export function threadTicks(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    } catch {
      continue;
    }
    const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    out[name] = (out[name] ?? 0) + parseStatTicks(text);
  }
  return out;
}
