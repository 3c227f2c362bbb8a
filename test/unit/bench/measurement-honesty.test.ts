// The measurement defects of the bench review (27 Nov), each on synthetic data: own CPU counted once, the
// upstream going quiet between windows, headline verdicts that see errors and busy windows, censored
// percentiles, body checks, the pacer's start, and CPU of children that exit. No assertion on a timing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { checkCompletionBody } from '../../../bench/load/completion-check.js';
import { startPacer } from '../../../bench/load/pacer.js';
import { makeSchedule } from '../../../bench/load/schedule.js';
import { SseCounter } from '../../../bench/load/sse-counter.js';
import {
  descendantPids,
  parseStatTicksWithReaped,
  processTree,
  treeTicks,
} from '../../../bench/proc/cpu-ticks.js';
import { aggregate } from '../../../bench/report/aggregate.js';
import { headlines } from '../../../bench/report/headlines.js';
import { upstreamCallsPerRequest } from '../../../bench/runner/measure.js';
import { othersTicksOf } from '../../../bench/proc/machine-load.js';
import { waitForQuiet } from '../../../bench/runner/quiet.js';
import type { Measurement } from '../../../bench/runner/results.js';
import { probeBody } from '../../../bench/runner/start-targets.js';
import { summarize, summarizeCensored } from '../../../bench/stats/percentiles.js';
import type { TargetName } from '../../../bench/targets/target.js';

describe('foreign CPU (busy check)', () => {
  it("sums every process but the bench's, and a process exiting inside the window counts once", () => {
    const own = new Set([1, 10, 11]);
    // Start: the bench (1, 10, 11), a foreign shell (20) and its compiler child (21) with 100 ticks so far.
    const start = new Map([
      [1, 300],
      [10, 148],
      [11, 150],
      [20, 5],
      [21, 100],
    ]);
    // End: the bench busier; the compiler exited at 150 ticks and the shell reaped it (cutime + 150); a new
    // foreign process (22) used 30.
    const end = new Map([
      [1, 900],
      [10, 500],
      [11, 400],
      [20, 5 + 150],
      [22, 30],
    ]);
    const others = (ticks: Map<number, number>) =>
      othersTicksOf([...ticks.keys()], own, (pid) => ticks.get(pid) ?? Number.NaN);
    // The compiler's 50 ticks in the window, the new process's 30; none of the bench's.
    assert.equal(others(end) - others(start), 80);
  });

  it('finds a spawned child among the descendants', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      assert.ok(descendantPids(process.pid).has(child.pid!));
      // The bench's tree, which the busy check leaves out of foreign work, holds it too.
      const tree = processTree([process.pid, undefined]);
      assert.ok(tree.has(child.pid!) && tree.has(process.pid));
    } finally {
      child.kill();
    }
  });
});

describe('CPU of a child that exits inside the window', () => {
  it('reads cutime and cstime (fields 16, 17)', () => {
    const stat = '42 (node) S 1 42 42 0 -1 4194560 100 0 0 0 11 12 13 14 20 0 1 0';
    assert.equal(parseStatTicksWithReaped(stat), 11 + 12 + 13 + 14);
  });

  it('never makes the tree total go backwards', async () => {
    // The child burns CPU, says so, waits for a go, and exits: its CPU moves from the live sum to cutime.
    const script =
      'const t=process.cpuUsage();while(process.cpuUsage(t).user<300000){}' +
      'process.stdout.write("r");process.stdin.once("data",()=>process.exit(0));';
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const before = treeTicks(process.pid);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.write('go');
    await exited;
    // The exit event comes after libuv reaped the child.
    const after = treeTicks(process.pid);
    assert.ok(after >= before, `tree ticks went from ${before} to ${after}`);
  });
});

