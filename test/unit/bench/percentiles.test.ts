// Percentile and repeat statistics of the bench, on synthetic data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, summarize } from '../../../bench/stats/percentiles.js';
import { median, pairedDifference, spread } from '../../../bench/stats/repeats.js';
import { SampleBuffer } from '../../../bench/stats/sample-buffer.js';

const range = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i + 1);

describe('percentile (nearest rank)', () => {
  it('returns measured values at the classic ranks of 1..100', () => {
    const xs = range(100);
    assert.equal(percentile(xs, 50), 50);
    assert.equal(percentile(xs, 90), 90);
    assert.equal(percentile(xs, 99), 99);
    assert.equal(percentile(xs, 99.9), 100);
    assert.equal(percentile(xs, 0), 1);
    assert.equal(percentile(xs, 100), 100);
  });

  it('resolves p99.9 once there are 1000 samples', () => {
    const xs = range(1000);
    assert.equal(percentile(xs, 99.9), 999);
    assert.equal(percentile(xs, 99), 990);
    assert.equal(percentile(range(10_000), 99.9), 9990);
  });

  it('never interpolates between samples', () => {
    const xs = Float64Array.from([1, 1000]);
    assert.equal(percentile(xs, 50), 1);
    assert.equal(percentile(xs, 51), 1000);
  });

  it('handles empty and single-sample arrays', () => {
    assert.ok(Number.isNaN(percentile(new Float64Array(0), 50)));
    assert.equal(percentile(Float64Array.from([7.25]), 99.9), 7.25);
  });

  it('keeps sub-microsecond precision of float samples', () => {
    const xs = Float64Array.from([12.345, 12.346, 12.347]);
    assert.equal(percentile(xs, 50), 12.346);
  });
});

describe('summarize', () => {
  it('computes count, min, max, mean and percentiles', () => {
    const s = summarize(range(1000));
    assert.equal(s.count, 1000);
    assert.equal(s.min, 1);
    assert.equal(s.max, 1000);
    assert.equal(s.mean, 500.5);
    assert.equal(s.p50, 500);
    assert.equal(s.p90, 900);
  });
});

describe('SampleBuffer', () => {
  it('grows past its initial capacity and sorts a copy', () => {
    const b = new SampleBuffer(16);
    for (let i = 100; i > 0; i--) b.push(i / 10);
    assert.equal(b.length, 100);
    const sorted = b.sorted();
    assert.equal(sorted[0], 0.1);
    assert.equal(sorted[99], 10);
    assert.equal(b.values()[0], 10, 'arrival order is kept');
  });
});

describe('repeats', () => {
  it('median of odd and even counts, ignoring non-finite values', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([Number.NaN, 5, 1, Number.POSITIVE_INFINITY, 3]), 3);
    assert.ok(Number.isNaN(median([])));
  });

  it('spread is (max - min) / median', () => {
    const s = spread([90, 100, 110]);
    assert.equal(s.median, 100);
    assert.equal(s.min, 90);
    assert.equal(s.max, 110);
    assert.ok(Math.abs(s.relative - 0.2) < 1e-12);
    assert.equal(s.n, 3);
  });

  it('paired difference subtracts within each repeat', () => {
    // A drifting machine: both targets slow down together; the paired difference stays 10.
    const d = pairedDifference([110, 210, 310], [100, 200, 300]);
    assert.equal(d.median, 10);
    assert.equal(d.min, 10);
    assert.equal(d.max, 10);
  });

  it('paired difference skips incomplete pairs', () => {
    const d = pairedDifference([5, Number.NaN, 9], [1, 2]);
    assert.equal(d.n, 1);
    assert.equal(d.median, 4);
  });
});
