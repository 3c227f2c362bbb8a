// In-process limit store: the same semantics as the Redis script for a single replica (the embedded
// default). Counters live in Maps owned by the store instance; what no longer counts (rate windows back to
// empty, released slots, budgets of periods long over) is pruned every few seconds, as Redis expires its keys:
// user ids are the caller's to choose, so state per user must not grow without bound.
import {
  gcraAdjustMs,
  unitEpsilon,
  type BudgetCheck,
  type ConcurrencyCheck,
  type GcraState,
  type LimitStore,
  type Reconciliation,
} from './checks.js';

interface Budget {
  used: number;
  reserved: number;
  reservations: Map<string, { amount: number; expiresAt: number }>;
  /** When its period ends (epoch ms). */
  endsAt: number;
}

/** How often the maps are swept, and how long a budget outlives its period (late reconciliations, reads). */
const PRUNE_EVERY_MS = 10_000;
const BUDGET_KEPT_AFTER_PERIOD_MS = 3_600_000;

export interface MemoryLimitStore extends LimitStore {
  /** Keys held (rate windows, concurrency sets, budgets): what pruning bounds. */
  entries(): number;
}

export function createMemoryStore(): MemoryLimitStore {
  const tats = new Map<string, number>();
  const inflight = new Map<string, Map<string, number>>();
  const budgets = new Map<string, Budget>();

  const budget = (c: BudgetCheck): Budget => {
    let b = budgets.get(c.key);
    if (b === undefined) {
      b = { used: 0, reserved: 0, reservations: new Map(), endsAt: c.endsAt };
      budgets.set(c.key, b);
    }
    return b;
  };
  let prunedAt = Number.NEGATIVE_INFINITY;
  /** A rate window whose state is behind `now` is empty again; an empty concurrency set holds nothing. */
  const prune = (now: number) => {
    prunedAt = now;
    for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
    for (const [key, set] of inflight) {
      for (const [id, expiresAt] of set) if (expiresAt <= now) set.delete(id);
      if (set.size === 0) inflight.delete(key);
    }
    for (const [key, b] of budgets) if (b.endsAt + BUDGET_KEPT_AFTER_PERIOD_MS < now) budgets.delete(key);
  };
  const purge = (b: Budget, now: number) => {
    for (const [id, r] of b.reservations) {
      if (r.expiresAt <= now) {
        b.reserved -= r.amount;
        b.reservations.delete(id);
      }
    }
  };

  /** What an admission took for this request: its concurrency slot, or its budget reservation. */
  const giveBack = (c: ConcurrencyCheck | BudgetCheck, requestId: string) => {
    if (c.kind === 'concurrency') {
      inflight.get(c.key)?.delete(requestId);
      return;
    }
    const b = budget(c);
    const r = b.reservations.get(requestId);
    if (r !== undefined) {
      b.reserved -= r.amount;
      b.reservations.delete(requestId);
    }
  };

  return {
    entries: () => tats.size + inflight.size + budgets.size,
    admit(checks, requestId, now, ttlMs) {
      if (now - prunedAt >= PRUNE_EVERY_MS) prune(now);
      const grant = { tokens: Infinity, cost: Infinity };
      const newTats: number[] = [];
      const gcra: (GcraState | null)[] = [];
      for (let i = 0; i < checks.length; i++) {
        const c = checks[i]!;
        if (c.kind === 'gcra') {
          const interval = c.periodMs / c.limit;
          const tat = Math.max(tats.get(c.key) ?? now, now);
          const newTat = tat + c.cost * interval;
          if (newTat - c.periodMs > now) {
            const used = Math.ceil((tat - now) / interval - unitEpsilon(now, interval));
            return Promise.resolve({
              ok: false,
              failed: i,
              retryAfterMs: Math.ceil(newTat - c.periodMs - now),
              used,
              limit: c.limit,
            });
          }
          newTats[i] = newTat;
          gcra[i] = {
            remaining: Math.floor((c.periodMs - (newTat - now)) / interval + unitEpsilon(now, interval)),
            resetMs: Math.ceil(newTat - now),
          };
        } else if (c.kind === 'concurrency') {
          const set = inflight.get(c.key) ?? new Map<string, number>();
          for (const [id, expiresAt] of set) if (expiresAt <= now) set.delete(id);
          inflight.set(c.key, set);
          if (set.size >= c.limit)
            return Promise.resolve({
              ok: false,
              failed: i,
              retryAfterMs: 1000,
              used: set.size,
              limit: c.limit,
            });
          gcra[i] = null;
        } else {
          const b = budget(c);
          purge(b, now);
          const remaining = c.limit - b.used - b.reserved;
          if (remaining <= 0 || remaining < c.minAmount) {
            return Promise.resolve({
              ok: false,
              failed: i,
              retryAfterMs: Math.max(0, c.endsAt - now),
              used: b.used + b.reserved,
              limit: c.limit,
            });
          }
          grant[c.unit] = Math.min(grant[c.unit], remaining);
          gcra[i] = null;
        }
      }
      for (let i = 0; i < checks.length; i++) {
        const c = checks[i]!;
        if (c.kind === 'gcra') tats.set(c.key, newTats[i]!);
        else if (c.kind === 'concurrency') inflight.get(c.key)!.set(requestId, now + ttlMs);
        else {
          const b = budget(c);
          const amount = Math.min(c.amount, grant[c.unit]);
          b.reserved += amount;
          b.reservations.set(requestId, { amount, expiresAt: now + ttlMs });
        }
      }
      return Promise.resolve({
        ok: true,
        grantedTokens: grant.tokens === Infinity ? null : grant.tokens,
        grantedCost: grant.cost === Infinity ? null : grant.cost,
        gcra,
      });
    },
    reconcile(checks, requestId, now, actual: Reconciliation) {
      for (const [i, c] of checks.entries()) {
        if (c.kind === 'gcra') {
          if (c.unit !== 'tokens') continue;
          const interval = c.periodMs / c.limit;
          const tat = tats.get(c.key);
          const delta = gcraAdjustMs(
            (actual.tokens - actual.reservedTokens) * interval,
            actual.reservedUntil?.[i],
            now,
          );
          if (tat !== undefined) tats.set(c.key, Math.max(now, tat + delta));
        } else {
          giveBack(c, requestId);
          if (c.kind === 'budget') budget(c).used += c.unit === 'tokens' ? actual.tokens : actual.cost;
        }
      }
      return Promise.resolve();
    },
    renew(leases) {
      for (const lease of leases) {
        for (const c of lease.checks) {
          if (c.kind === 'concurrency') {
            const set = inflight.get(c.key);
            const expiresAt = set?.get(lease.requestId);
            if (expiresAt !== undefined && expiresAt < lease.expiresAt)
              set!.set(lease.requestId, lease.expiresAt);
          } else if (c.kind === 'budget') {
            const r = budgets.get(c.key)?.reservations.get(lease.requestId);
            if (r !== undefined && r.expiresAt < lease.expiresAt) r.expiresAt = lease.expiresAt;
          }
        }
      }
      return Promise.resolve();
    },
    release(checks, requestId) {
      // In process an admission always has its answer; the release serves the limiter's store-agnostic path.
      for (const c of checks) if (c.kind !== 'gcra') giveBack(c, requestId);
      return Promise.resolve();
    },
    budgetUsage(keys) {
      const now = Date.now();
      return Promise.resolve(
        keys.map((key) => {
          const b = budgets.get(key);
          if (b === undefined) return { used: 0, reserved: 0 };
          purge(b, now);
          return { used: b.used, reserved: b.reserved };
        }),
      );
    },
    close: () => Promise.resolve(),
  };
}