describe('upstream quiet before a measurement', () => {
  function clock(values: number[]) {
    let t = 0;
    let i = 0;
    return {
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
      },
      read: async () => values[Math.min(i++, values.length - 1)]!,
    };
  }

  it('waits until the counter has stopped moving', async () => {
    const c = clock([100, 140, 170, 180, 180, 180, 180, 180, 180, 180]);
    const result = await waitForQuiet(c.read, {
      stableMs: 200,
      maxMs: 5_000,
      pollMs: 50,
      now: c.now,
      sleep: c.sleep,
    });
    assert.equal(result.quiet, true);
    assert.equal(result.moved, 80);
    assert.ok(result.waitedMs >= 350);
  });

  it('gives up after the bound and says so', async () => {
    let n = 0;
    const c = clock([]);
    const result = await waitForQuiet(async () => n++, {
      stableMs: 200,
      maxMs: 1_000,
      pollMs: 50,
      now: c.now,
      sleep: c.sleep,
    });
    assert.equal(result.quiet, false);
    assert.ok(result.waitedMs >= 1_000);
  });

  it('counts upstream calls over the whole phase, per request issued in it', () => {
    const at = (requests: number) => ({ requests, streamed: 0, injectedErrors: 0, aborted: 0 });
    assert.equal(upstreamCallsPerRequest(at(5_000), at(6_000), 1_000), 1);
    assert.equal(upstreamCallsPerRequest(undefined, at(6_000), 1_000), null);
  });
});

function m(target: TargetName, repeat: number, over: Partial<Measurement> = {}): Measurement {
  const lat = summarize(Float64Array.from([500, 600, 800]));
  return {
    scenario: 'open-2k',
    target,
    repeat,
    attempt: 1,
    seconds: 1,
    intended: 2_000,
    ok: 2_000,
    errors: 0,
    errorKinds: {},
    rps: 2_000,
    offeredRps: 2_000,
    latencyUs: lat,
    headersUs: lat,
    firstChunkUs: null,
    sendLagUs: null,
    cpu: {
      targetUsPerReq: 50,
      targetCores: 0.5,
      mockUsPerReq: 10,
      mockCores: 0.1,
      generatorUsPerReq: 12,
      generatorCores: 0.2,
      targetThreads: null,
    },
    rssPeakKb: 100_000,
    hwmKb: null,
    upstreamCallsPerRequest: 1,
    connections: 50,
    machine: { foreignCores: 0, stealCores: 0, machineBusy: 0.5, busy: false, reason: undefined },
    ...over,
  };
}

const direct = [1, 2, 3].map((r) => m('direct', r));
const check = (ms: Measurement[], name: string) => {
  const rows = aggregate([...direct, ...ms], ['open-2k'], ['direct', 'gateway', 'gateway-full']);
  return headlines(rows).find((h) => h.check.startsWith(name))!;
};

