// Reserve then reconcile: before the call, every applicable limit is checked and the prompt plus the
// completion upper bound reserved (one atomic store call); after it, actual usage replaces the reservation.
// Budgets are hierarchical because a request carries every scope it belongs to (user, key, app, team, global).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pricing } from '../config/schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import { createLogThrottle } from '../observability/log-throttle.js';
import type { Logger } from '../observability/logger.js';
import {
  OutcomeUnknownError,
  PermanentLimitError,
  RATE_ONLY_RETRY_MS,
  type BudgetCheck,
  type GcraCheck,
  type Check,
  type GcraState,
  type Lease,
  type LimitStore,
} from './checks.js';
import { formatReset } from './headers.js';
import { createPeriodClock, type Period } from './periods.js';
import type { LimitSpec, LimitsConfig } from './schema.js';

export interface LimitScope {
  /** Stable key part, e.g. `app:acme/web`. */
  id: string;
  /** For messages, e.g. "app 'web' of team 'acme'". */
  label: string;
  spec: LimitSpec;
}

export interface AdmitRequest {
  requestId: string;
  scopes: readonly LimitScope[];
  promptTokens: number;
  completionUpperBound: number;
  /** promptTokens comes from the model's context window (the prompt holds audio or files it cannot count). */
  promptIsContextWindow?: boolean;
  pricing: Pricing;
  /** Streams may be admitted with less than the full reservation and are cut at the allowance. */
  partialAllowed: boolean;
  /**
   * A call that generates nothing and bills nothing (a token count): only the request limits apply (rpm,
   * concurrency); token rates and budgets are neither checked nor touched.
   */
  requestOnly?: boolean;
}

export interface Ticket {
  readonly checks: readonly Check[];
  readonly reservedTokens: number;
  /** The admission's grant per budget unit (null: no budget of that unit applies). */
  readonly grantedTokens: number | null;
  readonly grantedCost: number | null;
  /** Completion tokens the budgets allow (null: no budget applies); below the upper bound, streams are cut there. */
  readonly completionAllowance: number | null;
  /** OpenAI-style x-ratelimit-* headers. */
  readonly headers: Record<string, string>;
  /** Admitted without the backend (fail-open): nothing to reconcile. */
  readonly degraded: boolean;
  /**
   * Per check, for token rate windows (tpm): when the window's state after this admission ran out (epoch ms).
   * A reconciliation gives back at most what of the reservation still lies ahead of it; the rest has aged out.
   */
  readonly reservedUntil: readonly (number | null)[];
}

export interface LimiterMetrics {
  backendError(
    phase: 'admit' | 'reconcile' | 'release' | 'renew' | 'usage',
    policy: 'open' | 'closed' | 'retry',
  ): void;
  rejected(kind: string): void;
}

export interface Limiter {
  admit(request: AdmitRequest): Promise<Ticket>;
  reconcile(ticket: Ticket, requestId: string, actual: { tokens: number; costNano: number }): Promise<void>;
  /** Resolves when every reconciliation started so far has finished (shutdown). */
  drain(): Promise<void>;
  /**
   * Renews the concurrency slots and budget reservations of the requests still running once a tick (a sixth
   * of `reservation_ttl_s`, 1 s to 60 s) has passed since their last renewal, so that only the holds of
   * requests nobody will reconcile (a crashed replica) expire. Runs every tick; exposed for tests.
   */
  renewLeases(): Promise<void>;
  /** Budget use per scope and period, for /v1/budgets and /admin/usage. */
  usage(scopes: readonly LimitScope[]): Promise<BudgetReport[]>;
}

export interface BudgetReport {
  scope: string;
  unit: 'tokens' | 'cost_usd';
  period: Period;
  period_id: string;
  used: number;
  reserved: number;
  limit: number;
  resets_at: string;
}

const MINUTE = 60_000;
const PERIODS: readonly Period[] = ['day', 'week', 'month'];
const PERIOD_WORD: Record<Period, string> = { day: 'Daily', week: 'Weekly', month: 'Monthly' };
const NANO_PER_USD = 1e9;

