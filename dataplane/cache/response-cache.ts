// The cache's logic, independent of HTTP: look a request up (exact key, then the semantic index with
// verification), coalesce identical requests in flight, and store answers. Backend failures never fail a
// request: they count as misses (and in gateway_cache_backend_errors_total).
import { performance } from 'node:perf_hooks';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { CachedAnswer } from './answer.js';
import type { CacheBackend, Partition, PurgeFilter } from './backend.js';
import { TextTooLongError, type Embedder } from './embedder.js';
import { lastParagraphInput, prefetchText, type SemanticInput } from './long-prompt.js';
import { createPolicy, freshEnough, withPiiFindings, type CachePolicy, type PolicyInput } from './policy.js';
import { requestKeys, semanticText, type RequestKeys } from './request-key.js';
import type { CacheConfig } from './schema.js';
import { cacheTenant } from './tenant.js';
import { verifyMatch } from './verify/index.js';
import type { Abortable } from '../net/abortable.js';

export interface LookupInput extends PolicyInput {
  /** The request's signal: a client that leaves stops waiting for its embedding. */
  readonly signal: Abortable;
  /** This request's policy from `policy()`, when already decided: the lookup then adds only the PII count. */
  readonly policy?: CachePolicy;
}

export type CacheLayer = 'exact' | 'semantic';

export interface CacheHit {
  readonly layer: CacheLayer;
  readonly answer: CachedAnswer;
  /** Cosine similarity of a semantic hit. */
  readonly similarity?: number;
  /** Served from an identical request that was in flight. */
  readonly coalesced?: boolean;
}

export interface Lookup {
  readonly config: CacheConfig;
  readonly policy: CachePolicy;
  readonly tenant: string;
  readonly modelId: string;
  readonly keys: RequestKeys;
  readonly hit?: CacheHit;
  /** Nearest semantic neighbour's similarity (hit or not), for the record. */
  readonly nearest?: number;
  /** The last turn's embedding, reused when the answer is stored. */
  readonly vector?: Float32Array;
  /**
   * What that vector embeds and the partition it belongs in: the last user turn and its fingerprint, or, for a
   * turn longer than the model reads, its last paragraph (long-prompt.ts).
   */
  readonly semanticInput?: SemanticInput;
  /** The lookup found the last user turn too long to embed: the store does not try again. */
  readonly semanticSkipped?: true;
  /** Settles a coalescing group this request leads: call with the stored answer or undefined. */
  readonly release?: (answer: CachedAnswer | undefined) => void;
}

export interface ResponseCache {
  /**
   * The policy for a request before its analysis (PII unknown, taken as none): decided once per request by
   * the pipeline and handed to `prefetch` and `lookup`.
   */
  policy(config: CacheConfig, input: Omit<PolicyInput, 'piiFindings'>): CachePolicy;
  /**
   * Starts the embedding a semantic lookup of this request would need, while the stages before the lookup
   * (analysis, limits) run: the lookup then finds it done or under way. Only on an idle embedder (see
   * Embedder.prefetch), so a request refused by its limits or answered by the exact layer costs idle time only.
   * `policy` is the request's from `policy()`.
   */
  prefetch(config: CacheConfig, input: Omit<PolicyInput, 'piiFindings'>, policy: CachePolicy): void;
  /** undefined when the policy keeps this request away from the cache. */
  lookup(config: CacheConfig, input: LookupInput): Promise<Lookup | undefined>;
  /** Stores an answer after a miss; fire and forget (errors are counted, never thrown). */
  store(lookup: Lookup, answer: CachedAnswer): void;
  purge(filter: PurgeFilter): Promise<number>;
  sweep(): Promise<number>;
  readonly backend: CacheBackend;
}

export interface ResponseCacheOptions {
  backend: CacheBackend;
  /** Absent when the semantic layer was off at start: semantic lookups are skipped. */
  embedder: Embedder | undefined;
  /**
   * The embedder's vector space (embeddings/space.ts). Semantic partitions carry it, so vectors stored by
   * another model or build (a restart on a new model, replicas mid-upgrade) are never compared with ours.
   */
  space?: string | undefined;
  metrics: GatewayMetrics;
  logger: Logger;
}

