// The limiter's cases (test/support/limiter-cases.ts) on the Redis store and a real Redis 8: the Lua script
// must behave exactly as the in-process store does, crash expiry included.
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import { createRedisStore, type RedisLimitStore } from '../../dataplane/limits/redis-store.js';
import { limiterCases } from '../support/limiter-cases.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis.js';

describe('limiter on the Redis store', () => {
  let redis: PrivateRedis;
  const stores: RedisLimitStore[] = [];
  before(async () => {
    redis = await startPrivateRedis();
  });
  after(async () => {
    for (const store of stores) await store.close();
    await redis.stop();
  });

  limiterCases(() => {
    const store = createRedisStore({
      url: redis.url,
      keyPrefix: `t${randomBytes(4).toString('hex')}:`,
      commandTimeoutMs: 1000,
      connectTimeoutMs: 1000,
      reconcileDelayMs: 2,
      onError: () => undefined,
    });
    stores.push(store);
    return store;
  });
});
