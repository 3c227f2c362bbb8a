// Limit store on Redis 8 through ioredis: one script call per phase, commands bounded by a timeout and never
// queued while disconnected, so a Redis outage fails fast into each limit's configured policy.
import { Redis } from 'ioredis';
import type { Check, GcraState, LimitStore, Reconciliation } from './checks.js';
import { ADMIT_SCRIPT, RECONCILE_SCRIPT } from './redis-scripts.js';

type ScriptRunner = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  onError: (error: Error) => void;
}

export interface RedisLimitStore extends LimitStore {
  /** True while connected (readiness). */
  ready(): boolean;
}

export function createRedisStore(options: RedisStoreOptions): RedisLimitStore {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    // Fail fast instead of piling commands up while Redis is away; reconnect in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    lazyConnect: false,
    // Commands issued in the same tick (many requests' admits and reconciles under load) leave in one write:
    // one syscall for many scripts instead of one each.
    enableAutoPipelining: true,
  });
  redis.on('error', (error: Error) => options.onError(error));
  redis.defineCommand('gwAdmit', { lua: ADMIT_SCRIPT });
  redis.defineCommand('gwReconcile', { lua: RECONCILE_SCRIPT });
  const admitScript = (redis as unknown as { gwAdmit: ScriptRunner }).gwAdmit.bind(redis);
  const reconcileScript = (redis as unknown as { gwReconcile: ScriptRunner }).gwReconcile.bind(redis);

  return {
    ready: () => redis.status === 'ready',
    async admit(checks, requestId, now, ttlMs) {
      const args: (string | number)[] = [];
      for (const c of checks) args.push(c.key);
      args.push(now, requestId, ttlMs, checks.length);
      for (const c of checks) args.push(...admitArgs(c));
      const reply = (await admitScript(checks.length, ...args)) as number[];
      if (reply[0] === 0) {
        return {
          ok: false,
          failed: reply[1]! - 1,
          retryAfterMs: reply[2]!,
          used: reply[3]!,
          limit: reply[4]!,
        };
      }
      const gcra: (GcraState | null)[] = checks.map((c, i) =>
        c.kind === 'gcra' ? { remaining: reply[3 + 2 * i]!, resetMs: reply[4 + 2 * i]! } : null,
      );
      return {
        ok: true,
        grantedTokens: reply[1]! < 0 ? null : reply[1]!,
        grantedCost: reply[2]! < 0 ? null : reply[2]!,
        gcra,
      };
    },
    async reconcile(checks, requestId, now, actual: Reconciliation) {
      const args: (string | number)[] = [];
      for (const c of checks) args.push(c.key);
      args.push(
        now,
        requestId,
        Math.round(actual.tokens),
        Math.round(actual.cost),
        Math.round(actual.reservedTokens),
        checks.length,
      );
      for (const c of checks) {
        if (c.kind === 'gcra') args.push(c.unit === 'tokens' ? 'g' : 'r', c.limit, c.periodMs);
        else if (c.kind === 'concurrency') args.push('c', c.limit, 0);
        else args.push('b', c.limit, c.unit === 'tokens' ? 't' : 'c');
      }
      await reconcileScript(checks.length, ...args);
    },
    async budgetUsage(keys) {
      if (keys.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hmget(key, 'used', 'reserved');
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([error, value]) => {
        if (error !== null) throw error;
        const [used, reserved] = value as (string | null)[];
        return { used: Number(used ?? 0), reserved: Number(reserved ?? 0) };
      });
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function admitArgs(c: Check): (string | number)[] {
  switch (c.kind) {
    case 'gcra':
      return ['g', c.limit, c.periodMs, c.cost, 0, 0];
    case 'concurrency':
      return ['c', c.limit, 0, 0, 0, 0];
    case 'budget':
      return [
        'b',
        c.limit,
        Math.round(c.amount),
        Math.round(c.minAmount),
        c.endsAt,
        c.unit === 'tokens' ? 't' : 'c',
      ];
  }
}
