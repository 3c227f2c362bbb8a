// The limiter on the in-process store (the cases shared with the Redis store are in
// test/support/limiter-cases.ts), and calendar periods in a time zone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../../../dataplane/limits/memory-store.js';
import { createPeriodClock } from '../../../dataplane/limits/periods.js';
import { formatReset } from '../../../dataplane/limits/headers.js';
import { limiterCases } from '../../support/limiter-cases.js';

describe('limiter on the in-process store', () => {
  limiterCases(createMemoryStore);
  it('calendar periods follow the time zone', () => {
    const clock = createPeriodClock('Europe/Berlin');
    // 23:30 UTC on 30 Nov is already 1 Dec in Berlin.
    const t = Date.UTC(2026, 10, 30, 23, 30);
    assert.equal(clock('day', t).id, '2026-12-01');
    assert.equal(clock('month', t).id, '2026-12');
    assert.equal(new Date(clock('day', t).startsAt).toISOString(), '2026-11-30T23:00:00.000Z');
    assert.equal(new Date(clock('month', t).endsAt).toISOString(), '2026-12-31T23:00:00.000Z');
    assert.equal(clock('week', Date.UTC(2026, 10, 26, 12)).id, 'W2026-11-23');
    assert.equal(formatReset(120), '120ms');
    assert.equal(formatReset(6 * 60_000), '6m0s');
  });
});