/** How long the cache leaves a backend alone after it failed a command, milliseconds. */
export const BACKOFF_MS = 1_000;
/** After this long without a failure, an untried kind of read no longer holds the pause. */
const STALE_FAILURE_MS = 5 * BACKOFF_MS;

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { backend, embedder, metrics, logger } = options;
  const spaceOf = (fingerprint: string) =>
    options.space === undefined ? fingerprint : `${options.space}.${fingerprint}`;
  // A policy compiles a model matcher: one per config object, rebuilt when a reload brings a new one.
  const policies = new WeakMap<CacheConfig, ReturnType<typeof createPolicy>>();
  const policyFor = (config: CacheConfig) => {
    let policy = policies.get(config);
    if (policy === undefined) policies.set(config, (policy = createPolicy(config)));
    return policy;
  };
  // Identical requests in flight: tenant + exact key → the leader's answer.
  const inflight = new Map<string, Promise<CachedAnswer | undefined>>();

  // A backend that just failed a command (a stalled Redis answers nothing until the command timeout) is left
  // alone for BACKOFF_MS; then the first request to ask probes it, alone (the pause is renewed meanwhile). The
  // pause ends once a read of each kind that failed has answered (a fast GET does not vouch for a vector search
  // that times out), or any command answers when the failed kind has not been tried for a while (no request
  // may need it: writes are skipped while paused, and a request without a semantic lookup sends no search).
  // Embedding failures (a busy embedder) are not the backend's.
  let pausedUntil = 0;
  const failing = new Set<string>();
  let lastFailure = 0;
  /** Whether the backend may be used now, without claiming the probe (the prefetch only embeds). */
  const usable = () => backend.ready() && (pausedUntil === 0 || performance.now() >= pausedUntil);
  /** Whether this request may use the backend; after a pause, the first to ask is the probe. */
  const available = () => {
    if (!backend.ready()) return false;
    if (pausedUntil === 0) return true;
    const now = performance.now();
    if (now < pausedUntil) return false;
    pausedUntil = now + BACKOFF_MS;
    return true;
  };
  const answered = (op: string) => {
    failing.delete(op);
    if (failing.size > 0 && performance.now() - lastFailure < STALE_FAILURE_MS) return;
    failing.clear();
    pausedUntil = 0;
  };

  function failed(op: string, error: unknown) {
    metrics.cacheBackendErrors.inc({ op });
    if (op !== 'embed') {
      if (op === 'get' || op === 'search') failing.add(op);
      lastFailure = performance.now();
      pausedUntil = lastFailure + BACKOFF_MS;
    }
    logger.debug('cache failure; treated as a miss', { op, err: error });
  }

  function observe(layer: string, start: number) {
    metrics.cacheLookupSeconds.observe((performance.now() - start) / 1000, { layer });
  }

  async function follow(
    pending: Promise<CachedAnswer | undefined>,
    waitMs: number,
    signal: Abortable,
  ): Promise<CachedAnswer | undefined> {
    // A listener added to a signal that already fired never runs: a client already gone waits for nothing.
    if (signal.aborted) return undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const gaveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitMs);
      onAbort = () => resolve(undefined as undefined);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([pending, gaveUp]);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort!);
    }
  }

  function lead(key: string): (answer: CachedAnswer | undefined) => void {
    let settle!: (answer: CachedAnswer | undefined) => void;
    inflight.set(key, new Promise((resolve) => (settle = resolve)));
    let done = false;
    return (answer) => {
      if (done) return;
      done = true;
      inflight.delete(key);
      settle(answer);
    };
  }

  /** A vector; `too long` when the model cannot read the text whole; undefined when embedding failed. */
  async function embedText(text: string, signal?: Abortable): Promise<Float32Array | 'too long' | undefined> {
    try {
      return await embedder!.embed(text, signal);
    } catch (error) {
      if (error instanceof TextTooLongError) return 'too long';
      if (signal?.aborted !== true) failed('embed', error);
      return undefined;
    }
  }

  /**
   * Embeds the last user turn; one longer than the model reads is embedded by its last paragraph, in a
   * partition of its own head (long-prompt.ts), when the config says so. `skipped`: too long, whatever the
   * config allowed; undefined: the embedding failed (busy, aborted, a worker error).
   */
  async function embedSemantic(
    config: CacheConfig,
    input: SemanticInput,
    signal?: Abortable,
  ): Promise<{ input: SemanticInput; vector: Float32Array } | 'skipped' | undefined> {
    const whole = await embedText(input.text, signal);
    if (whole !== 'too long') return whole === undefined ? undefined : { input, vector: whole };
    const tail = config.semantic.long_prompts === 'last_paragraph' ? lastParagraphInput(input) : undefined;
    if (tail !== undefined) {
      const vector = await embedText(tail.text, signal);
      if (vector === undefined) return undefined;
      if (vector !== 'too long') {
        metrics.cacheLongPrompts.inc({ handling: 'last_paragraph' });
        return { input: tail, vector };
      }
    }
    metrics.cacheLongPrompts.inc({ handling: 'skipped' });
    return 'skipped';
  }

  async function semanticLookup(
    config: CacheConfig,
    policy: CachePolicy,
    partitionOf: (fingerprint: string) => Partition,
    semantic: SemanticInput,
    signal: Abortable,
  ): Promise<{
    hit?: CacheHit;
    nearest?: number;
    vector?: Float32Array;
    semanticInput?: SemanticInput;
    semanticSkipped?: true;
  }> {
    const embedded = await embedSemantic(config, semantic, signal);
    if (embedded === 'skipped') return { semanticSkipped: true };
    if (embedded === undefined) return {};
    const { vector, input } = embedded;
    const text = input.text;
    const partition = partitionOf(input.fingerprint);
    let candidates;
    try {
      candidates = await backend.search(partition, vector, config.semantic.candidates);
      answered('search');
    } catch (error) {
      failed('search', error);
      return { vector, semanticInput: input };
    }
    const nearest = candidates[0]?.similarity;
    for (const candidate of candidates) {
      if (candidate.similarity < policy.threshold) break;
      // Stored before texts the model cannot read whole were kept out; its match would be no better.
      if (candidate.prompt.length > config.embeddings.max_input_chars) continue;
      if (!freshEnough(policy, candidate.answer.storedAt)) continue;
      if (config.semantic.verify) {
        const verdict = verifyMatch(candidate.prompt, text);
        if (!verdict.ok) {
          metrics.cacheVerifyRejections.inc({ reason: verdict.reason });
          continue;
        }
      }
      return {
        hit: { layer: 'semantic', answer: candidate.answer, similarity: candidate.similarity },
        ...(nearest === undefined ? {} : { nearest }),
        vector,
        semanticInput: input,
      };
    }
    return { ...(nearest === undefined ? {} : { nearest }), vector, semanticInput: input };
  }

  return {
    backend,
    purge: (filter) => backend.purge(filter),
    sweep: () => backend.sweep(),
    policy: (config, input) => policyFor(config)({ ...input, piiFindings: undefined }),
    prefetch(config, input, policy) {
      // PII is not known yet (the analysis runs meanwhile): a prompt the lookup then keeps from the semantic
      // layer has been embedded for nothing, in memory only.
      if (embedder === undefined || !policy.lookup || !policy.semantic || !usable()) return;
      const turn = semanticText(input.body);
      const text = turn === undefined ? undefined : prefetchText(config, turn);
      if (text !== undefined && embedder.prefetch(text)) metrics.cacheEmbedPrefetches.inc();
    },
    async lookup(config, input) {
      const policy =
        input.policy === undefined
          ? policyFor(config)(input)
          : withPiiFindings(input.policy, input.piiFindings, config);
      if (!policy.lookup && !policy.store) {
        metrics.cacheLookups.inc({ result: 'skipped' });
        return undefined;
      }
      const start = performance.now();
      const tenant = cacheTenant(input.identity, config.scope);
      const keys = requestKeys(input.endpoint, input.modelId, input.body);
      const base = { config, policy, tenant, modelId: input.modelId, keys };
      const semantic = policy.semantic && embedder !== undefined ? keys.semantic : undefined;
      if (!policy.lookup) {
        metrics.cacheLookups.inc({ result: 'skipped' });
        return base;
      }
      if (!available()) {
        metrics.cacheLookups.inc({ result: 'bypassed' });
        return base;
      }
      if (config.exact.enabled) {
        try {
          const answer = await backend.getExact(tenant, input.modelId, keys.exact);
          answered('get');
          if (
            answer !== undefined &&
            answer.endpoint === input.endpoint &&
            freshEnough(policy, answer.storedAt)
          ) {
            metrics.cacheLookups.inc({ result: 'exact' });
            observe('exact', start);
            return { ...base, hit: { layer: 'exact', answer } };
          }
        } catch (error) {
          failed('get', error);
          metrics.cacheLookups.inc({ result: 'bypassed' });
          return base;
        }
      }
      // Checked and claimed with no await in between, so of identical requests exactly one leads; the others
      // wait for its answer. Claimed before the semantic lookup: a request arriving meanwhile follows too.
      const flightKey = `${tenant}\0${keys.exact}`;
      const pending = config.coalesce ? inflight.get(flightKey) : undefined;
      if (pending !== undefined) {
        const answer = await follow(pending, config.coalesce_wait_ms, input.signal);
        if (answer !== undefined) {
          metrics.cacheLookups.inc({ result: 'coalesced' });
          observe('coalesced', start);
          return { ...base, hit: { layer: 'exact', answer, coalesced: true } };
        }
      }
      const release =
        config.coalesce && policy.store && !inflight.has(flightKey) ? lead(flightKey) : undefined;
      if (semantic !== undefined) {
        const partitionOf = (fingerprint: string): Partition => ({
          tenant,
          model: input.modelId,
          fingerprint: spaceOf(fingerprint),
        });
        const found = await semanticLookup(config, policy, partitionOf, semantic, input.signal);
        observe(found.hit === undefined ? 'miss' : 'semantic', start);
        if (found.hit !== undefined) {
          release?.(undefined);
          metrics.cacheLookups.inc({ result: 'semantic' });
          return { ...base, ...found };
        }
        metrics.cacheLookups.inc({ result: 'miss' });
        return { ...base, ...found, ...(release === undefined ? {} : { release }) };
      }
      observe('miss', start);
      metrics.cacheLookups.inc({ result: 'miss' });
      return { ...base, ...(release === undefined ? {} : { release }) };
    },
    store(lookup, answer) {
      const { config, policy, tenant, modelId, keys } = lookup;
      lookup.release?.(answer);
      if (!policy.store || Buffer.byteLength(answer.body) > config.max_entry_bytes || !available()) return;
      const ttl = config.ttl_s;
      if (config.exact.enabled) {
        backend.setExact(tenant, modelId, keys.exact, answer, ttl).then(
          () => {
            answered('set');
            metrics.cacheStores.inc({ layer: 'exact' });
          },
          (error: unknown) => failed('set', error),
        );
      }
      const semantic = keys.semantic;
      if (!policy.semantic || semantic === undefined || embedder === undefined) return;
      const add = (input: SemanticInput, v: Float32Array) => {
        const partition = { tenant, model: modelId, fingerprint: spaceOf(input.fingerprint) };
        return backend.add(partition, keys.exact, v, input.text, answer, ttl).then(
          () => {
            answered('add');
            metrics.cacheStores.inc({ layer: 'semantic' });
          },
          (error: unknown) => failed('add', error),
        );
      };
      const { vector, semanticInput } = lookup;
      if (lookup.semanticSkipped === true) return;
      if (vector !== undefined && semanticInput !== undefined) void add(semanticInput, vector);
      // No-cache requests skipped the lookup (and a failed embedding left none), so embed it now.
      else
        void embedSemantic(config, semantic).then((embedded) => {
          if (embedded !== undefined && embedded !== 'skipped') return add(embedded.input, embedded.vector);
        });
    },
  };
}
