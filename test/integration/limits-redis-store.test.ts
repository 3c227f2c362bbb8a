// The Redis limit store's round trips on a real Redis 8: a finished request's reconciliation waits for the next
// admission and runs in the same script call, before it; alone, it goes after the configured delay, when the
// queue is full, when this replica reads its budgets, and on close; a failed call fails what it carried.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { PermanentLimitError, type Check, type Reconciliation } from '../../dataplane/limits/checks.js';
import type { RedisLimitStore } from '../../dataplane/limits/redis-store.js';
import { request, scope, testLimiter } from '../support/limiter-cases.js';
import { redisCommand } from '../support/redis.js';
import { limitStoresOnPrivateRedis } from '../support/redis-stores.js';
import { waitFor } from '../support/wait.js';

const DAY_END = Date.UTC(2100, 0, 1);
const TTL = 60_000;
/** What a finished request reports; every admission here is granted its whole amount (null: no smaller grant). */
const actual = (tokens: number, reservedTokens = 0): Reconciliation => ({
  tokens,
  cost: 0,
  reservedTokens,
  grantedTokens: null,
  grantedCost: null,
});
const noActual = actual(0);

describe('Redis limit store: reconciliations ride the next admission', () => {
  const suite = limitStoresOnPrivateRedis();

  async function storeWith(reconcileDelayMs: number): Promise<{ store: RedisLimitStore; prefix: string }> {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const store = suite.store({
      keyPrefix: prefix,
      commandTimeoutMs: 500,
      connectTimeoutMs: 500,
      reconcileDelayMs,
    });
    // Connected and Redis' clock read: admissions are refused until then.
    assert.equal(await store.start(), true);
    assert.equal(store.ready(), true);
    return { store, prefix };
  }

  const budget = (key: string, limit: number, amount: number, unit: 'tokens' | 'cost' = 'tokens'): Check => ({
    kind: 'budget',
    key,
    limit,
    amount,
    minAmount: amount,
    unit,
    period: 'day',
    endsAt: DAY_END,
    scope: 'app:a',
  });
  const concurrency = (key: string, limit: number): Check => ({
    kind: 'concurrency',
    key,
    limit,
    scope: 'app:a',
  });

  const scriptCalls = async (): Promise<number> => {
    const info = (await redisCommand(suite.redis.url, ['INFO', 'commandstats'])) as string;
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
    return calls('evalsha') + calls('eval');
  };
  const counters = async (key: string): Promise<{ used: number; reserved: number }> => {
    const [used, reserved] = (await redisCommand(suite.redis.url, ['HMGET', key, 'used', 'reserved'])) as (
      string | null
    )[];
    return { used: Number(used ?? 0), reserved: Number(reserved ?? 0) };
  };

  it('an admission left unanswered by a stalled Redis is released once it answers again: no slot stays taken', async () => {
    const { store } = await storeWith(2);
    const released: string[] = [];
    const limiter = testLimiter(store, {
      metrics: { backendError: (phase, policy) => released.push(`${phase}:${policy}`) },
    });
    const scopes = [
      scope('app:stall', {
        concurrency: 1,
        tokens: { day: 1000 },
        on_backend_error: { rate: 'open', budget: 'open' },
      }),
    ];
    // The script is loaded (a stalled EVALSHA of a script Redis does not know yet would not run anyway).
    const warm = await limiter.admit(request('warm', scopes));
    await limiter.reconcile(warm, 'warm', { tokens: 0, costNano: 0 });
    suite.redis.pause();
    let ticket;
    try {
      // The script call is written to the socket, then times out: the limits fail open.
      ticket = await limiter.admit(request('stalled', scopes));
      // The socket is still open, but the call went unanswered: not ready.
      assert.equal(store.ready(), false);
    } finally {
      suite.redis.resume();
    }
    await waitFor(() => store.ready(), 'ready again once Redis answers');
    assert.equal(ticket.degraded, true);
    assert.deepEqual(released, ['admit:open']);
    // Redis ran that admission once it woke up; the release that followed it gave everything back.
    await waitFor(
      async () => (await limiter.usage(scopes))[0]!.reserved === 0 || undefined,
      'the reservation to be released',
    );
    const next = await limiter.admit(request('next', scopes));
    assert.equal(next.degraded, false);
    await limiter.reconcile(next, 'next', { tokens: 0, costNano: 0 });
  });

  it('one script call carries the waiting reconciliation and the next admission, reconciliation first', async () => {
    const { store, prefix } = await storeWith(60_000);
    // A budget that fits exactly one reservation and a concurrency limit of one: the second admission only fits
    // if the first request's reconciliation ran before it.
    const checks = [budget('bt:a', 100, 100), concurrency('cc:a', 1)];
    const first = await store.admit(checks, 'r1', Date.now(), TTL);
    assert.equal(first.ok, true);
    assert.deepEqual(await counters(`${prefix}bt:a`), { used: 0, reserved: 100 });

    const before = await scriptCalls();
    let reconciled = false;
    const reconciliation = store
      .reconcile(checks, 'r1', Date.now(), actual(40, 100))
      .then(() => (reconciled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(reconciled, false, 'waits for a ride (the delay is a minute)');
    assert.deepEqual(await counters(`${prefix}bt:a`), { used: 0, reserved: 100 });

    const second = await store.admit(
      [budget('bt:a', 100, 60), concurrency('cc:a', 1)],
      'r2',
      Date.now(),
      TTL,
    );
    assert.equal(second.ok, true, 'the carried reconciliation freed the budget and the slot first');
    await reconciliation;
    assert.equal(await scriptCalls(), before + 1, 'one call for both');
    assert.deepEqual(await counters(`${prefix}bt:a`), { used: 40, reserved: 60 });
  });

  it('a refused admission still applies the reconciliations it carried', async () => {
    const { store, prefix } = await storeWith(60_000);
    const checks = [budget('bt:b', 100, 100)];
    assert.equal((await store.admit(checks, 'r1', Date.now(), TTL)).ok, true);
    const reconciliation = store.reconcile(checks, 'r1', Date.now(), actual(100, 100));
    const refused = await store.admit([budget('bt:b', 100, 10)], 'r2', Date.now(), TTL);
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.equal(refused.used, 100);
    await reconciliation;
    assert.deepEqual(await counters(`${prefix}bt:b`), { used: 100, reserved: 0 });
  });

  it('with no admission to ride, a reconciliation goes alone after the delay', async () => {
    const { store, prefix } = await storeWith(5);
    const checks = [budget('bt:c', 1000, 100)];
    await store.admit(checks, 'r1', Date.now(), TTL);
    await store.reconcile(checks, 'r1', Date.now(), actual(30, 100));
    assert.deepEqual(await counters(`${prefix}bt:c`), { used: 30, reserved: 0 });
  });

  it('a full queue goes at once, a budget read sends what waits first, and close sends the rest', async () => {
    const { store, prefix } = await storeWith(60_000);
    const checks = [budget('bt:d', 1_000_000, 10)];
    for (let i = 0; i < 70; i++) assert.equal((await store.admit(checks, `r${i}`, Date.now(), TTL)).ok, true);
    // 64 fill the queue, which is then sent without waiting the minute; the other six wait.
    await Promise.all(
      Array.from({ length: 64 }, (_, i) => store.reconcile(checks, `r${i}`, Date.now(), actual(1, 10))),
    );
    assert.deepEqual(await counters(`${prefix}bt:d`), { used: 64, reserved: 60 });

    const waiting = [64, 65, 66].map((i) => store.reconcile(checks, `r${i}`, Date.now(), actual(1, 10)));
    assert.deepEqual(await store.budgetUsage([`bt:d`]), [{ used: 67, reserved: 30 }]);
    await Promise.all(waiting);

    const last = [67, 68, 69].map((i) => store.reconcile(checks, `r${i}`, Date.now(), noActual));
    await store.close();
    await Promise.all(last);
    assert.deepEqual(await counters(`${prefix}bt:d`), { used: 67, reserved: 0 });
  });

  it('a reservation of 10^14 nano-dollars and more is found again (amounts written as plain digits)', async () => {
    const { store, prefix } = await storeWith(0);
    const big = budget('bc:f', 4e15, 2e14, 'cost');
    const admission = await store.admit([big], 'r1', Date.now(), TTL);
    assert.equal(admission.ok, true);
    if (!admission.ok) return;
    assert.deepEqual(await counters(`${prefix}bc:f`), { used: 0, reserved: 2e14 });
    await store.reconcile([big], 'r1', Date.now(), {
      tokens: 0,
      cost: 123e12,
      reservedTokens: 0,
      grantedTokens: admission.grantedTokens,
      grantedCost: admission.grantedCost,
    });
    assert.deepEqual(await counters(`${prefix}bc:f`), { used: 123e12, reserved: 0 });
  });

  it('the admissions of one event-loop turn share a call (eight at most per call)', async () => {
    const { store, prefix } = await storeWith(60_000);
    const checks = [budget('bt:h', 1000, 100), concurrency('cc:h', 3)];
    const before = await scriptCalls();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.admit(checks, `r${i}`, Date.now(), TTL)),
    );
    assert.equal(await scriptCalls(), before + 2);
    // In order, each seeing the ones before it: three slots, then refused.
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true, false, false, false, false, false, false, false],
    );
    assert.deepEqual(await counters(`${prefix}bt:h`), { used: 0, reserved: 300 });
  });

  it('an admission that fails inside the script fails alone; the reconciliations it carried count once', async () => {
    const { store, prefix } = await storeWith(60_000);
    const checks = [budget('bt:i', 1000, 100)];
    assert.equal((await store.admit(checks, 'r1', Date.now(), TTL)).ok, true);
    const reconciliation = store.reconcile(checks, 'r1', Date.now(), actual(30, 100));
    // A key of the wrong type makes the concurrency check raise inside the script.
    await redisCommand(suite.redis.url, ['SET', `${prefix}cc:i`, 'not a sorted set']);
    const [broken, fine] = await Promise.allSettled([
      store.admit([concurrency('cc:i', 5)], 'r2', Date.now(), TTL),
      store.admit(checks, 'r3', Date.now(), TTL),
    ]);
    assert.equal(broken.status, 'rejected');
    if (broken.status === 'rejected') {
      assert.ok(broken.reason instanceof PermanentLimitError);
      assert.match(String(broken.reason), /WRONGTYPE/);
    }
    assert.equal(fine.status, 'fulfilled');
    await reconciliation;
    assert.deepEqual(await counters(`${prefix}bt:i`), { used: 30, reserved: 100 });
  });

  it('a repeated reconciliation applies only if no earlier attempt did (its slot or reservation is still there)', async () => {
    const { store, prefix } = await storeWith(0);
    const checks = [concurrency('cc:rep', 5), budget('bt:rep', 1000, 100)];
    assert.equal((await store.admit(checks, 'r1', Date.now(), TTL)).ok, true);
    await store.reconcile(checks, 'r1', Date.now(), actual(12));
    // The repeat of an attempt that was applied after all (e.g. it timed out, then Redis ran it): nothing more.
    await store.reconcile(checks, 'r1', Date.now(), { ...actual(12), retry: true });
    assert.deepEqual(await counters(`${prefix}bt:rep`), { used: 12, reserved: 0 });
    // The repeat of an attempt that never ran: applied.
    assert.equal((await store.admit(checks, 'r2', Date.now(), TTL)).ok, true);
    await store.reconcile(checks, 'r2', Date.now(), { ...actual(20), retry: true });
    assert.deepEqual(await counters(`${prefix}bt:rep`), { used: 32, reserved: 0 });
    assert.equal(Number(await redisCommand(suite.redis.url, ['ZCARD', `${prefix}cc:rep`])), 0);
  });

  it('a repeated reconciliation of a request with tpm windows only applies once (a marker says it was)', async () => {
    const { store, prefix } = await storeWith(0);
    const tpm: Check = {
      kind: 'gcra',
      key: 'tpm:rep',
      limit: 6000,
      periodMs: 60_000,
      cost: 100,
      unit: 'tokens',
      scope: 'app:a',
    };
    const tat = async () => Number(await redisCommand(suite.redis.url, ['GET', `${prefix}tpm:rep`]));
    const now = Date.now();
    assert.equal((await store.admit([tpm], 'r1', now, TTL)).ok, true);
    const admitted = await tat();
    // 100 tokens reserved, 12 used: 88 tokens (10 ms each at 6000 a minute) given back, once.
    await store.reconcile([tpm], 'r1', now, actual(12, 100));
    assert.equal(admitted - (await tat()), 880);
    await store.reconcile([tpm], 'r1', now, { ...actual(12, 100), retry: true });
    assert.equal(admitted - (await tat()), 880);
    // The repeat of an attempt that never ran: applied.
    assert.equal((await store.admit([tpm], 'r2', now, TTL)).ok, true);
    const second = await tat();
    await store.reconcile([tpm], 'r2', now, { ...actual(50, 100), retry: true });
    assert.equal(second - (await tat()), 500);
    const ttl = Number(await redisCommand(suite.redis.url, ['PTTL', `${prefix}rm:r1`]));
    assert.ok(ttl > 0 && ttl <= 30_000, `marker PTTL ${ttl}`);
  });

  it('a reconciliation retried through a stall counts the usage once and frees the slot', async () => {
    const { store } = await storeWith(0);
    const limiter = testLimiter(store);
    const scopes = [scope('app:pause', { concurrency: 1, tokens: { day: 1000 } })];
    const warm = await limiter.admit(request('warm', scopes));
    await limiter.reconcile(warm, 'warm', { tokens: 0, costNano: 0 });
    const ticket = await limiter.admit(request('p1', scopes, 10, 90));
    suite.redis.pause();
    let reconciled: Promise<void>;
    try {
      // Each attempt is written to the socket and times out (500 ms); Redis runs them all when it wakes.
      reconciled = limiter.reconcile(ticket, 'p1', { tokens: 12, costNano: 0 });
      await new Promise((resolve) => setTimeout(resolve, 2500));
    } finally {
      suite.redis.resume();
    }
    await reconciled;
    const [usage] = await limiter.usage(scopes);
    assert.deepEqual([usage!.used, usage!.reserved], [12, 0]);
    const next = await limiter.admit(request('p2', scopes));
    assert.equal(next.degraded, false, 'the concurrency slot is free again');
    await limiter.reconcile(next, 'p2', { tokens: 0, costNano: 0 });
  });

  it('a reconciliation retries through a Redis restart (data kept) instead of leaving the slot taken', async () => {
    const { store, prefix } = await storeWith(0);
    const limiter = testLimiter(store);
    const scopes = [scope('app:restart', { concurrency: 1, tokens: { day: 1000 } })];
    const ticket = await limiter.admit(request('q1', scopes, 10, 90));
    // What Redis holds for the request, written back after the restart as persistence would have kept it.
    const saved: (string | number)[][] = [];
    for (const key of (await redisCommand(suite.redis.url, ['KEYS', `${prefix}*`])) as string[]) {
      const type = await redisCommand(suite.redis.url, ['TYPE', key]);
      if (type === 'zset') {
        const flat = (await redisCommand(suite.redis.url, ['ZRANGE', key, 0, -1, 'WITHSCORES'])) as string[];
        const pairs: string[] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push(flat[i + 1]!, flat[i]!);
        saved.push(['ZADD', key, ...pairs]);
      } else if (type === 'hash') {
        saved.push(['HSET', key, ...((await redisCommand(suite.redis.url, ['HGETALL', key])) as string[])]);
      } else {
        saved.push(['SET', key, (await redisCommand(suite.redis.url, ['GET', key])) as string]);
      }
    }
    await suite.redis.kill();
    const reconciled = limiter.reconcile(ticket, 'q1', { tokens: 15, costNano: 0 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await suite.redis.restart();
    for (const command of saved) await redisCommand(suite.redis.url, command);
    await reconciled;
    const [usage] = await limiter.usage(scopes);
    assert.deepEqual([usage!.used, usage!.reserved], [15, 0]);
    assert.equal(Number(await redisCommand(suite.redis.url, ['ZCARD', `${prefix}cc:app:restart`])), 0);
  });

  it('a reconciliation that fails inside the script is reported as permanent (retrying could count it twice)', async () => {
    const { store, prefix } = await storeWith(0);
    await redisCommand(suite.redis.url, ['SET', `${prefix}cc:j`, 'not a sorted set']);
    await assert.rejects(
      store.reconcile([concurrency('cc:j', 5)], 'r1', Date.now(), noActual),
      (error: unknown) => error instanceof PermanentLimitError && /WRONGTYPE/.test(error.message),
    );
  });

  it('budget counters expire after their period, also when a reconciliation recreates them', async () => {
    const { store, prefix } = await storeWith(0);
    const checks = [budget('bt:k', 1000, 100)];
    const pttl = async (key: string) => Number(await redisCommand(suite.redis.url, ['PTTL', key]));
    const expected = DAY_END + 35 * 24 * 3600 * 1000 - Date.now();
    assert.equal((await store.admit(checks, 'r1', Date.now(), TTL)).ok, true);
    for (const key of [`${prefix}bt:k`, `${prefix}bt:k:r`]) {
      const left = await pttl(key);
      assert.ok(Math.abs(left - expected) < 60_000, `${key}: ${left} ms left, ${expected} expected`);
    }
    // The counters gone (evicted, flushed): the reconciliation that writes them again gives them an expiry.
    await redisCommand(suite.redis.url, ['DEL', `${prefix}bt:k`, `${prefix}bt:k:r`]);
    await store.reconcile(checks, 'r1', Date.now(), actual(20, 100));
    assert.deepEqual(await counters(`${prefix}bt:k`), { used: 20, reserved: 0 });
    assert.ok(Math.abs((await pttl(`${prefix}bt:k`)) - expected) < 60_000);
  });

  it("reservations of the previous layout (amount in '<key>:a') are given back, on reconciliation and on expiry", async () => {
    const { store, prefix } = await storeWith(0);
    const key = `${prefix}bt:l`;
    const now = Date.now();
    // Two reservations written by a gateway of the previous layout: one still running, one long expired.
    for (const [id, expires] of [
      ['old-running', now + TTL],
      ['old-crashed', now - 1000],
    ] as const) {
      await redisCommand(suite.redis.url, ['HSET', `${key}:a`, id, '100']);
      await redisCommand(suite.redis.url, ['ZADD', `${key}:r`, expires, id]);
      await redisCommand(suite.redis.url, ['HINCRBY', key, 'reserved', '100']);
    }
    const checks = [budget('bt:l', 1000, 100)];
    // The admission finds the expired one and gives its 100 back.
    assert.equal((await store.admit(checks, 'new', now, TTL)).ok, true);
    assert.deepEqual(await counters(key), { used: 0, reserved: 200 });
    await store.reconcile(checks, 'old-running', now, actual(70, 100));
    await store.reconcile(checks, 'new', now, actual(10, 100));
    assert.deepEqual(await counters(key), { used: 80, reserved: 0 });
    assert.equal(await redisCommand(suite.redis.url, ['EXISTS', `${key}:a`]), 0);
  });

  it('a failing reconciliation in the middle of a call fails alone; the ones around it are applied', async () => {
    const { store, prefix } = await storeWith(60_000);
    const checks = [budget('bt:m', 1000, 100)];
    for (const id of ['r1', 'r2']) assert.equal((await store.admit(checks, id, Date.now(), TTL)).ok, true);
    await redisCommand(suite.redis.url, ['SET', `${prefix}cc:m`, 'not a sorted set']);
    const results = Promise.allSettled([
      store.reconcile(checks, 'r1', Date.now(), actual(10, 100)),
      store.reconcile([concurrency('cc:m', 5)], 'x', Date.now(), noActual),
      store.reconcile(checks, 'r2', Date.now(), actual(20, 100)),
    ]);
    assert.equal((await store.admit(checks, 'r3', Date.now(), TTL)).ok, true);
    assert.deepEqual(
      (await results).map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(await counters(`${prefix}bt:m`), { used: 30, reserved: 100 });
  });

  it('what is left after a full queue went waits its delay, then goes', async () => {
    const { store, prefix } = await storeWith(50);
    const checks = [budget('bt:n', 1_000_000, 10)];
    for (let i = 0; i < 70; i++) await store.admit(checks, `r${i}`, Date.now(), TTL);
    await Promise.all(
      Array.from({ length: 70 }, (_, i) => store.reconcile(checks, `r${i}`, Date.now(), actual(1, 10))),
    );
    assert.deepEqual(await counters(`${prefix}bt:n`), { used: 70, reserved: 0 });
  });

  it('close sends the admissions of the current turn before it disconnects', async () => {
    const { store, prefix } = await storeWith(60_000);
    const admission = store.admit([budget('bt:o', 1000, 100)], 'r1', Date.now(), TTL);
    await store.close();
    assert.equal((await admission).ok, true);
    assert.deepEqual(await counters(`${prefix}bt:o`), { used: 0, reserved: 100 });
  });

  it('a reservations set written without an expiry gets one from the next admission', async () => {
    const { store, prefix } = await storeWith(0);
    // As after a lost write: the hash says something is reserved, the set is gone.
    await redisCommand(suite.redis.url, ['HSET', `${prefix}bt:p`, 'used', '0', 'reserved', '50']);
    assert.equal((await store.admit([budget('bt:p', 1000, 100)], 'r1', Date.now(), TTL)).ok, true);
    assert.ok(Number(await redisCommand(suite.redis.url, ['PTTL', `${prefix}bt:p:r`])) > 0);
  });

  it('Redis away: the reconciliations a failed call carried fail with it (the limiter retries them)', async () => {
    const { store } = await storeWith(60_000);
    const checks = [concurrency('cc:e', 10)];
    assert.equal((await store.admit(checks, 'r1', Date.now(), TTL)).ok, true);
    await suite.redis.kill();
    try {
      const reconciliation = store.reconcile(checks, 'r1', Date.now(), noActual);
      await assert.rejects(store.admit(checks, 'r2', Date.now(), TTL));
      await assert.rejects(reconciliation);
      // A budget read sends what waits first; with Redis away it fails, and it ends.
      const waiting = store.reconcile(checks, 'r1', Date.now(), noActual);
      await assert.rejects(store.budgetUsage(['bt:e']));
      await assert.rejects(waiting);
    } finally {
      await suite.redis.restart();
    }
  });
});