/** The keys of one scope's checks; budget keys are per period (index in PERIODS) and change with its window. */
interface ScopeKeys {
  rpm: string;
  tpm: string;
  cc: string;
  budgets: { windowId: string; tokens: string; cost: string }[];
}

/**
 * Longest a request's holds are renewed: past it they are left to expire, so that a request whose
 * reconciliation never comes (a bug) cannot hold a slot or a reservation forever.
 */
const MAX_LEASE_MS = 24 * 3600 * 1000;
/** How long shutdown waits for releases of unanswered admissions still retrying. */
const RELEASE_DRAIN_MS = 2000;
/** How long shutdown waits for reconciliations still retrying (their reservations expire after that). */
const RECONCILE_DRAIN_MS = 10_000;
/** Longest a reconciliation keeps retrying through an outage (and at most half the reservation TTL). */
const MAX_RECONCILE_RETRY_MS = 300_000;

/**
 * What a prompt token may cost at most, USD per million: Anthropic bills tokens written to its prompt cache
 * above plain input (1.25× or 2×), and which of the prompt's tokens are written is only known afterwards.
 */
function promptPrice(pricing: Pricing): number {
  return Math.max(pricing.input_per_mtok, pricing.cache_write_per_mtok ?? 0);
}

export function createLimiter(deps: {
  store: LimitStore;
  config: LimitsConfig;
  logger: Logger;
  metrics: LimiterMetrics;
  now?: () => number;
}): Limiter {
  const { store, config, logger, metrics } = deps;
  // A fake clock (tests) wins; otherwise the store's shared time, so that replicas agree on windows and periods.
  const now = deps.now ?? store.now ?? Date.now;
  const clock = createPeriodClock(config.timezone);
  const ttlMs = config.reservation_ttl_s * 1000;
  const reconcileHorizonMs = Math.min(ttlMs / 2, MAX_RECONCILE_RETRY_MS);
  /** Set when shutdown stops waiting for retries. */
  let stopRetrying = false;
  // One line a second at most (observability/log-throttle.ts).
  const backendLogAllowed = createLogThrottle(1);
  const pending = new Set<Promise<void>>();
  /** Releases of unanswered admissions: waited for at shutdown, but not past RELEASE_DRAIN_MS. */
  const releasing = new Set<Promise<void>>();
  /**
   * Running requests' holds, by ticket (removed when its reconciliation is over): what a renewal needs beyond
   * the ticket (its checks and grants), and until when the holds last.
   */
  const leases = new Map<Ticket, { requestId: string; admittedAt: number; expiresAt: number }>();
  let renewing: Promise<void> | undefined;
  // Every sixth of the TTL (1 s to 60 s): a hold is renewed once it is a tick old, so a renewal that fails has
  // at least three more ticks before the hold would expire (TTL ≥ 6 s).
  const renewEveryMs = Math.min(60_000, Math.max(1000, Math.floor(ttlMs / 6)));
  const renewTimer = setInterval(() => void renewLeases(), renewEveryMs);
  renewTimer.unref();
  const logBackend = (message: string, error: unknown) => {
    // Real elapsed time, not the limits' clock: that one can step back (to Redis' time from a replica clock
    // that runs ahead) and would silence the log.
    if (backendLogAllowed() === undefined) return;
    logger.error(message, { err: error });
  };

  // Check keys per scope, built once: resolved scopes are long-lived objects (scopes.ts caches them), so the
  // hot path reuses the same strings instead of formatting 11 keys per request. A WeakMap, so scopes dropped on
  // reload (and per-request user scopes) are collected with their keys.
  const scopeKeys = new WeakMap<LimitScope, ScopeKeys>();
  const keysOf = (scope: LimitScope): ScopeKeys => {
    let keys = scopeKeys.get(scope);
    if (keys === undefined) {
      keys = {
        rpm: `rpm:${scope.id}`,
        tpm: `tpm:${scope.id}`,
        cc: `cc:${scope.id}`,
        budgets: PERIODS.map(() => ({ windowId: '', tokens: '', cost: '' })),
      };
      scopeKeys.set(scope, keys);
    }
    return keys;
  };

  function checksFor(request: AdmitRequest, t: number): { checks: Check[]; owners: LimitScope[] } {
    const checks: Check[] = [];
    const owners: LimitScope[] = [];
    const reserved = request.promptTokens + request.completionUpperBound;
    // Nano-USD, once per request (the same for every scope), multiplied in the order the allowance below uses.
    const output = request.pricing.output_per_mtok;
    const promptCost = request.promptTokens * promptPrice(request.pricing) * 1000;
    const fullCost = Math.ceil(promptCost + request.completionUpperBound * output * 1000);
    const minCost = request.partialAllowed ? Math.ceil(promptCost + output * 1000) : fullCost;
    for (const scope of request.scopes) {
      const s = scope.spec;
      const keys = keysOf(scope);
      if (s.rpm !== undefined) {
        checks.push({
          kind: 'gcra',
          key: keys.rpm,
          limit: s.rpm,
          periodMs: MINUTE,
          cost: 1,
          unit: 'requests',
          scope: scope.id,
        });
        owners.push(scope);
      }
      if (s.tpm !== undefined && request.requestOnly !== true) {
        checks.push({
          kind: 'gcra',
          key: keys.tpm,
          limit: s.tpm,
          periodMs: MINUTE,
          cost: reserved,
          unit: 'tokens',
          scope: scope.id,
        });
        owners.push(scope);
      }
      if (s.concurrency !== undefined) {
        checks.push({ kind: 'concurrency', key: keys.cc, limit: s.concurrency, scope: scope.id });
        owners.push(scope);
      }
      if ((s.tokens === undefined && s.cost_usd === undefined) || request.requestOnly === true) continue;
      for (let p = 0; p < PERIODS.length; p++) {
        const period = PERIODS[p]!;
        const tokens = s.tokens?.[period];
        const usd = s.cost_usd?.[period];
        if (tokens === undefined && usd === undefined) continue;
        const window = clock(period, t);
        const budgetKeys = keys.budgets[p]!;
        if (budgetKeys.windowId !== window.id) {
          budgetKeys.windowId = window.id;
          budgetKeys.tokens = `bt:${scope.id}:${window.id}`;
          budgetKeys.cost = `bc:${scope.id}:${window.id}`;
        }
        if (tokens !== undefined) {
          checks.push({
            kind: 'budget',
            key: budgetKeys.tokens,
            limit: tokens,
            amount: reserved,
            minAmount: request.partialAllowed ? request.promptTokens + 1 : reserved,
            unit: 'tokens',
            period,
            endsAt: window.endsAt,
            scope: scope.id,
          });
          owners.push(scope);
        }
        if (usd !== undefined) {
          checks.push({
            kind: 'budget',
            key: budgetKeys.cost,
            limit: Math.round(usd * NANO_PER_USD),
            amount: fullCost,
            minAmount: minCost,
            unit: 'cost',
            period,
            endsAt: window.endsAt,
            scope: scope.id,
          });
          owners.push(scope);
        }
      }
    }
    return { checks, owners };
  }

  async function reconcileWithRetries(
    ticket: Ticket,
    requestId: string,
    actual: { tokens: number; costNano: number },
  ) {
    const payload = {
      tokens: actual.tokens,
      cost: actual.costNano,
      reservedTokens: ticket.reservedTokens,
      grantedTokens: ticket.grantedTokens,
      grantedCost: ticket.grantedCost,
      reservedUntil: ticket.reservedUntil,
    };
    // Usage must not be lost to an outage: retried in the background for up to half the reservation TTL (at
    // most 5 minutes), while the request's slot and reservation are still there to be found; each repeat is
    // applied only if no earlier attempt was (see Reconciliation.retry). Past that, the reservation expires.
    // A request with rate limits only holds nothing that outlives its window: retried while a tpm window
    // could still use the correction (the store marks it applied, so a repeat of an attempt that ran is a no-op).
    const holds = ticket.checks.some((c) => c.kind !== 'gcra');
    await withRetries(
      'reconcile',
      'limit reconciliation failed',
      { horizonMs: holds ? reconcileHorizonMs : Math.min(reconcileHorizonMs, RATE_ONLY_RETRY_MS) },
      async (attempt) => {
        await store.clockReady?.();
        return store.reconcile(
          ticket.checks,
          requestId,
          now(),
          attempt === 0 ? payload : { ...payload, retry: true },
        );
      },
    );
  }

  /**
   * Runs `op` until it succeeds, 100 ms · 2^n (at most 5 s) apart, for at most `attempts` tries or while the
   * next try would start within `horizonMs` of the first. A failure inside the store (not in transit) is final:
   * a script that raised midway has applied part of its work. At shutdown, drain() gives retries a bounded
   * time and then stops them (at their next wake-up, ≤ 5 s).
   */
  async function withRetries(
    phase: 'reconcile' | 'release',
    message: string,
    bound: { attempts: number } | { horizonMs: number },
    op: (attempt: number) => Promise<void>,
  ): Promise<void> {
    // Real elapsed time, not the limiter's clock (a test's fake one does not move while the retries sleep).
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await op(attempt);
        return;
      } catch (error) {
        const wait = Math.min(5000, 100 * 2 ** Math.min(attempt, 10));
        const last =
          error instanceof PermanentLimitError ||
          ('attempts' in bound
            ? attempt >= bound.attempts - 1
            : performance.now() + wait - started > bound.horizonMs);
        metrics.backendError(phase, last ? 'open' : 'retry');
        logBackend(message, error);
        if (last || stopRetrying) return;
        await sleep(wait);
        if (stopRetrying) return;
      }
    }
  }

  /**
   * After an admission failed in transit (a timeout, a dropped connection), the store may still run it (Redis
   * runs what was written to it once it answers again), and nothing would ever reconcile it: its concurrency
   * slots and reservations would stay taken until they expire (reservation_ttl_s). Releasing by request id is
   * safe to repeat and a no-op for an admission that never ran, so it is retried through a stall of ~15 s.
   */
  function releaseWithRetries(
    checks: readonly Check[],
    requestId: string,
    admittedAt: number,
  ): Promise<void> {
    return withRetries('release', 'release of an unanswered admission failed', { attempts: 8 }, () =>
      store.release(checks, requestId, admittedAt, ttlMs),
    );
  }

  function renewLeases(): Promise<void> {
    renewing ??= (async () => {
      const t = now();
      const due: { ticket: Ticket; lease: Lease }[] = [];
      for (const [ticket, held] of leases) {
        if (t - held.admittedAt > MAX_LEASE_MS) leases.delete(ticket);
        else if (held.expiresAt - t <= ttlMs - renewEveryMs) {
          const { checks, grantedTokens, grantedCost } = ticket;
          const lease = {
            checks,
            requestId: held.requestId,
            grantedTokens,
            grantedCost,
            expiresAt: t + ttlMs,
          };
          due.push({ ticket, lease });
        }
      }
      if (due.length === 0) return;
      try {
        await store.renew(due.map((d) => d.lease));
      } catch (error) {
        // Tried again at the next tick (see renewEveryMs).
        metrics.backendError('renew', 'retry');
        logBackend('renewal of running requests’ limit holds failed', error);
        return;
      }
      for (const { ticket, lease } of due) {
        const held = leases.get(ticket);
        if (held !== undefined) held.expiresAt = lease.expiresAt;
      }
    })().finally(() => {
      renewing = undefined;
    });
    return renewing;
  }

  return {
    renewLeases,
    async admit(request) {
      const waiting = store.clockReady?.();
      if (waiting !== undefined) await waiting;
      const t = now();
      const { checks, owners } = checksFor(request, t);
      const reservedTokens = request.promptTokens + request.completionUpperBound;
      if (checks.length === 0) return ungranted(checks, reservedTokens, false);
      // A request larger than a limit's whole capacity never fits: telling it to retry later would be a lie.
      for (let i = 0; i < checks.length; i++) {
        const c = checks[i]!;
        const needs = c.kind === 'gcra' ? c.cost : c.kind === 'budget' ? c.minAmount : 0;
        if (needs > c.limit && c.kind !== 'concurrency') {
          metrics.rejected(c.kind === 'gcra' ? c.unit : `budget_${c.unit}`);
          throw tooLarge(c, owners[i]!, request);
        }
      }
      let admission;
      try {
        admission = await store.admit(checks, request.requestId, t, ttlMs);
      } catch (error) {
        // Only an admission that may have run is released (a command refused or never sent did not).
        if (error instanceof OutcomeUnknownError && checks.some((c) => c.kind !== 'gcra')) {
          const task = releaseWithRetries(checks, request.requestId, t).finally(() => releasing.delete(task));
          releasing.add(task);
        }
        const closed = checks.some((c, i) => policyOf(owners[i]!.spec, c) === 'closed');
        metrics.backendError('admit', closed ? 'closed' : 'open');
        logBackend(`limit backend unavailable; limits fail ${closed ? 'closed' : 'open'}`, error);
        if (closed) {
          throw new GatewayError('limits_unavailable', 'Limits cannot be checked right now; retry shortly.', {
            headers: { 'retry-after': '1' },
            cause: error,
          });
        }
        return ungranted(checks, reservedTokens, true);
      }
      if (!admission.ok) {
        const check = checks[admission.failed]!;
        metrics.rejected(
          check.kind === 'gcra'
            ? check.unit
            : check.kind === 'budget'
              ? `budget_${check.unit}`
              : 'concurrency',
        );
        throw rejection(check, owners[admission.failed]!, admission);
      }
      let allowance: number | null = null;
      if (admission.grantedTokens !== null) allowance = admission.grantedTokens - request.promptTokens;
      if (admission.grantedCost !== null && request.pricing.output_per_mtok > 0) {
        const promptCost = request.promptTokens * promptPrice(request.pricing) * 1000;
        const byCost = Math.floor(
          (admission.grantedCost - promptCost) / (request.pricing.output_per_mtok * 1000),
        );
        allowance = allowance === null ? byCost : Math.min(allowance, byCost);
      }
      const ticket: Ticket = {
        checks,
        reservedTokens,
        grantedTokens: admission.grantedTokens,
        grantedCost: admission.grantedCost,
        completionAllowance: allowance,
        headers: rateHeaders(checks, admission.gcra),
        degraded: false,
        reservedUntil: checks.map((c, i) => {
          const state = admission.gcra[i];
          return c.kind === 'gcra' && c.unit === 'tokens' && state ? t + state.resetMs : null;
        }),
      };
      // Rate windows hold nothing per request; the store's renew() skips them.
      if (checks.some((c) => c.kind !== 'gcra')) {
        leases.set(ticket, { requestId: request.requestId, admittedAt: t, expiresAt: t + ttlMs });
      }
      return ticket;
    },

    reconcile(ticket, requestId, actual) {
      if (ticket.degraded || ticket.checks.length === 0) return Promise.resolve();
      // Renewed until the reconciliation is over: one retrying through an outage must still find its holds
      // (a renewal after it was applied is a no-op: the holds are gone).
      const task = reconcileWithRetries(ticket, requestId, actual).finally(() => {
        pending.delete(task);
        leases.delete(ticket);
      });
      pending.add(task);
      return task;
    },

    async drain() {
      clearInterval(renewTimer);
      // Reconciliations retrying through an outage get a bounded time; their reservations expire after.
      const deadline = sleep(RECONCILE_DRAIN_MS, undefined, { ref: false }).then(() => 'timeout' as const);
      while (pending.size > 0) {
        if ((await Promise.race([Promise.allSettled([...pending]), deadline])) === 'timeout') {
          stopRetrying = true;
          break;
        }
      }
      // Releases retry through a stall of ~15 s; shutdown gives them a moment, then their reservations expire.
      if (releasing.size > 0)
        await Promise.race([
          Promise.allSettled([...releasing]),
          sleep(RELEASE_DRAIN_MS, undefined, { ref: false }),
        ]);
    },
    async usage(scopes) {
      await store.clockReady?.();
      const t = now();
      const rows: Omit<BudgetReport, 'used' | 'reserved'>[] = [];
      const keys: string[] = [];
      for (const scope of scopes) {
        for (const period of PERIODS) {
          const window = clock(period, t);
          const tokens = scope.spec.tokens?.[period];
          if (tokens !== undefined) {
            keys.push(`bt:${scope.id}:${window.id}`);
            rows.push({
              scope: scope.id,
              unit: 'tokens',
              period,
              period_id: window.id,
              limit: tokens,
              resets_at: new Date(window.endsAt).toISOString(),
            });
          }
          const usd = scope.spec.cost_usd?.[period];
          if (usd !== undefined) {
            keys.push(`bc:${scope.id}:${window.id}`);
            rows.push({
              scope: scope.id,
              unit: 'cost_usd',
              period,
              period_id: window.id,
              limit: usd,
              resets_at: new Date(window.endsAt).toISOString(),
            });
          }
        }
      }
      let values;
      try {
        values = await store.budgetUsage(keys);
      } catch (error) {
        metrics.backendError('usage', 'closed');
        logBackend('limit backend unavailable; budgets cannot be read', error);
        throw new GatewayError('limits_unavailable', 'Budgets cannot be read right now; retry shortly.', {
          headers: { 'retry-after': '1' },
          cause: error,
        });
      }
      return rows.map((row, i) => {
        const scale = row.unit === 'cost_usd' ? NANO_PER_USD : 1;
        return { ...row, used: values[i]!.used / scale, reserved: values[i]!.reserved / scale };
      });
    },
  };
}

