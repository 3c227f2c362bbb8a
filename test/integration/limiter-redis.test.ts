// The limiter's cases (test/support/limiter-cases.ts) on the Redis store and a real Redis 8: the Lua script
// must behave exactly as the in-process store does, crash expiry included.
import { describe } from 'node:test';
import { limiterCases } from '../support/limiter-cases.js';
import { limitStoresOnPrivateRedis } from '../support/redis-stores.js';

describe('limiter on the Redis store', () => {
  const redis = limitStoresOnPrivateRedis();
  limiterCases(() => redis.store());
});
