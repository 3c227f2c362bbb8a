// The gateway's Redis connection policy, shared by the limit store and the cache: commands bounded by a
// timeout and never queued while disconnected, so an outage fails fast into the caller's fallback (a limit's
// open/closed policy, a cache miss) while ioredis reconnects in the background.
import { Redis } from 'ioredis';

export interface RedisClientOptions {
  url: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /** Prepended by ioredis to every key of every command. */
  keyPrefix?: string;
  /** Batch the commands issued in one tick into one write (a cost per tick; see the callers' choices). */
  autoPipelining: boolean;
  onError: (error: Error) => void;
}

export function createRedisClient(options: RedisClientOptions): Redis {
  const redis = new Redis(options.url, {
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    lazyConnect: false,
    enableAutoPipelining: options.autoPipelining,
  });
  redis.on('error', (error: Error) => options.onError(error));
  return redis;
}