/** A ticket without a grant: nothing to check, or admitted without the backend (fail-open, `degraded`). */
function ungranted(checks: readonly Check[], reservedTokens: number, degraded: boolean): Ticket {
  return {
    checks,
    reservedTokens,
    grantedTokens: null,
    grantedCost: null,
    completionAllowance: null,
    headers: {},
    degraded,
    reservedUntil: [],
  };
}

function policyOf(spec: LimitSpec, check: Check): 'open' | 'closed' {
  return check.kind === 'budget' ? spec.on_backend_error.budget : spec.on_backend_error.rate;
}

/** What a request needs of a limit in its own units: requests or tokens, or the budget's tokens or dollars. */
function amountText(check: GcraCheck | BudgetCheck, amount: number): string {
  if (check.kind === 'gcra') return `${amount} ${check.unit}`;
  return check.unit === 'tokens' ? `${amount} tokens` : usd(amount);
}

/**
 * 429 without retry-after: the request alone takes more than the limit's whole capacity. The advice depends on
 * what the reservation is made of: a completion bound (an embeddings request has none, nor a max_tokens to
 * lower), or the model's context window (a prompt with audio or files, which no max_tokens shrinks).
 */
function tooLarge(check: GcraCheck | BudgetCheck, scope: LimitScope, request: AdmitRequest): GatewayError {
  const needs = check.kind === 'gcra' ? check.cost : check.minAmount;
  const generates = request.completionUpperBound > 0;
  const reserves = request.promptIsContextWindow
    ? "the model's context window, as the prompt holds audio or files whose tokens are not counted ahead"
    : generates
      ? 'prompt and max_tokens'
      : 'its input';
  const what =
    check.kind === 'gcra'
      ? `the limit of ${check.limit} ${check.unit} per minute`
      : `the whole ${PERIOD_WORD[check.period].toLowerCase()} ${check.unit === 'tokens' ? 'token' : 'cost'} budget (${amountText(check, check.limit)})`;
  return new GatewayError(
    check.kind === 'gcra' ? 'rate_limited' : 'budget_exceeded',
    `Request too large for ${scope.label}: it reserves ${amountText(check, needs)} ` +
      `(${reserves}), more than ${what}, so it can never be admitted. ` +
      (request.promptIsContextWindow
        ? `Raise the limit to at least ${amountText(check, needs)}, or send the content as text.`
        : generates
          ? 'Lower max_tokens or shorten the prompt.'
          : 'Send less input per request.'),
    // The same request will never fit: SDKs would otherwise retry it with backoff.
    { headers: { 'x-should-retry': 'false' } },
  );
}

