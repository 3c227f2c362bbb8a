// Facts about the machine and the code under test, recorded with every run so numbers are never read
// without knowing what produced them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { clockTicksPerSecond } from './cpu-ticks.js';
import { parseLoadAvg } from './machine-load.js';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  clockTicksPerSecond: number;
  loadAvg1AtStart: number;
  gitCommit: string;
  /** Files changed against the commit, so a run of uncommitted code says so. */
  gitDirtyFiles: number;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function machineFacts(repoRoot: string): MachineFacts {
  let loadAvg = Number.NaN;
  try {
    loadAvg = parseLoadAvg(readFileSync('/proc/loadavg', 'latin1'));
  } catch {
    // Not Linux: left unknown.
  }
  const status = git(['status', '--porcelain'], repoRoot);
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    clockTicksPerSecond: clockTicksPerSecond(),
    loadAvg1AtStart: loadAvg,
    gitCommit: git(['rev-parse', '--short', 'HEAD'], repoRoot) || 'none',
    gitDirtyFiles: status === '' ? 0 : status.split('\n').length,
  };
}
