// The record timestamps' formatter writes exactly what Date#toISOString writes, whatever the order of the
// times it is given (it caches one second's prefix).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIsoFormatter } from '../../../dataplane/pipeline/iso-time.js';

describe('createIsoFormatter', () => {
  it('matches toISOString for times in and out of order, fractions of a millisecond and second edges', () => {
    const iso = createIsoFormatter();
    const base = Date.UTC(2026, 10, 28, 1, 30, 5, 0);
    const times = [
      base,
      base + 7,
      base + 99.999,
      base + 100,
      base + 999.5,
      base + 1000,
      base - 1,
      base - 0.25,
      base + 86_400_000 * 40 + 12,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2025, 0, 1),
      0,
      0.5,
      // Outside four-digit years: toISOString's own extended form.
      -1,
      8.64e15,
    ];
    // A deterministic walk too: steps of 0.37–997 ms back and forth across seconds.
    let t = base;
    for (let i = 0; i < 2000; i++) {
      t += ((i * 7919) % 997) * (i % 3 === 0 ? -1 : 1) + 0.37;
      times.push(t);
    }
    for (const time of times) assert.equal(iso(time), new Date(time).toISOString(), `at ${time}`);
  });
});