function rejection(
  check: Check,
  scope: LimitScope,
  failure: { retryAfterMs: number; used: number; limit: number },
): GatewayError {
  const retrySeconds = Math.max(1, Math.ceil(failure.retryAfterMs / 1000));
  const headers: Record<string, string> = { 'retry-after': String(retrySeconds) };
  if (check.kind === 'gcra') {
    // OpenAI's headers on a 429 too, for the limit that refused: what is left of it, and when it is whole again.
    headers[`x-ratelimit-limit-${check.unit}`] = String(check.limit);
    headers[`x-ratelimit-remaining-${check.unit}`] = String(Math.max(0, check.limit - failure.used));
    headers[`x-ratelimit-reset-${check.unit}`] = formatReset(failure.used * (check.periodMs / check.limit));
    return new GatewayError(
      'rate_limited',
      `Rate limit reached for ${scope.label}: ${check.limit} ${check.unit} per minute. Retry after ${retrySeconds}s.`,
      { headers },
    );
  }
  if (check.kind === 'concurrency') {
    return new GatewayError(
      'rate_limited',
      `Too many requests in flight for ${scope.label} (${failure.used}/${failure.limit}).`,
      { headers },
    );
  }
  return budgetRejection(check, scope, failure, headers);
}

function budgetRejection(
  check: BudgetCheck,
  scope: LimitScope,
  failure: { used: number; limit: number },
  headers: Record<string, string>,
): GatewayError {
  const word = PERIOD_WORD[check.period];
  const amounts =
    check.unit === 'tokens'
      ? `${failure.used}/${failure.limit} tokens`
      : `${usd(failure.used)}/${usd(failure.limit)}`;
  // "(used/limit)" counts reservations of requests in flight; the request's own need says why it did not fit.
  return new GatewayError(
    'budget_exceeded',
    `${word} ${check.unit === 'tokens' ? 'token' : 'cost'} budget exceeded for ${scope.label} (${amounts}); ` +
      `this request reserves ${amountText(check, check.minAmount)}.`,
    // retry-after says when the period ends, hours or days away; the OpenAI and Anthropic SDKs would sleep
    // that long inside one call (their own timeout does not cover it). x-should-retry tells them not to.
    { headers: { ...headers, 'x-should-retry': 'false' } },
  );
}

/** Dollars with cents, or with enough digits to be readable below a cent. */
function usd(nano: number): string {
  const value = nano / NANO_PER_USD;
  return value >= 0.01 || value === 0 ? `$${value.toFixed(2)}` : `$${Number(value.toPrecision(3))}`;
}

function rateHeaders(
  checks: readonly Check[],
  states: readonly (GcraState | null)[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const unit of ['requests', 'tokens'] as const) {
    let best: { limit: number; state: GcraState } | undefined;
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i]!;
      const state = states[i];
      if (c.kind !== 'gcra' || c.unit !== unit || state === null || state === undefined) continue;
      if (best === undefined || state.remaining < best.state.remaining) best = { limit: c.limit, state };
    }
    if (best === undefined) continue;
    headers[`x-ratelimit-limit-${unit}`] = String(best.limit);
    headers[`x-ratelimit-remaining-${unit}`] = String(Math.max(0, best.state.remaining));
    headers[`x-ratelimit-reset-${unit}`] = formatReset(best.state.resetMs);
  }
  return headers;
}
