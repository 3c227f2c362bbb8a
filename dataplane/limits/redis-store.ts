// Limit store on Redis 8 through ioredis: checks packed for the Lua script, whose calls (one per event-loop turn,
// carrying the reconciliations finished since the previous one) are made by redis-calls.ts. Commands are bounded
// by a timeout and never queued while disconnected, so a Redis outage fails fast into each limit's configured
// policy.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../net/redis-client.js';
import {
  OutcomeUnknownError,
  PermanentLimitError,
  type Check,
  type GcraState,
  type LimitStore,
  type Reconciliation,
  RATE_ONLY_MARK_MS,
  reservedAmount,
} from './checks.js';
import { createLimitCalls } from './redis-calls.js';
import { LIMITS_SCRIPT } from './redis-scripts.js';
import { createSharedClock } from './shared-clock.js';

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /**
   * How long a finished request's reconciliation may wait for the next admission to carry it before it is sent
   * on its own, milliseconds; 0: no wait (sent at once; while such a call is in flight, what finishes goes in
   * the next).
   */
  reconcileDelayMs: number;
  onError: (error: Error) => void;
  /** This process's clocks (tests skew them): the store's `now()` follows Redis' TIME on top of `localNow`. */
  localNow?: () => number;
  wallNow?: () => number;
  /** After each synchronisation with Redis' clock: server minus this process's wall clock, and the error bound. */
  onClockSync?: (offsetMs: number, uncertaintyMs: number) => void;
  /** A synchronisation got no answer to TIME: the previous offset (or this process's clock) stays in use. */
  onClockSyncFailed?: () => void;
}

export interface RedisLimitStore extends LimitStore {
  /** True while connected (readiness). */
  ready(): boolean;
  /** Redis' time now (see shared-clock.ts): what every replica's limits are counted in. */
  now(): number;
  /**
   * Waits for the first reading of Redis' clock, at most `connectTimeoutMs` plus `commandTimeoutMs`; false if
   * it did not come (admissions are refused before they are sent until a later reading, at each reconnect and
   * every 10 s, succeeds).
   */
  start(): Promise<boolean>;
}

/** How often Redis' clock is read again (the local clock's drift in between is far below a millisecond). */
const CLOCK_SYNC_INTERVAL_MS = 10_000;

