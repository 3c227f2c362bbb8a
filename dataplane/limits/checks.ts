// The checks one request must pass, as plain data both backends execute the same way: the Redis backend in
// one Lua script (atomic across replicas), the in-process backend in memory-store.ts.

export interface GcraCheck {
  kind: 'gcra';
  key: string;
  /** Allowed units per period (requests or tokens). */
  limit: number;
  periodMs: number;
  /** Units this request takes (1 for requests, reserved tokens for tokens). */
  cost: number;
  unit: 'requests' | 'tokens';
  scope: string;
}

export interface ConcurrencyCheck {
  kind: 'concurrency';
  key: string;
  limit: number;
  scope: string;
}

export interface BudgetCheck {
  kind: 'budget';
  key: string;
  limit: number;
  /** What the request reserves: prompt + completion upper bound (tokens, or nano-USD). */
  amount: number;
  /** Below this remaining amount the request is refused (the prompt alone does not fit). */
  minAmount: number;
  unit: 'tokens' | 'cost';
  period: 'day' | 'week' | 'month';
  /** Unix ms when the period ends; counters expire some time after. */
  endsAt: number;
  scope: string;
}

export type Check = GcraCheck | ConcurrencyCheck | BudgetCheck;

export interface GcraState {
  /** Units left in the window after this request. */
  remaining: number;
  /** Milliseconds until the window is full again. */
  resetMs: number;
}

export type Admission =
  | {
      ok: true;
      /** Granted reservation per budget unit (min over scopes); null when no budget of that unit applies. */
      grantedTokens: number | null;
      grantedCost: number | null;
      /** Per check index, for gcra checks. */
      gcra: (GcraState | null)[];
    }
  | {
      ok: false;
      /** Index of the failed check. */
      failed: number;
      retryAfterMs: number;
      /** Used (incl. reserved) and limit of the failed check, for the message. */
      used: number;
      limit: number;
    };

/** What a finished request reconciles: per check, the actual units (tokens or nano-USD). */
export interface Reconciliation {
  /** Actual tokens (prompt + completion) used. */
  tokens: number;
  /** Actual cost, nano-USD. */
  cost: number;
  /** Tokens reserved at admission for tpm checks. */
  reservedTokens: number;
  /**
   * What the admission granted per budget unit (Admission's grantedTokens/grantedCost): each budget check
   * reserved min(its amount, the grant of its unit), which a store may need to find the reservation again.
   */
  grantedTokens: number | null;
  grantedCost: number | null;
  /**
   * A repeat after an attempt that failed in transit: that attempt may have been applied anyway (Redis runs
   * what was written to it once it answers again). A store applies a repeat only if the request's concurrency
   * slot or budget reservation is still there, i.e. no earlier attempt removed it.
   */
  retry?: boolean;
  /**
   * Per check (tpm windows): when the window's state after the admission ran out (Ticket.reservedUntil). A give-back
   * is bounded by what of the reservation still lies ahead of `now`: the part behind it has aged out of the
   * window already, and giving it back again would admit twice the limit in a minute.
   */
  reservedUntil?: readonly (number | null)[];
}

/**
 * How far a count of whole units (requests, tokens) read off a window kept in Unix milliseconds may be off by
 * floating-point rounding: a timestamp near 1.8e12 holds ms to ≈ 2.4e-4, so 8 tokens at 0.6 ms each (100 000
 * tpm) read as 7.9999 remaining-side (floored to 7) or 8.0001 used-side (ceiled to 9) without it. Bounded by
 * half a unit: beyond that (limits of billions a minute) the count is approximate anyway.
 */
export function unitEpsilon(now: number, intervalMs: number): number {
  return Math.min(0.5, (Math.abs(now) * 8 * Number.EPSILON) / intervalMs);
}

/**
 * A running request's hold on its concurrency slots and budget reservations: renewed while the request runs,
 * so that only the holds of requests nobody will reconcile (a crashed replica) expire.
 */
