// Aggregation over repeats, the added-latency pairing, headline checks and compare mode, on synthetic
// measurements.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregate, finalAttempts } from '../../../bench/report/aggregate.js';
import { compareRuns } from '../../../bench/report/compare.js';
import { headlines } from '../../../bench/report/headlines.js';
import type { Measurement, RunResults } from '../../../bench/runner/results.js';
import { summarize } from '../../../bench/stats/percentiles.js';
import type { TargetName } from '../../../bench/targets/target.js';

function measurement(target: TargetName, repeat: number, rps: number, p50: number, attempt = 1): Measurement {
  const lat = summarize(Float64Array.from([p50, p50, p50 * 2]));
  return {
    scenario: 'ns-0ms-c50',
    target,
    repeat,
    attempt,
    seconds: 1,
    intended: 100,
    ok: 100,
    errors: 0,
    errorKinds: {},
    rps,
    offeredRps: null,
    latencyUs: lat,
    headersUs: lat,
    firstChunkUs: null,
    sendLagUs: null,
    cpu: {
      targetUsPerReq: target === 'direct' ? null : 50,
      targetCores: target === 'direct' ? null : 0.5,
      mockUsPerReq: 10,
      mockCores: 0.1,
      generatorUsPerReq: 12,
      generatorCores: 0.2,
      targetThreads: null,
    },
    rssPeakKb: target === 'direct' ? null : 102_400,
    hwmKb: null,
    upstreamCallsPerRequest: 1,
    connections: 50,
    machine: { foreignCores: 0, stealCores: 0, machineBusy: 0.5, busy: false, reason: undefined },
  };
}

const sample: Measurement[] = [
  measurement('direct', 1, 30_000, 100),
  measurement('direct', 2, 20_000, 200),
  measurement('direct', 3, 25_000, 150),
  measurement('gateway', 1, 12_000, 400),
  measurement('gateway', 2, 10_000, 500),
  measurement('gateway', 3, 11_000, 450),
  measurement('portkey', 1, 1_000, 9_000),
  measurement('portkey', 2, 1_200, 9_500),
  measurement('portkey', 3, 1_100, 9_200),
];

describe('aggregate', () => {
  const rows = aggregate(sample, ['ns-0ms-c50'], ['direct', 'gateway', 'gateway-full', 'portkey']);

  it('gives one row per scenario and target that ran', () => {
    assert.deepEqual(
      rows.map((r) => r.target),
      ['direct', 'gateway', 'portkey'],
    );
  });

  it('takes medians and spread over repeats', () => {
    const gw = rows.find((r) => r.target === 'gateway')!;
    assert.equal(gw.rps.median, 11_000);
    assert.equal(gw.rps.min, 10_000);
    assert.equal(gw.p50.median, 450);
    assert.equal(gw.rssPeakMb, 100);
  });

  it('pairs the added latency per repeat', () => {
    const gw = rows.find((r) => r.target === 'gateway')!;
    // 400-100, 500-200, 450-150: always 300.
    assert.equal(gw.addedP50!.median, 300);
    assert.equal(gw.addedP50!.min, 300);
    assert.equal(gw.addedP50!.max, 300);
    assert.equal(rows.find((r) => r.target === 'direct')!.addedP50, null);
  });

  it('uses the last attempt of a re-measured repeat', () => {
    const again = [...sample, measurement('gateway', 2, 99_000, 1, 2)];
    assert.equal(finalAttempts(again, 'ns-0ms-c50', 'gateway')[1]!.rps, 99_000);
  });

  it('headline ratio against the peer; missing targets are n/a, never pass', () => {
    const h = headlines(rows);
    const pass = h.find((x) => x.check.startsWith('pass-through throughput'))!;
    assert.equal(pass.value, 10);
    assert.equal(pass.status, 'pass');
    const full = h.find((x) => x.check.startsWith('full-pipeline throughput'))!;
    assert.equal(full.status, 'n/a');
    const cpu = h.find((x) => x.check.startsWith('gateway CPU'))!;
    assert.equal(cpu.value, 50);
    assert.equal(cpu.status, 'pass');
    assert.equal(cpu.floor, '–');
  });

  it('shows the bare hop beside a check as its floor, without changing the verdict', () => {
    const hop = [1, 2, 3].map((r) => {
      const m = measurement('hop', r, 13_000, 300);
      return { ...m, cpu: { ...m.cpu, targetUsPerReq: 150 } };
    });
    const h = headlines(aggregate([...sample, ...hop], ['ns-0ms-c50'], ['direct', 'hop', 'gateway']));
    const cpu = h.find((x) => x.check.startsWith('gateway CPU'))!;
    assert.equal(cpu.floor, '150.0 µs');
    assert.equal(cpu.value, 50);
    assert.equal(cpu.status, 'pass');
    const ratio = h.find((x) => x.check.startsWith('pass-through throughput'))!;
    assert.equal(ratio.floor, '–');
  });
});

describe('compareRuns', () => {
  const run = (ms: Measurement[]): RunResults =>
    ({
      schema: 1,
      rows: aggregate(ms, ['ns-0ms-c50'], ['direct', 'gateway', 'portkey']),
    }) as unknown as RunResults;

  it('gives B/A ratios and tells change from noise', () => {
    const faster = sample.map((m) => (m.target === 'gateway' ? { ...m, rps: m.rps * 2 } : m));
    const rows = compareRuns(run(sample), run(faster));
    const gw = rows.find((r) => r.target === 'gateway')!;
    const rps = gw.metrics.find((m) => m.name === 'req/s')!;
    assert.equal(rps.ratio, 2);
    assert.equal(rps.significant, true);
    const same = rows.find((r) => r.target === 'portkey')!.metrics.find((m) => m.name === 'req/s')!;
    assert.equal(same.ratio, 1);
    assert.equal(same.significant, false);
  });
});

describe('compare marks', () => {
  const spreadOf = (values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    const median = sorted[1]!;
    return { median, min: sorted[0]!, max: sorted[2]!, relative: (sorted[2]! - sorted[0]!) / median, n: 3 };
  };
  const runWith = (p99: number[]): RunResults =>
    ({
      schema: 1,
      rows: [{ scenario: 's', target: 'gateway', p99: spreadOf(p99) }],
    }) as unknown as RunResults;
  const p99 = (a: number[], b: number[]) =>
    compareRuns(runWith(a), runWith(b))[0]!.metrics.find((m) => m.name === 'p99')!;

  it('a change is when the repeats do not overlap, however the spreads sit around the medians', () => {
    // Every B repeat above every A repeat: a change, though the ratio is within the averaged spreads.
    assert.equal(p99([800, 1000, 1010], [1095, 1100, 1105]).significant, true);
    // B inside A's range: noise, though the ratio is beyond the averaged spreads.
    assert.equal(p99([990, 1000, 1300], [1200, 1250, 1260]).significant, false);
    assert.equal(p99([100, 101, 102], [90, 91, 92]).significant, true);
  });

  it('a single repeat cannot be judged', () => {
    const one: RunResults = {
      schema: 1,
      rows: [{ scenario: 's', target: 'gateway', p99: { median: 5, min: 5, max: 5, relative: 0, n: 1 } }],
    } as unknown as RunResults;
    assert.equal(compareRuns(one, runWith([1, 2, 3]))[0]!.metrics[0]!.significant, null);
  });
});