export function createRedisStore(options: RedisStoreOptions): RedisLimitStore {
  const redis = createRedisClient({
    url: options.url,
    keyPrefix: options.keyPrefix,
    commandTimeoutMs: options.commandTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
    // No auto-pipelining: its per-tick Pipeline object and deferred write cost more CPU than the write
    // syscalls it saves, and it delays each command to the next tick (bench/micro/limits-redis.ts: at 2k req/s
    // ≈ 35 µs less CPU per request and a p99 admit latency ~3× lower without it).
    autoPipelining: false,
    onError: options.onError,
  });
  // Requests that arrive while the first connection is still being made wait for it (bounded by the command
  // timeout) instead of failing into the fault policy: without the offline queue, a command sent before `ready`
  // is refused at once. Only before the first `ready` and only while an attempt is under way: between attempts
  // and in any later outage, commands still fail fast.
  let started = false;
  const firstReady = new Promise<void>((resolve) =>
    redis.once('ready', () => {
      started = true;
      resolve();
    }),
  );
  const startup = async () => {
    if (redis.status !== 'connecting' && redis.status !== 'connect') return;
    await Promise.race([firstReady, sleep(options.commandTimeoutMs, undefined, { ref: false })]);
  };
  // The last script call went unanswered (a timeout, a refused command): not ready until one is answered. A
  // stalled Redis keeps its socket open, so the connection's status alone would still say ready; with no
  // traffic, the readiness check itself sends a PING to find out.
  let failing = false;
  let probing = false;
  const clock = createSharedClock({
    readTime: async () => {
      const [seconds, micros] = await redis.time();
      return Number(seconds) * 1000 + Number(micros) / 1000;
    },
    ...(options.localNow === undefined ? {} : { localNow: options.localNow }),
    ...(options.wallNow === undefined ? {} : { wallNow: options.wallNow }),
  });
  const synchronise = async () => {
    const ok = await clock.sync();
    if (ok) options.onClockSync?.(clock.offsetMs(), clock.uncertaintyMs());
    else options.onClockSyncFailed?.();
    return ok;
  };
  // Every (re)connection may be to another server (a failover): until its clock has been read, admissions
  // wait (clockReady) rather than write times from this replica's clock or the old server's, which a rate
  // window would keep (GCRA stores the latest arrival time) and hold against every replica.
  let reading: Promise<boolean> | undefined;
  redis.on('ready', () => {
    const sync = synchronise().finally(() => {
      if (reading === sync) reading = undefined;
    });
    reading = sync;
  });
  const resync = setInterval(() => {
    if (redis.status === 'ready') void synchronise();
  }, CLOCK_SYNC_INTERVAL_MS);
  resync.unref();
  const calls = createLimitCalls({
    run: scriptRunner(redis, LIMITS_SCRIPT),
    beforeCall: async () => {
      if (!started) await startup();
    },
    reconcileDelayMs: options.reconcileDelayMs,
    onOutcome: (answered) => {
      failing = !answered;
    },
  });

  return {
    now: clock.now,
    clockReady() {
      if (started && reading === undefined) return undefined;
      return (async () => {
        if (!started) await startup();
        // Bounded: a Redis that does not answer TIME is counted in the last offset (or this clock) meanwhile.
        if (reading !== undefined)
          await Promise.race([reading, sleep(options.commandTimeoutMs, false, { ref: false })]);
      })();
    },
    async start() {
      const deadline = sleep(options.connectTimeoutMs + options.commandTimeoutMs, false, { ref: false });
      if (redis.status !== 'ready') {
        const connected = await Promise.race([firstReady.then(() => true), deadline]);
        if (!connected) return false;
      }
      return clock.synchronised() || (await Promise.race([synchronise(), deadline]));
    },
    ready: () => {
      if (redis.status !== 'ready') return false;
      if (failing && !probing) {
        probing = true;
        redis.ping().then(
          () => {
            failing = false;
            probing = false;
          },
          () => {
            probing = false;
          },
        );
      }
      return !failing;
    },
    async admit(checks, requestId, now, ttlMs) {
      // Never written in a clock other than this server's (see `reading`): refused before it is sent, so it
      // takes the limits' fault policy and needs no release.
      if (!clock.synchronised() || reading !== undefined)
        throw new Error("the limits' Redis clock has not been read on this connection yet");
      const keys: string[] = [];
      let packed = `${now} ${ttlMs}`;
      for (const c of checks) {
        keys.push(c.key);
        packed += admitArgs(c);
      }
      let reply: number[];
      try {
        reply = (await calls.admit({ keys, packed, id: requestId })) as number[];
      } catch (error) {
        // Only a command refused before it was written (Redis away: no offline queue) surely did not run; a
        // timeout or a connection dropped with the script in flight may have run it, or may yet.
        // (An error inside the script is Redis' answer about that admission, not a lost one.)
        if (error instanceof PermanentLimitError) throw error;
        if (error instanceof Error && /Stream isn't writeable|enableOfflineQueue/.test(error.message))
          throw error;
        throw new OutcomeUnknownError('the limit admission went unanswered', { cause: error });
      }
      if (reply[0] === 0) {
        return {
          ok: false,
          failed: reply[1]! - 1,
          retryAfterMs: reply[2]!,
          used: reply[3]!,
          limit: reply[4]!,
        };
      }
      // The reply carries remaining/reset for the gcra checks only, in check order.
      let next = 3;
      const gcra: (GcraState | null)[] = [];
      for (const c of checks) {
        if (c.kind !== 'gcra') {
          gcra.push(null);
          continue;
        }
        gcra.push({ remaining: reply[next]!, resetMs: reply[next + 1]! });
        next += 2;
      }
      return {
        ok: true,
        grantedTokens: reply[1]! < 0 ? null : reply[1]!,
        grantedCost: reply[2]! < 0 ? null : reply[2]!,
        gcra,
      };
    },
    reconcile(checks, requestId, now, actual: Reconciliation) {
      const keys: string[] = [];
      // A request holding nothing a repeat could look for (rate windows only) leaves a marker when its
      // reconciliation is applied, if it has a tpm window to move (an rpm window's reconciliation is empty).
      let marked = false;
      for (const c of checks) {
        if (c.kind !== 'gcra') {
          marked = false;
          break;
        }
        if (c.unit === 'tokens') marked = true;
      }
      let packed = `${checks.length + (marked ? 1 : 0)} ${now} ${Math.round(actual.tokens)} ${Math.round(actual.cost)} ${Math.round(actual.reservedTokens)} ${actual.retry === true ? 1 : 0}`;
      for (const [i, c] of checks.entries()) {
        keys.push(c.key);
        if (c.kind === 'gcra')
          packed +=
            c.unit === 'tokens' ? ` g ${c.limit} ${c.periodMs} ${actual.reservedUntil?.[i] ?? -1}` : ' r';
        else if (c.kind === 'concurrency') packed += ' c';
        else {
          const amount = reservedAmount(c, actual.grantedTokens, actual.grantedCost);
          packed += `${c.unit === 'tokens' ? ' b t ' : ' b c '}${amount} ${c.endsAt}`;
        }
      }
      if (marked) {
        keys.push(`rm:${requestId}`);
        packed += ` m ${RATE_ONLY_MARK_MS}`;
      }
      return calls.reconcile({ keys, packed, id: requestId });
    },
    release(checks, requestId, admittedAt, reservationTtlMs) {
      const keys: string[] = [];
      // A reconciliation of no usage whose checks say what to give back: c (the slot), x (the budget
      // reservation, found by its expiry and the request id); r (nothing) for rate windows.
      const expiresAt = admittedAt + reservationTtlMs;
      let packed = `${checks.length} ${admittedAt} 0 0 0 0`;
      for (const c of checks) {
        keys.push(c.key);
        packed += c.kind === 'gcra' ? ' r' : c.kind === 'concurrency' ? ' c' : ` x ${expiresAt}`;
      }
      return calls.reconcile({ keys, packed, id: requestId });
    },
    async renew(leases) {
      // Plain commands, no script: each hold is renewed on its own, and XX GT makes a renewal a no-op for a
      // hold that is gone (expired and given back, or reconciled meanwhile) or already renewed further.
      const pipeline = redis.pipeline();
      for (const lease of leases) {
        for (const c of lease.checks) {
          if (c.kind === 'concurrency') {
            pipeline.zadd(c.key, 'XX', 'GT', lease.expiresAt, lease.requestId);
            // The set itself expires a TTL after its last admission: it must outlive the renewed slot.
            pipeline.pexpireat(c.key, lease.expiresAt, 'GT');
          } else if (c.kind === 'budget') {
            const amount = reservedAmount(c, lease.grantedTokens, lease.grantedCost);
            pipeline.zadd(`${c.key}:r`, 'XX', 'GT', lease.expiresAt, `${amount}:${lease.requestId}`);
          }
        }
      }
      if (pipeline.length === 0) return;
      const replies = (await pipeline.exec()) ?? [];
      for (const [error] of replies) if (error !== null) throw error;
    },
    async budgetUsage(keys) {
      // What this replica has reconciled is visible to its own next read.
      await calls.flush();
      if (keys.length === 0) return [];
      // Expired reservations (a crashed replica's) are given back by the next admission on the key; until
      // then the hash still counts them, so the read leaves them out itself, as the in-process store does.
      const now = clock.now();
      // MULTI: another replica's admission may give an expired reservation back between the two reads.
      const pipeline = redis.multi();
      for (const key of keys) {
        pipeline.hmget(key, 'used', 'reserved');
        pipeline.zrange(`${key}:r`, '-inf', String(now), 'BYSCORE');
      }
      const replies = (await pipeline.exec()) ?? [];
      return keys.map((_, i) => {
        const [hashError, hash] = replies[2 * i]!;
        const [expiredError, expired] = replies[2 * i + 1]!;
        if (hashError !== null) throw hashError;
        if (expiredError !== null) throw expiredError;
        const [used, reserved] = hash as (string | null)[];
        // Members are `<amount>:<request id>` (those of the previous layout have no amount: skipped).
        let gone = 0;
        for (const member of expired as string[]) {
          const colon = member.indexOf(':');
          const amount = colon > 0 ? Number(member.slice(0, colon)) : Number.NaN;
          if (Number.isFinite(amount) && amount > 0) gone += amount;
        }
        return { used: Number(used ?? 0), reserved: Math.max(0, Number(reserved ?? 0) - gone) };
      });
    },
    async close() {
      clearInterval(resync);
      await calls.flush();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * Runs a script by its SHA and loads it by EVAL only when Redis answers NOSCRIPT (first call after a start or a
 * SCRIPT FLUSH). Called directly instead of through `defineCommand`, whose wrapper builds a second command and
 * promise chain per call; the arguments go as one array, which ioredis flattens once.
 */
function scriptRunner(redis: Redis, lua: string): (numKeys: number, args: string[]) => Promise<unknown> {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (numKeys, args) => {
    try {
      return await redis.evalsha(sha, numKeys, args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return await redis.eval(lua, numKeys, args);
    }
  };
}

/** One check's part of an admission's packed argument (see LIMITS_SCRIPT), with its leading space. */
function admitArgs(c: Check): string {
  switch (c.kind) {
    case 'gcra':
      return ` g ${c.limit} ${c.periodMs} ${c.cost}`;
    case 'concurrency':
      return ` c ${c.limit}`;
    case 'budget':
      return ` b ${c.limit} ${Math.round(c.amount)} ${Math.round(c.minAmount)} ${c.endsAt} ${c.unit === 'tokens' ? 't' : 'c'}`;
  }
}
