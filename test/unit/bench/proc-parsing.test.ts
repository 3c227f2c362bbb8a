// Parsing of /proc files and the busy-machine verdict, on synthetic file contents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStatTicks } from '../../../bench/proc/cpu-ticks.js';
import { isLoopback, parseListening } from '../../../bench/proc/listen-check.js';
import { judgeWindow, parseLoadAvg, parseProcStat } from '../../../bench/proc/machine-load.js';
import { parseStatusMemory } from '../../../bench/proc/memory.js';

describe('parseStatTicks', () => {
  it('adds utime and stime (fields 14 and 15)', () => {
    const stat = '4242 (node) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 56 0 0 20 0 11 0 100 0 0';
    assert.equal(parseStatTicks(stat), 1290);
  });

  it('survives a command name with spaces and parentheses', () => {
    const stat = '7 (we (ird) name) R 1 7 7 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 100 0 0';
    assert.equal(parseStatTicks(stat), 15);
  });
});

describe('parseStatusMemory', () => {
  it('reads VmRSS and VmHWM in KiB', () => {
    const status = 'Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t  81234 kB\nVmRSS:\t  80000 kB\n';
    assert.deepEqual(parseStatusMemory(status), { rss: 80000, hwm: 81234 });
  });
});

describe('machine load', () => {
  const stat = (user: number, system: number, idle: number, softirq = 0, steal = 0): string =>
    `cpu  ${user} 0 ${system} ${idle} 0 0 ${softirq} ${steal} 0 0\ncpu0 1 2 3 4\n`;

  it('parses the cpu line of /proc/stat', () => {
    assert.deepEqual(parseProcStat(stat(100, 50, 1000, 7, 3)), { busy: 150, idle: 1000, irq: 7, steal: 3 });
  });

  it('finds no foreign load when other processes used no CPU, whatever /proc/stat sampled', () => {
    // /proc/stat's ticks are samples: busy 200 here, however much of it was the bench's.
    const v = judgeWindow(parseProcStat(stat(0, 0, 0)), parseProcStat(stat(150, 50, 200)), 0, 2, 100, 2);
    assert.equal(v.busy, false);
    assert.equal(v.foreignCores, 0);
  });

  it('flags a window where others used a tenth of a core or more', () => {
    // 2 s window at 100 ticks/s: 60 foreign ticks = 0.3 cores (minus the 6-tick allowance: 0.27).
    const v = judgeWindow(parseProcStat(stat(0, 0, 0)), parseProcStat(stat(200, 60, 140)), 60, 2, 100, 2);
    assert.equal(v.busy, true);
    assert.ok(Math.abs(v.foreignCores - 0.27) < 1e-9);
    assert.match(v.reason ?? '', /other processes/);
  });

  it('a few ticks of others (their counters cut to whole ticks) are not foreign load', () => {
    const v = judgeWindow(parseProcStat(stat(0, 0, 0)), parseProcStat(stat(100, 0, 100, 80)), 6, 2, 100, 2);
    assert.equal(v.busy, false);
    assert.equal(v.foreignCores, 0);
  });

  it('flags hypervisor steal', () => {
    const v = judgeWindow(
      parseProcStat(stat(0, 0, 0)),
      parseProcStat(stat(100, 0, 100, 0, 50)),
      0,
      2,
      100,
      2,
    );
    assert.equal(v.busy, true);
    assert.match(v.reason ?? '', /steal/);
  });

  it('reads the 1-minute load average', () => {
    assert.equal(parseLoadAvg('0.42 0.30 0.10 1/85 3678\n'), 0.42);
  });
});

describe('listen check', () => {
  it('decodes IPv4 and IPv6 listening sockets', () => {
    const v4 =
      '  sl  local_address rem_address   st\n' +
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000\n' +
      '   1: 00000000:0050 00000000:0000 0A 00000000:00000000\n' +
      '   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000\n';
    assert.deepEqual(parseListening(v4, false), [
      { address: '127.0.0.1', port: 8080 },
      { address: '0.0.0.0', port: 80 },
    ]);
    const v6 =
      '  sl  local_address                         remote_address                        st\n' +
      '   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A\n' +
      '   1: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A\n';
    assert.deepEqual(parseListening(v6, true), [
      { address: '::', port: 8080 },
      { address: '::1', port: 8081 },
    ]);
  });

  it('accepts only loopback addresses', () => {
    assert.ok(isLoopback('127.0.0.1'));
    assert.ok(isLoopback('::1'));
    assert.ok(!isLoopback('0.0.0.0'));
    assert.ok(!isLoopback('::'));
    assert.ok(!isLoopback('10.0.0.1'));
  });
});
