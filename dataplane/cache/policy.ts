// Whether a request may be answered from the cache and whether its answer may be stored: config (enabled,
// models, per-app switch), the client's Cache-Control, and the parameters that make an answer one of many
// (temperature above the bound, n > 1). Semantic hits are stricter: a PII finding blocks them by default.
import type { Identity } from '../auth/identity.js';
import { compileModelPatterns, type ModelMatcher } from '../auth/model-matcher.js';
import type { CacheableEndpoint } from './answer.js';
import type { CacheConfig } from './schema.js';

export interface CachePolicy {
  /** Answer from the cache if possible. */
  readonly lookup: boolean;
  /** Store the answer. */
  readonly store: boolean;
  /** The semantic layer may be consulted after an exact miss. */
  readonly semantic: boolean;
  /** Similarity a semantic neighbour needs. */
  readonly threshold: number;
  /** The client's `Cache-Control: max-age`: an answer stored longer ago than this is not served. */
  readonly maxAgeMs?: number;
  /** Why nothing is cached, for logs and tests; undefined when something is. */
  readonly reason?: string;
}

export interface PolicyInput {
  readonly endpoint: CacheableEndpoint;
  readonly modelId: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly identity: Identity | undefined;
  readonly cacheControl: string | undefined;
  /** HTTP/1.0's `Pragma`, read only when there is no Cache-Control (RFC 9111, 5.4). */
  readonly pragma?: string | undefined;
  readonly piiFindings: number | undefined;
}

const OFF = (reason: string): CachePolicy => ({
  lookup: false,
  store: false,
  semantic: false,
  threshold: 1,
  reason,
});

/**
 * The `cache.apps` settings of the caller's app: those under `team/app`, field by field over those under the
 * bare app name (which apply to the apps of that name in every team: app names are unique only in a team).
 */
function appSettings(
  config: CacheConfig,
  identity: Identity | undefined,
): CacheConfig['apps'][string] | undefined {
  const app = identity?.app;
  if (app === null || app === undefined) return undefined;
  const bare = Object.hasOwn(config.apps, app) ? config.apps[app] : undefined;
  const team = identity!.team;
  const key = team === null ? undefined : `${team}/${app}`;
  const qualified = key !== undefined && Object.hasOwn(config.apps, key) ? config.apps[key] : undefined;
  return qualified === undefined ? bare : { ...bare, ...qualified };
}

/** Compiled once per config: the model matcher is built here, not per request. */
export function createPolicy(config: CacheConfig): (input: PolicyInput) => CachePolicy {
  const models: ModelMatcher = compileModelPatterns(config.models);
  return (input) => {
    if (!config.enabled) return OFF('cache disabled');
    if (!models.matches(input.modelId)) return OFF('model not cached');
    // A token that names no team has no tenant of its own: `-` is the anonymous tenant, shared by every
    // anonymous caller and every such token of any issuer. Its answers are neither served nor stored.
    const identity = input.identity;
    if (identity !== undefined && identity.method !== 'anonymous' && identity.team === null)
      return OFF('no team to keep the answer in');
    const appConfig = appSettings(config, identity);
    if (appConfig?.enabled === false) return OFF('cache disabled for this app');
    const directives = parseCacheControl(input.cacheControl);
    // `max-age=N` accepts answers stored at most N seconds ago (RFC 9111, 5.2.1.1); `max-age=0` none at all,
    // so the lookup is skipped, as for no-cache. A malformed value is ignored, as the RFC asks.
    const maxAge = maxAgeSeconds(directives.get('max-age'));
    const lookup =
      !directives.has('no-cache') &&
      maxAge !== 0 &&
      !(input.cacheControl === undefined && parseCacheControl(input.pragma).has('no-cache'));
    const store = !directives.has('no-store');
    if (!lookup && !store) return OFF('cache-control: no-cache, no-store');
    const body = input.body;
    const n = typeof body.n === 'number' ? body.n : 1;
    if (n !== 1) return OFF('n > 1');
    // Absent means the provider default, 1 for both OpenAI and Anthropic: a sampled answer, one of many.
    const temperature = typeof body.temperature === 'number' ? body.temperature : 1;
    if (temperature > config.max_temperature)
      return OFF(`temperature ${temperature} > ${config.max_temperature}`);
    const policy: CachePolicy = {
      lookup,
      store,
      semantic: config.semantic.enabled,
      threshold: appConfig?.semantic_threshold ?? config.semantic.threshold,
      ...(maxAge === undefined ? {} : { maxAgeMs: maxAge * 1000 }),
    };
    return withPiiFindings(policy, input.piiFindings, config);
  };
}

/**
 * A policy decided before the analysis (PII unknown, taken as none) once the analysis has counted PII: a
 * finding keeps the request from the semantic layer unless `semantic.allow_pii`. The exact layer is unaffected.
 */
export function withPiiFindings(
  policy: CachePolicy,
  piiFindings: number | undefined,
  config: CacheConfig,
): CachePolicy {
  if (!policy.semantic || config.semantic.allow_pii || (piiFindings ?? 0) === 0) return policy;
  return { ...policy, semantic: false };
}

function maxAgeSeconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

/** Whether a stored answer is young enough for the policy's max-age (always, without one). */
export function freshEnough(policy: CachePolicy, storedAt: number, now = Date.now()): boolean {
  return policy.maxAgeMs === undefined || now - storedAt <= policy.maxAgeMs;
}

/** Directives by lower-cased name, with their values (unquoted): no-cache, no-store and max-age are read. */
export function parseCacheControl(header: string | undefined): ReadonlyMap<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (header === undefined || header === '') return out;
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    // A quoted value means the same as the bare one (max-age="0").
    const value =
      eq < 0
        ? undefined
        : part
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    out.set(name, value);
  }
  return out;
}