describe('headline verdicts', () => {
  it('pass a sound row and show its error rate and the repeats’ spread', () => {
    const h = check(
      [1, 2, 3].map((r) => m('gateway', r)),
      'open loop 2k/s: p99 − direct p99 (paired per repeat), pass',
    );
    assert.equal(h.status, 'pass');
    assert.equal(h.errors, '0.00 %');
    assert.match(h.measured, /repeats/);
  });

  it('fail a row with more than 1 % errors, and say why', () => {
    const h = check(
      [1, 2, 3].map((r) =>
        m('gateway', r, { ok: 1_600, errors: 400, errorKinds: { timeout: 400 }, rps: 1_600 }),
      ),
      'open loop 2k/s: p99 − direct p99 (paired per repeat), pass',
    );
    assert.equal(h.status, 'fail');
    assert.match(h.reason ?? '', /errors/);
    assert.match(h.reason ?? '', /not sustained/);
    assert.equal(h.errors, '20.00 %');
  });

  it('judge the rate per repeat: one repeat that fell behind is not hidden by the median', () => {
    const h = check(
      [1, 2, 3].map((r) => m('gateway', r, r === 2 ? { rps: 1_700 } : { rps: 2_000 })),
      'open loop 2k/s: p99 − direct p99 (paired per repeat), pass',
    );
    assert.equal(h.status, 'fail');
    assert.match(h.reason ?? '', /not sustained/);
  });

  it('judge errors per repeat: one repeat with 2.5 % errors fails though the pooled rate is under 1 %', () => {
    const h = check(
      [1, 2, 3].map((r) =>
        m('gateway', r, r === 1 ? { ok: 1_950, errors: 50, errorKinds: { http_500: 50 } } : {}),
      ),
      'open loop 2k/s: p99 − direct p99 (paired per repeat), pass',
    );
    assert.equal(h.status, 'fail');
    assert.match(h.reason ?? '', /2\.50 % errors in a repeat/);
  });

  it('never pass a p99 difference whose baseline p99 is only a lower bound (requests that never completed)', () => {
    const censoredLat = {
      ...summarize(Float64Array.from([500, 600, 800])),
      censored: 30,
      lowerBound: ['p99' as const],
    };
    const censoredDirect = [1, 2, 3].map((r) => m('direct', r, { latencyUs: censoredLat }));
    const rows = aggregate(
      [...censoredDirect, ...[1, 2, 3].map((r) => m('gateway', r))],
      ['open-2k'],
      ['direct', 'gateway'],
    );
    const h = headlines(rows).find((x) =>
      x.check.startsWith('open loop 2k/s: p99 − direct p99 (paired per repeat), pass'),
    )!;
    assert.equal(h.status, 'n/a');
    assert.match(h.reason ?? '', /direct: p99 is a lower bound/);
  });

  it('mark a median "≥" only when most repeats were censored; distrust a verdict when any was', () => {
    const censoredLat = {
      ...summarize(Float64Array.from([500, 600, 800])),
      censored: 30,
      lowerBound: ['p99' as const],
    };
    const ms = [1, 2, 3].map((r) => m('gateway', r, r === 1 ? { latencyUs: censoredLat } : {}));
    const rows = aggregate([...direct, ...ms], ['open-2k'], ['direct', 'gateway']);
    const row = rows.find((x) => x.target === 'gateway')!;
    assert.deepEqual(row.lowerBound, []);
    assert.deepEqual(row.lowerBoundAny, ['p99']);
    const h = headlines(rows).find((x) =>
      x.check.startsWith('open loop 2k/s: p99 − direct p99 (paired per repeat), pass'),
    )!;
    assert.equal(h.status, 'fail');
    assert.match(h.reason ?? '', /p99 is a lower bound/);
  });

  it('never pass a row whose repeats were flagged busy', () => {
    const busy = { foreignCores: 1, stealCores: 0, machineBusy: 1, busy: true, reason: 'other processes' };
    const h = check(
      [1, 2, 3].map((r) => m('gateway-full', r, { machine: busy })),
      'open loop 2k/s: p99 − direct p99 (paired per repeat), full',
    );
    assert.equal(h.status, 'n/a');
    assert.match(h.reason ?? '', /busy in 3\/3/);
  });

  it('fail the throughput ratio when half the answers were errors', () => {
    const c50 = (target: TargetName, r: number, over: Partial<Measurement> = {}) =>
      m(target, r, { scenario: 'ns-0ms-c50', offeredRps: null, ...over });
    const rows = aggregate(
      [
        ...[1, 2, 3].map((r) => c50('portkey', r, { rps: 1_000 })),
        ...[1, 2, 3].map((r) =>
          c50('gateway', r, { rps: 12_000, ok: 1_000, errors: 1_000, errorKinds: { http_500: 1_000 } }),
        ),
      ],
      ['ns-0ms-c50'],
      ['gateway', 'portkey'],
    );
    const h = headlines(rows)[0]!;
    assert.equal(h.status, 'fail');
    assert.match(h.reason ?? '', /50.00 % errors/);
  });
});

