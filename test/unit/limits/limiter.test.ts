// The limiter on the in-process store (the cases shared with the Redis store are in
// test/support/limiter-cases.ts), and calendar periods in a time zone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentLimitError } from '../../../dataplane/limits/checks.js';
import { createMemoryStore } from '../../../dataplane/limits/memory-store.js';
import { createLimiter } from '../../../dataplane/limits/limiter.js';
import { limitSpecSchema, limitsConfigSchema } from '../../../dataplane/limits/schema.js';
import { createLogger } from '../../../dataplane/observability/logger.js';
import { createPeriodClock } from '../../../dataplane/limits/periods.js';
import { formatReset } from '../../../dataplane/limits/headers.js';
import { limiterCases, request, scope, testLimiter } from '../../support/limiter-cases.js';

describe('limiter on the in-process store', () => {
  limiterCases(createMemoryStore);
  it('a reconciliation failed for good is not retried; one failed in transit is', async () => {
    const failures: unknown[] = [new PermanentLimitError('inside the script'), new Error('connection lost')];
    const store = createMemoryStore();
    let calls = 0;
    const flaky = {
      ...store,
      reconcile: async (...args: Parameters<typeof store.reconcile>) => {
        calls++;
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        return store.reconcile(...args);
      },
    };
    const errors: string[] = [];
    const limiter = testLimiter(flaky, {
      metrics: { backendError: (phase, policy) => errors.push(`${phase}/${policy}`) },
    });
    const scopes = [scope('a', { tokens: { day: 1000 } })];
    const first = await limiter.admit(request('r1', scopes));
    await limiter.reconcile(first, 'r1', { tokens: 50, costNano: 0 });
    assert.equal(calls, 1, 'permanent: one attempt');
    assert.deepEqual(errors, ['reconcile/open']);
    const second = await limiter.admit(request('r2', scopes));
    await limiter.reconcile(second, 'r2', { tokens: 30, costNano: 0 });
    assert.equal(calls, 3, 'in transit: retried');
    assert.deepEqual(errors, ['reconcile/open', 'reconcile/retry']);
    // r1's reservation stays until it expires (what the permanent failure costs); r2 is reconciled.
    const [usage] = await limiter.usage(scopes);
    assert.deepEqual([usage!.used, usage!.reserved], [30, 100]);
  });

  it('the in-process store forgets what no longer counts: per-user state does not grow without bound', async () => {
    const store = createMemoryStore();
    let now = Date.UTC(2100, 0, 1);
    const limiter = testLimiter(store, { now: () => now });
    // 500 users, each with a rate window, a concurrency slot and a daily budget of their own.
    for (let i = 0; i < 500; i++) {
      const user = [scope(`user:${i}`, { rpm: 10, concurrency: 2, tokens: { day: 1000 } })];
      const ticket = await limiter.admit(request(`r${i}`, user));
      await limiter.reconcile(ticket, `r${i}`, { tokens: 20, costNano: 0 });
    }
    // A rate window, a (now empty) concurrency set and a budget per user, until the next sweep.
    assert.equal(store.entries(), 1500);
    // A day and more later the windows are empty again and the budgets' period is long over.
    now += 26 * 3_600_000;
    const late = [scope('user:late', { rpm: 10 })];
    await limiter.admit(request('late', late));
    assert.equal(store.entries(), 1);
  });

  it('a request with rate limits only is retried for at most 10 s (half the reservation TTL if shorter)', async () => {
    const store = createMemoryStore();
    let calls = 0;
    const failing = {
      ...store,
      reconcile: async () => {
        calls++;
        throw new Error('timed out');
      },
    };
    const errors: string[] = [];
    const limiter = testLimiter(failing, {
      reservationTtlS: 1,
      metrics: { backendError: (phase, policy) => errors.push(`${phase}/${policy}`) },
    });
    const ticket = await limiter.admit(request('r1', [scope('a', { rpm: 10, tpm: 1000 })]));
    await limiter.reconcile(ticket, 'r1', { tokens: 50, costNano: 0 });
    // Within 500 ms: at once, after 100 ms and after 200 more (the next wait, 400 ms, would pass it).
    assert.equal(calls, 3);
    assert.equal(errors.at(-1), 'reconcile/open');
  });

  it("counts in the store's clock when it has one (Redis' time, shared by replicas), unless given a clock", async () => {
    const store = createMemoryStore();
    const seen: number[] = [];
    const timed = {
      ...store,
      now: () => Date.UTC(2031, 4, 5, 12),
      admit: async (...args: Parameters<typeof store.admit>) => {
        seen.push(args[2]);
        return store.admit(...args);
      },
    };
    const scopes = [scope('a', { tokens: { day: 1000 } })];
    await testLimiter(timed).admit(request('r1', scopes));
    // The budget's day comes from that clock too.
    const [report] = await testLimiter(timed).usage(scopes);
    assert.equal(report?.period_id, '2031-05-05');
    assert.equal(report?.used + report!.reserved, 100);
    await testLimiter(timed, { now: () => Date.UTC(2032, 0, 1) }).admit(request('r2', scopes));
    assert.deepEqual(seen, [Date.UTC(2031, 4, 5, 12), Date.UTC(2032, 0, 1)]);
  });
  it('logs backend failures once a second even when the limits clock steps back (a replica clock ahead of Redis)', async () => {
    const store = createMemoryStore();
    let clock = Date.now() + 86_400_000;
    const failing = {
      ...store,
      now: () => clock,
      admit: () => Promise.reject(new Error('connection lost')),
    };
    const lines: string[] = [];
    const limiter = createLimiter({
      store: failing,
      config: limitsConfigSchema.parse({}),
      logger: createLogger('error', (line) => lines.push(line)),
      metrics: { backendError: () => undefined, rejected: () => undefined },
    });
    const scopes = [scope('a', { rpm: 10 })];
    assert.equal((await limiter.admit(request('r1', scopes))).degraded, true);
    // Redis' clock read: a day back.
    clock = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1050));
    assert.equal((await limiter.admit(request('r2', scopes))).degraded, true);
    assert.equal(lines.filter((l) => l.includes('limit backend unavailable')).length, 2);
  });

  it('refuses an unknown time zone at load (it failed only at the first budget check)', () => {
    assert.equal(
      limitsConfigSchema.safeParse({ timezone: 'Mars/Base' }).error?.issues[0]?.message,
      'unknown time zone "Mars/Base" (an IANA name such as Europe/Berlin)',
    );
    assert.equal(limitsConfigSchema.parse({ timezone: 'Asia/Tokyo' }).timezone, 'Asia/Tokyo');
  });

  it('token budgets are whole tokens', () => {
    assert.throws(() => limitSpecSchema.parse({ tokens: { day: 100.5 } }));
    assert.equal(limitSpecSchema.parse({ cost_usd: { day: 0.5 } }).cost_usd?.day, 0.5);
  });

  it('a day whose midnight a DST change skips starts at the change (Africa/Cairo, 24 April 2026)', () => {
    const clock = createPeriodClock('Africa/Cairo');
    // 23:30 local on the 23rd (UTC+2); at 00:00 on the 24th the clocks jump to 01:00 (UTC+3), i.e. 22:00Z.
    const before = clock('day', Date.UTC(2026, 3, 23, 21, 30));
    assert.equal(before.id, '2026-04-23');
    assert.equal(before.endsAt, Date.UTC(2026, 3, 23, 22));
    const after = clock('day', Date.UTC(2026, 3, 23, 22, 30));
    assert.equal(after.id, '2026-04-24');
    assert.equal(after.startsAt, Date.UTC(2026, 3, 23, 22));
    assert.equal(after.endsAt, Date.UTC(2026, 3, 24, 21));
  });

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
