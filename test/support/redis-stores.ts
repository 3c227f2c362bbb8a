// A private Redis 8 for the enclosing describe block and the Redis limit stores a test makes on it: started
// before the block, every store closed and the server stopped after it.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import {
  createRedisStore,
  type RedisLimitStore,
  type RedisStoreOptions,
} from '../../dataplane/limits/redis-store.js';
import { startPrivateRedis, type PrivateRedis } from './redis.js';

export function limitStoresOnPrivateRedis() {
  let redis: PrivateRedis | undefined;
  const stores: RedisLimitStore[] = [];
  before(async () => {
    redis = await startPrivateRedis();
  });
  after(async () => {
    for (const store of stores) await store.close();
    await redis?.stop();
  });
  return {
    get redis(): PrivateRedis {
      if (redis === undefined) throw new Error('the private Redis starts in before()');
      return redis;
    },
    /** A store on that Redis with a key prefix of its own (unless given) and 1 s timeouts. */
    store(options: Partial<RedisStoreOptions> = {}): RedisLimitStore {
      const store = createRedisStore({
        url: this.redis.url,
        keyPrefix: `t${randomBytes(4).toString('hex')}:`,
        commandTimeoutMs: 1000,
        connectTimeoutMs: 1000,
        reconcileDelayMs: 2,
        onError: () => undefined,
        ...options,
      });
      stores.push(store);
      return store;
    },
  };
}