describe('censored percentiles', () => {
  it('mark a percentile reaching into requests that never completed as a lower bound', () => {
    const done = Float64Array.from({ length: 90 }, (_, i) => 300 + i);
    const censored = Float64Array.from({ length: 10 }, () => 1_500_000);
    const s = summarizeCensored(done, censored);
    assert.equal(s.count, 100);
    assert.equal(s.censored, 10);
    assert.equal(s.p99, 1_500_000);
    assert.deepEqual(s.lowerBound, ['p99', 'p999']);
    assert.equal(s.p50, 349);
  });

  it('leave percentiles below the censored ones exact', () => {
    // 1001 samples, one censored: even p99.9 (rank 1000) stays among the completed ones.
    const s = summarizeCensored(
      Float64Array.from({ length: 1_000 }, (_, i) => i),
      Float64Array.from([5_000]),
    );
    assert.deepEqual(s.lowerBound, []);
    assert.equal(s.p999, 999);
  });
});

describe('response checks', () => {
  it('accept a chat completion and reject anything else by name', () => {
    const ok =
      '{"object":"chat.completion","choices":[{"message":{"role":"assistant","content":"tok tok"}}]}';
    assert.equal(checkCompletionBody(ok, 'tok tok'), undefined);
    assert.equal(checkCompletionBody(ok, 'tok'), 'bad_content');
    assert.equal(checkCompletionBody('{"error":{"message":"x"}}', undefined), 'bad_body');
    assert.equal(checkCompletionBody('', undefined), 'bad_body');
    assert.equal(checkCompletionBody('{"choices":[{"message":{"content":null}}]}', undefined), 'bad_body');
    assert.throws(() => probeBody('{"error":"x"}'), /choices\[0\]\.message\.content/);
    assert.doesNotThrow(() => probeBody(ok));
  });

  it('count stream events that are not completion chunks, even split across reads', () => {
    const good = 'data: {"id":"c","object":"chat.completion.chunk","choices":[]}\n\n';
    const feed = (text: string): SseCounter => {
      const counter = new SseCounter();
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += 7) counter.push(bytes.subarray(i, i + 7));
      return counter;
    };
    // The first event is searched for the chunk marker: an error object there is a bad event.
    const errorFirst = feed(`data: {"error":"rate limited"}\n\n${good}data: [DONE]\n\n`);
    assert.equal(errorFirst.jsonEvents, 2);
    assert.equal(errorFirst.badEvents, 1);
    // Later events must be JSON objects; text is a bad event. (An error object later in a stream fails the
    // answer by its chunk count or its missing [DONE], checked by the exchange.)
    const textLater = feed(`${good}data: oops\n\n${good}data: [DONE]\n\n`);
    assert.equal(textLater.badEvents, 1);
    assert.equal(textLater.doneSeen, true);
    const clean = feed(`${good}${good}data: [DONE]\n\n`);
    assert.equal(clean.badEvents, 0);
    assert.equal(clean.jsonEvents, 2);
  });
});

describe('open-loop pacer', () => {
  it('sends no tick before the schedule is started, and all of them after', async () => {
    let ticks = 0;
    const schedule = makeSchedule(0, 1_000, 0, 5, 5);
    const pacer = await startPacer(schedule, () => ticks++);
    // The thread is ready; with no start time given, nothing may be due.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ticks, 0);
    pacer.begin(performance.now());
    await new Promise<void>((resolve) => {
      const poll = (): void => (ticks > 0 ? resolve() : void setImmediate(poll));
      poll();
    });
    await pacer.stop();
    assert.ok(ticks > 0);
  });
});

describe('report wording', () => {
  it('keeps warm-up timeouts out of the error rate and shows them apart', () => {
    const rows = aggregate(
      [...direct, ...[1, 2, 3].map((r) => m('gateway', r, { warmupTimeouts: 2 }))],
      ['open-2k'],
      ['direct', 'gateway'],
    );
    const row = rows.find((r) => r.target === 'gateway')!;
    assert.equal(row.errorRate, 0);
    assert.equal(row.warmupTimeouts, 6);
  });
});
