// Config of limits and budgets: the backend (Redis or in-process) and the limit specs that teams, apps, keys
// and users carry.
import { z } from 'zod';

/** Per-period budgets, calendar-aligned in `limits.timezone`: `amount` is a token count or USD. */
function periodBudgetSchema(amount: z.ZodNumber) {
  return z.strictObject({
    day: amount.optional(),
    week: amount.optional(),
    month: amount.optional(),
  });
}

/** Whether Intl knows the zone: an unknown one would only fail at the first budget check. */
function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const limitSpecSchema = z.strictObject({
  /** Requests per minute (GCRA: smooth, bursts up to the limit). */
  rpm: z.number().int().positive().optional(),
  /** Tokens per minute (prompt + reserved completion, reconciled with actual usage). */
  tpm: z.number().int().positive().optional(),
  /** Requests in flight at once. */
  concurrency: z.number().int().positive().optional(),
  /** Token budgets per period: whole tokens (counters are integers; a fraction would never be granted). */
  tokens: periodBudgetSchema(z.number().int().positive()).optional(),
  /** Cost budgets per period, USD (counted in nano-USD). */
  cost_usd: periodBudgetSchema(z.number().positive()).optional(),
  /** What to do when the limit backend (Redis) cannot answer: rate limits and budgets separately. */
  on_backend_error: z
    .strictObject({
      rate: z.enum(['open', 'closed']).default('open'),
      budget: z.enum(['open', 'closed']).default('closed'),
    })
    .prefault({}),
});

export const limitsConfigSchema = z.strictObject({
  /** Redis shares counters across replicas; without it the same limits run in this process only. */
  redis: z
    .strictObject({
      url: z.string().min(1),
      key_prefix: z.string().default('gw:'),
      /** A command slower than this counts as a backend failure, milliseconds. */
      command_timeout_ms: z.number().int().positive().default(250),
      connect_timeout_ms: z.number().int().positive().default(1000),
      /**
       * A finished request's reconciliation waits up to this long for the next admission to carry it (one round
       * trip per request instead of two), milliseconds; 0: no wait (one such call in flight at a time).
       */
      reconcile_delay_ms: z.number().int().min(0).max(1000).default(2),
    })
    .optional(),
  /** Time zone that budget periods (day, week from Monday, month) follow. */
  timezone: z
    .string()
    .refine(knownTimeZone, {
      error: (issue) => `unknown time zone "${String(issue.input)}" (an IANA name such as Europe/Berlin)`,
    })
    .default('UTC'),
  /**
   * A reservation of a request that never reconciled (crashed replica) expires after this, seconds; running
   * requests' holds are renewed (limiter.ts renewLeases), so it need not exceed the longest request.
   */
  reservation_ttl_s: z.number().int().positive().default(900),
  /** Limits for every identity, including anonymous. */
  global: limitSpecSchema.optional(),
});

export type LimitSpec = z.infer<typeof limitSpecSchema>;
export type LimitsConfig = z.infer<typeof limitsConfigSchema>;
