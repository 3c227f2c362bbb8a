// The open-loop schedule: due times depend only on the start and the rate, never on responses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueCount, dueTime, makeSchedule, measuredSpanMs } from '../../../bench/load/schedule.js';

describe('makeSchedule', () => {
  it('plans rate × time requests, warm-up first', () => {
    const s = makeSchedule(1000, 2000, 500, 1500, 1e9);
    assert.equal(s.intervalMs, 0.5);
    assert.equal(s.warmup, 1000);
    assert.equal(s.total, 4000);
    assert.equal(measuredSpanMs(s), 1500);
  });

  it('is capped by the request bound', () => {
    const s = makeSchedule(0, 5000, 1000, 1000, 7000);
    assert.equal(s.total, 7000);
    assert.equal(s.warmup, 5000);
  });

  it('rejects a non-positive rate', () => {
    assert.throws(() => makeSchedule(0, 0, 1, 1, 10), RangeError);
  });
});

describe('dueCount', () => {
  it('nothing is due before the start', () => {
    const s = makeSchedule(100, 1000, 0, 1000, 1e9);
    assert.equal(dueCount(s, 99.999), 0);
    assert.equal(dueCount(s, 100), 1);
  });

  it('a request is due exactly at its time, not a hair before', () => {
    for (const rate of [3, 7, 1000, 2000, 3333, 5000, 7001]) {
      const s = makeSchedule(12_345.678, rate, 0, 2000, 1e9);
      for (let i = 0; i < s.total; i += Math.max(1, Math.floor(s.total / 500))) {
        const t = dueTime(s, i);
        assert.equal(dueCount(s, t), i + 1, `rate ${rate}, request ${i} at its due time`);
        assert.equal(dueCount(s, t - 1e-6), i, `rate ${rate}, request ${i} just before`);
      }
    }
  });

  it('stops at the total however late the caller looks', () => {
    const s = makeSchedule(0, 1000, 0, 100, 1e9);
    assert.equal(dueCount(s, 1e9), s.total);
  });

  it('a stalled caller sees every missed request at once (no coordinated omission)', () => {
    // The generator was blocked for 50 ms: all 100 requests scheduled in that time are due together and
    // each keeps its own due time, so its latency will be charged from there.
    const s = makeSchedule(0, 2000, 0, 1000, 1e9);
    assert.equal(dueCount(s, 49.9999), 100);
    assert.equal(dueTime(s, 99), 49.5);
  });

  it('is monotonic in time', () => {
    const s = makeSchedule(5, 2500, 100, 400, 1e9);
    let last = 0;
    for (let t = 0; t < 600; t += 0.037) {
      const n = dueCount(s, t);
      assert.ok(n >= last);
      last = n;
    }
    assert.equal(last, s.total);
  });
});
