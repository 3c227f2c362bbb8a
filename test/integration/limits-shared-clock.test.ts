// Replicas whose clocks disagree still share one limit: each Redis store counts in Redis' time (TIME, see
// dataplane/limits/shared-clock.ts), so a replica whose wall clock runs a day ahead neither finds the rate
// window refilled, nor the other replica's concurrency slots expired, nor a fresh budget in "tomorrow's" period.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isGatewayError } from '../../dataplane/errors/gateway-error.js';
import { createRedisStore, type RedisLimitStore } from '../../dataplane/limits/redis-store.js';
import { request, scope, testLimiter } from '../support/limiter-cases.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis.js';

const DAY = 86_400_000;

describe('limits across replicas with skewed clocks', () => {
  let redis: PrivateRedis;
  const stores: RedisLimitStore[] = [];
  before(async () => {
    redis = await startPrivateRedis();
  });
  after(async () => {
    for (const store of stores) await store.close();
    await redis.stop();
  });

  /** Two replicas on one Redis and one key prefix; the second's wall clock runs `skewMs` ahead. */
  async function replicas(skewMs: number) {
    const prefix = `t${randomBytes(4).toString('hex')}:`;
    const make = (localNow?: () => number) => {
      const store = createRedisStore({
        url: redis.url,
        keyPrefix: prefix,
        commandTimeoutMs: 1000,
        connectTimeoutMs: 1000,
        reconcileDelayMs: 2,
        onError: () => undefined,
        ...(localNow === undefined ? {} : { localNow }),
      });
      stores.push(store);
      return store;
    };
    const right = make();
    const ahead = make(() => Date.now() + skewMs);
    assert.equal(await right.start(), true);
    assert.equal(await ahead.start(), true);
    // Both now read Redis' time (the same machine's clock), whatever their own says.
    assert.ok(Math.abs(ahead.now() - right.now()) < 50, `${ahead.now() - right.now()} ms apart`);
    return {
      right: testLimiter(right),
      ahead: testLimiter(ahead),
      // The counterfactual: the same replica counting in its own wall clock, as limits did before.
      aheadOnItsOwnClock: testLimiter(ahead, { now: () => Date.now() + skewMs }),
    };
  }

  const refusedWith = (code: string) => (e: unknown) => {
    assert.ok(isGatewayError(e), String(e));
    assert.equal(e.status, 429);
    assert.equal(e.code, code);
    return true;
  };

  it('a rate window filled by one replica is full for the other', async () => {
    const { right, ahead, aheadOnItsOwnClock } = await replicas(DAY);
    const s = [scope('rate', { rpm: 10 })];
    for (let i = 0; i < 10; i++) await right.admit(request(`a${i}`, s));
    await assert.rejects(ahead.admit(request('b0', s)), refusedWith('rate_limited'));
    // On its own clock a day has passed and GCRA's whole burst is back.
    await aheadOnItsOwnClock.admit(request('b1', s));
  });

  it("one replica's concurrency slots are not expired for the other", async () => {
    const { right, ahead, aheadOnItsOwnClock } = await replicas(DAY);
    const s = [scope('cc', { concurrency: 2 })];
    await right.admit(request('a0', s));
    await right.admit(request('a1', s));
    await assert.rejects(ahead.admit(request('b0', s)), refusedWith('rate_limited'));
    // On its own clock both slots' reservations expired long ago.
    await aheadOnItsOwnClock.admit(request('b1', s));
  });

  it("a day's budget spent through one replica is spent for the other", async () => {
    const { right, ahead, aheadOnItsOwnClock } = await replicas(DAY);
    const s = [scope('budget', { tokens: { day: 300 } })];
    // 100 tokens reserved per request (10 prompt + 90 upper bound): three fill the day.
    for (let i = 0; i < 3; i++) await right.admit(request(`a${i}`, s));
    await assert.rejects(ahead.admit(request('b0', s)), refusedWith('budget_exceeded'));
    // On its own clock it is tomorrow, with a budget of its own.
    await aheadOnItsOwnClock.admit(request('b1', s));
  });
});