export interface Lease {
  readonly checks: readonly Check[];
  readonly requestId: string;
  /** As in Reconciliation: what the admission granted, which makes the reservation's amount. */
  readonly grantedTokens: number | null;
  readonly grantedCost: number | null;
  /** The new expiry, epoch ms. */
  readonly expiresAt: number;
}

/** What an admission reserved for a budget check: min(asked, the grant of its unit), as the store computed it. */
export function reservedAmount(
  c: BudgetCheck,
  grantedTokens: number | null,
  grantedCost: number | null,
): number {
  const granted = c.unit === 'tokens' ? grantedTokens : grantedCost;
  return granted === null ? Math.round(c.amount) : Math.min(Math.round(c.amount), granted);
}

/**
 * How long a reconciliation of a request that holds only rate windows is retried through an outage: a tpm
 * window recovers within its minute anyway. The Redis store marks such a reconciliation as applied for
 * RATE_ONLY_MARK_MS (longer than any retry), so that a repeat of an attempt that timed out but ran counts nothing.
 */
export const RATE_ONLY_RETRY_MS = 10_000;
export const RATE_ONLY_MARK_MS = 30_000;

/** Milliseconds of window a tpm reconciliation moves its state by: bounded as Reconciliation.reservedUntil says. */
export function gcraAdjustMs(deltaMs: number, reservedUntil: number | null | undefined, now: number): number {
  if (deltaMs >= 0 || reservedUntil === null || reservedUntil === undefined) return deltaMs;
  return Math.max(deltaMs, -Math.max(0, reservedUntil - now));
}

/**
 * A store ran the operation and it failed for good (e.g. an error inside the Redis script): retrying cannot help
 * and, for a reconciliation whose first part was applied, could count usage twice.
 */
export class PermanentLimitError extends Error {
  override readonly name = 'PermanentLimitError';
}

/**
 * The store was sent the operation but never answered (a timeout): it may have run it, or may yet (Redis runs
 * what was written to it once it wakes). Unlike a refused or unsent command, an admission failing this way
 * has to be released.
 */
export class OutcomeUnknownError extends Error {
  override readonly name = 'OutcomeUnknownError';
}

/** Budget counters outlive their period by this much, for /v1/budgets and reports. */
export const BUDGET_RETENTION_MS = 35 * 24 * 3600 * 1000;

export interface LimitStore {
  admit(
    checks: readonly Check[],
    requestId: string,
    now: number,
    reservationTtlMs: number,
  ): Promise<Admission>;
  reconcile(checks: readonly Check[], requestId: string, now: number, actual: Reconciliation): Promise<void>;
  /**
   * Gives back what an admission whose outcome the gateway never learned (a timeout: the store may have run
   * it, or may yet) took for this request id: its concurrency slots and budget reservations, found by the id
   * (and the expiry the admission gave them: `admittedAt` + `reservationTtlMs`, the `now` and TTL it was sent
   * with), so that a release of an admission that never ran changes nothing. Rate windows are left as they are: they
   * are not kept per request, and they recover within their period. Safe to repeat.
   */
  release(
    checks: readonly Check[],
    requestId: string,
    admittedAt: number,
    reservationTtlMs: number,
  ): Promise<void>;
  /**
   * The store's own time, where replicas share one (Redis' clock): what admissions, reconciliations and budget
   * periods are counted in. Absent: this process's wall clock.
   */
  now?: () => number;
  /**
   * Undefined when `now` can be read; otherwise resolves when it can (a Redis store between a connection and
   * the first reading of that server's clock), within a bound. Read before every `now()` that goes to the store.
   */
  clockReady?: () => Promise<void> | undefined;
  /**
   * Moves the expiry of the leases' concurrency slots and budget reservations to their `expiresAt` (never
   * earlier), where they still exist: one that expired and was cleared meanwhile stays gone (its amount was
   * given back). Rate windows hold nothing per request.
   */
  renew(leases: readonly Lease[]): Promise<void>;
  /** Used + reserved of budget counters. */
  budgetUsage(keys: readonly string[]): Promise<{ used: number; reserved: number }[]>;
  close(): Promise<void>;
}
