// The limiter's cases shared by both limit stores (in-process and Redis): GCRA rate limits, concurrency,
// hierarchical budgets with reserve then reconcile, partial grants for streams, headers, crash expiry.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isGatewayError } from '../../dataplane/errors/gateway-error.js';
import type { LimitStore } from '../../dataplane/limits/checks.js';
import { createLimiter, type LimiterMetrics, type LimitScope } from '../../dataplane/limits/limiter.js';
import { limitSpecSchema, limitsConfigSchema } from '../../dataplane/limits/schema.js';
import { createLogger } from '../../dataplane/observability/logger.js';

const pricing = { input_per_mtok: 1, output_per_mtok: 2 };

// Every case may run on a fresh store of its own (a Redis store gets a key prefix of its own).
type StoreFactory = () => LimitStore;

/** A limiter over `store` that logs nothing and reports what it counts to the given metrics (default none). */
export function testLimiter(
  store: LimitStore,
  options: {
    now?: () => number;
    timezone?: string;
    reservationTtlS?: number;
    metrics?: Partial<LimiterMetrics>;
  } = {},
) {
  return createLimiter({
    store,
    config: limitsConfigSchema.parse({
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
      ...(options.reservationTtlS === undefined ? {} : { reservation_ttl_s: options.reservationTtlS }),
    }),
    logger: createLogger('error', () => undefined),
    metrics: { backendError: () => undefined, rejected: () => undefined, ...options.metrics },
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

function limiterAt(time: { now: number }, store: LimitStore) {
  const rejected: string[] = [];
  const limiter = testLimiter(store, {
    timezone: 'Europe/Berlin',
    metrics: { rejected: (kind) => rejected.push(kind) },
    now: () => time.now,
  });
  return { limiter, rejected };
}

export const scope = (id: string, spec: unknown): LimitScope => ({
  id,
  label: `app '${id}'`,
  spec: limitSpecSchema.parse(spec),
});

/** An admission of `prompt` + `upper` tokens at $1 / $2 per million. */
export function request(id: string, scopes: LimitScope[], prompt = 10, upper = 90, partialAllowed = false) {
  return {
    requestId: id,
    scopes,
    promptTokens: prompt,
    completionUpperBound: upper,
    pricing,
    partialAllowed,
  };
}

/**
 * The limiter's behaviour, the same on every store. Times are in the coming year: a Redis store sets budget
 * counters to expire some time after their period, which must not lie in the past.
 */
export function limiterCases(newStore: StoreFactory): void {
  const YEAR = new Date().getUTCFullYear() + 1;
  it('rpm: GCRA admits the limit, then 429 with retry-after, then refills', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { rpm: 3 })];
    for (let i = 0; i < 3; i++) await limiter.admit(request(`r${i}`, s));
    await assert.rejects(limiter.admit(request('r4', s)), (e: unknown) => {
      assert.ok(isGatewayError(e));
      assert.equal(e.status, 429);
      assert.equal(e.code, 'rate_limited');
      assert.match(e.message, /Rate limit reached for app 'a': 3 requests per minute/);
      assert.equal(e.headers['retry-after'], '20');
      // OpenAI's rate headers on the 429 as well: the limit that refused, nothing left, whole again in 60 s.
      assert.equal(e.headers['x-ratelimit-limit-requests'], '3');
      assert.equal(e.headers['x-ratelimit-remaining-requests'], '0');
      assert.equal(e.headers['x-ratelimit-reset-requests'], '1m0s');
      return true;
    });
    time.now += 20_000;
    const ticket = await limiter.admit(request('r5', s));
    assert.equal(ticket.headers['x-ratelimit-limit-requests'], '3');
    assert.equal(ticket.headers['x-ratelimit-remaining-requests'], '0');
  });

  it('tpm: a request larger than the whole limit is refused for good, without a retry-after', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter, rejected } = limiterAt(time, newStore());
    const s = [scope('a', { tpm: 100 })];
    await assert.rejects(limiter.admit(request('r1', s, 10, 4096)), (e: unknown) => {
      assert.ok(isGatewayError(e));
      assert.equal(e.status, 429);
      assert.equal(e.code, 'rate_limited');
      assert.match(
        e.message,
        /^Request too large for app 'a': it reserves 4106 tokens .*100 tokens per minute/,
      );
      assert.equal(e.headers['retry-after'], undefined);
      return true;
    });
    assert.deepEqual(rejected, ['tokens']);
    // One that fits is unaffected.
    await limiter.admit(request('r2', s, 10, 90));
  });

  it('tpm: reserves prompt + upper bound, and reconciliation gives unused tokens back', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { tpm: 200 })];
    const first = await limiter.admit(request('r1', s, 10, 90));
    assert.equal(first.headers['x-ratelimit-remaining-tokens'], '100');
    await limiter.admit(request('r2', s, 10, 90));
    await assert.rejects(limiter.admit(request('r3', s, 10, 90)), /200 tokens per minute/);
    await limiter.reconcile(first, 'r1', { tokens: 20, costNano: 0 });
    const third = await limiter.admit(request('r3', s, 10, 70));
    assert.equal(third.headers['x-ratelimit-remaining-tokens'], '0');
  });

  it('tpm: remaining tokens are exact when a token is not a whole number of ms (100000 tpm: 0.6 ms)', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { tpm: 100_000 })];
    // 3, 8, 151, 203 and 2048 tokens read one too few before (8 × 0.6 = 4.800000000000001).
    let left = 100_000;
    for (const [i, tokens] of [3, 8, 151, 203, 2048].entries()) {
      const ticket = await limiter.admit(request(`r${i}`, s, tokens, 0));
      left -= tokens;
      assert.equal(ticket.headers['x-ratelimit-remaining-tokens'], String(left), `after ${tokens} tokens`);
    }
  });

  it('tpm: a late reconciliation gives back only what of its reservation is still inside the window', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { tpm: 6000 })];
    // A long stream reserves 4960 tokens; its share of the window has run out by 49.6 s.
    const long = await limiter.admit(request('long', s, 10, 4950));
    time.now += 52_000;
    // A request takes the whole minute; nothing else fits.
    await limiter.admit(request('big', s, 10, 5951));
    await assert.rejects(limiter.admit(request('probe', s, 10, 100)), /6000 tokens per minute/);
    // The stream ends having used 68: its reservation aged out already, so nothing comes back.
    time.now += 3_200;
    await limiter.reconcile(long, 'long', { tokens: 68, costNano: 0 });
    await assert.rejects(limiter.admit(request('after', s, 10, 901)), /6000 tokens per minute/);
  });

  it('concurrency: in-flight requests are limited and released on reconcile', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { concurrency: 2 })];
    const t1 = await limiter.admit(request('r1', s));
    await limiter.admit(request('r2', s));
    await assert.rejects(limiter.admit(request('r3', s)), /Too many requests in flight for app 'a' \(2\/2\)/);
    await limiter.reconcile(t1, 'r1', { tokens: 0, costNano: 0 });
    await limiter.admit(request('r3', s));
  });

  it('hierarchical token budget: the user counts against app and team; message names the exhausted scope', async () => {
    const time = { now: Date.UTC(YEAR, 10, 26, 12) };
    const { limiter, rejected } = limiterAt(time, newStore());
    const scopes = [
      scope('user:acme/web/u1', { tokens: { month: 1000 } }),
      { ...scope('team:acme', { tokens: { month: 250 } }), label: "team 'acme'" },
    ];
    const t1 = await limiter.admit(request('r1', scopes, 10, 90));
    const t2 = await limiter.admit(request('r2', scopes, 10, 90));
    await assert.rejects(limiter.admit(request('r3', scopes, 10, 90)), (e: unknown) => {
      assert.ok(isGatewayError(e));
      assert.equal(e.code, 'budget_exceeded');
      assert.match(
        e.message,
        /^Monthly token budget exceeded for team 'acme' \(200\/250 tokens\); this request reserves 100 tokens\.$/,
      );
      return true;
    });
    assert.deepEqual(rejected, ['budget_tokens']);
    await limiter.reconcile(t1, 'r1', { tokens: 30, costNano: 0 });
    await limiter.reconcile(t2, 'r2', { tokens: 40, costNano: 0 });
    const usage = await limiter.usage(scopes);
    const team = usage.find((u) => u.scope === 'team:acme')!;
    assert.equal(team.used, 70);
    assert.equal(team.reserved, 0);
    assert.equal(team.period_id, `${YEAR}-11`);
    assert.equal(usage.find((u) => u.scope === 'user:acme/web/u1')!.used, 70);
  });

  it('streams get a partial grant and an allowance; non-streams need the full reservation', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { tokens: { day: 60 } })];
    // 100 tokens can never fit a budget of 60: no retry-after, and the message says so.
    await assert.rejects(limiter.admit(request('r1', s, 10, 90, false)), (e: unknown) => {
      assert.ok(isGatewayError(e));
      assert.equal(e.code, 'budget_exceeded');
      assert.match(e.message, /reserves 100 tokens .*whole daily token budget \(60 tokens\)/);
      assert.equal(e.headers['retry-after'], undefined);
      return true;
    });
    const ticket = await limiter.admit(request('r2', s, 10, 90, true));
    assert.equal(ticket.completionAllowance, 50);
    await limiter.reconcile(ticket, 'r2', { tokens: 60, costNano: 0 });
    await assert.rejects(limiter.admit(request('r3', s, 10, 90, true)), /\(60\/60 tokens\)/);
  });

  it('cost budgets in USD are exact in nano-dollars', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { cost_usd: { day: 0.001 } })];
    // 10 prompt × $1/M + 90 × $2/M = $0.00019 reserved each.
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await limiter.admit(request(`r${i}`, s)));
    await assert.rejects(
      limiter.admit(request('r5', s)),
      /Daily cost budget exceeded for app 'a' \(\$0\.00095\/\$0\.001\)/,
    );
    for (const [i, t] of tickets.entries())
      await limiter.reconcile(t, `r${i}`, { tokens: 0, costNano: 10_000 });
    const [usage] = await limiter.usage(s);
    assert.equal(usage!.used, 0.00005);
    assert.equal(usage!.reserved, 0);
  });

  it('cost reservations price the prompt at the dearer of input and prompt-cache writes', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { cost_usd: { day: 0.001 } })];
    // 100 prompt × $4/M (cache writes, dearer than $1/M input) + 100 × $2/M = $0.0006 reserved: one fits.
    const withWrites = { ...request('w1', s, 100, 100), pricing: { ...pricing, cache_write_per_mtok: 4 } };
    const ticket = await limiter.admit(withWrites);
    await assert.rejects(
      limiter.admit({ ...withWrites, requestId: 'w2' }),
      /Daily cost budget exceeded for app 'a' \(\$0\.0006\/\$0\.001\)/,
    );
    await limiter.reconcile(ticket, 'w1', { tokens: 200, costNano: 600_000 });
  });

  it('a partial grant across scopes and units reserves the smallest remainder, and gives exactly that back', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    // The team has 70 tokens left, the user 500; the app's cost budget allows $0.00012: 10 prompt tokens
    // ($0.00001) and 55 completion tokens ($0.00011) at $1/$2 per million.
    const scopes = [
      scope('user:u1', { tokens: { day: 500 } }),
      scope('team:t', { tokens: { day: 70 } }),
      scope('app:w', { cost_usd: { day: 0.00012 } }),
    ];
    const usage = async () => (await limiter.usage(scopes)).map((u) => [u.scope, u.used, u.reserved]);
    const ticket = await limiter.admit(request('r1', scopes, 10, 90, true));
    assert.equal(ticket.completionAllowance, 55);
    assert.deepEqual(await usage(), [
      ['user:u1', 0, 70],
      ['team:t', 0, 70],
      ['app:w', 0, 0.00012],
    ]);
    await limiter.reconcile(ticket, 'r1', { tokens: 40, costNano: 70_000 });
    assert.deepEqual(await usage(), [
      ['user:u1', 40, 0],
      ['team:t', 40, 0],
      ['app:w', 0.00007, 0],
    ]);
  });

  it('reservations of crashed requests expire; a late reconciliation counts its usage once', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const s = [scope('a', { tokens: { day: 200 }, concurrency: 1 })];
    const usage = async () => (await limiter.usage(s)).map((u) => [u.used, u.reserved]);
    const stalled = await limiter.admit(request('stalled', s, 10, 90));
    await assert.rejects(limiter.admit(request('r2', s, 10, 90)), /in flight/);
    time.now += 901_000;
    const ticket = await limiter.admit(request('r2', s, 10, 90));
    // The expired reservation is gone from the budget, not only skipped.
    assert.deepEqual(await usage(), [[0, 100]]);
    // Its request did finish after all (a stalled replica): its usage counts, its reservation is not given
    // back a second time.
    await limiter.reconcile(stalled, 'stalled', { tokens: 40, costNano: 0 });
    assert.deepEqual(await usage(), [[40, 100]]);
    await limiter.reconcile(ticket, 'r2', { tokens: 25, costNano: 0 });
    assert.deepEqual(await usage(), [[65, 0]]);
  });

  it('a request running past reservation_ttl_s keeps its slot and reservation: renewed while it runs', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const { limiter } = limiterAt(time, newStore());
    const slot = [scope('c', { concurrency: 1 })];
    const budget = [scope('b', { tokens: { day: 150 } })];
    // A stream granted less than it asked (150 of 200 tokens): the renewal must find that reservation.
    const long = await limiter.admit(request('long', [...slot, ...budget], 10, 190, true));
    assert.equal(long.completionAllowance, 140);
    time.now += 600_000;
    await limiter.renewLeases();
    // 20 minutes in: past the first expiry (15 minutes), within the renewed one.
    time.now += 600_000;
    await assert.rejects(limiter.admit(request('r2', slot, 10, 20)), /in flight/);
    await assert.rejects(limiter.admit(request('r3', budget, 10, 20)), /Daily token budget exceeded/);
    await limiter.reconcile(long, 'long', { tokens: 120, costNano: 0 });
    assert.deepEqual(
      (await limiter.usage(budget)).map((u) => [u.used, u.reserved]),
      [[120, 0]],
    );
    // A request whose reconciliation never comes (a bug, not a crash: its replica keeps renewing) holds its
    // slot for at most a day, then lets it expire.
    await limiter.admit(request('stuck', slot, 10, 20));
    const admitted = time.now;
    while (time.now - admitted < 26 * 3600_000) {
      time.now += 600_000;
      await limiter.renewLeases();
      if (time.now - admitted === 12 * 3600_000)
        await assert.rejects(limiter.admit(request('r4', slot, 10, 20)), /in flight/);
    }
    await limiter.admit(request('r5', slot, 10, 20));
  });

  it('release by request id: frees the slot and the reservation whatever was granted, once; unknown ids change nothing', async () => {
    const time = { now: Date.UTC(YEAR, 0, 1) };
    const store = newStore();
    const { limiter } = limiterAt(time, store);
    const s = [scope('a', { rpm: 100, concurrency: 1, tokens: { day: 60 }, cost_usd: { day: 1 } })];
    const usage = async () => (await limiter.usage(s)).map((u) => [u.unit, u.used, u.reserved]);
    // A stream granted less than it asked (60 of 100 tokens): the release must find that reservation too.
    const ticket = await limiter.admit(request('r1', s, 10, 90, true));
    assert.equal(ticket.completionAllowance, 50);
    await assert.rejects(limiter.admit(request('r2', s, 10, 40)), /in flight/);
    await store.release(ticket.checks, 'nope', time.now, 900_000);
    await assert.rejects(limiter.admit(request('r2', s, 10, 40)), /in flight/);
    assert.deepEqual(await usage(), [
      ['tokens', 0, 60],
      ['cost_usd', 0, 0.00019],
    ]);
    await store.release(ticket.checks, 'r1', time.now, 900_000);
    await store.release(ticket.checks, 'r1', time.now, 900_000);
    assert.deepEqual(await usage(), [
      ['tokens', 0, 0],
      ['cost_usd', 0, 0],
    ]);
    await limiter.admit(request('r2', s, 10, 40));
    assert.deepEqual((await usage())[0], ['tokens', 0, 50]);
  });
}
