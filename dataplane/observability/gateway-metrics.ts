// The gateway's metric set, one instance per gateway (tests run several gateways in one process).
import { isErrorCode } from '../errors/catalog.js';
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, Registry } from './metrics.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter;
  readonly errors: Counter;
  readonly duration: Histogram;
  readonly upstreamFirstByte: Histogram;
  readonly clientFirstByte: Histogram;
  readonly inFlight: Gauge;
  readonly tokens: Counter;
  readonly configReloads: Counter;
  readonly clientAborts: Counter;
  readonly workerRun: Histogram;
  readonly workerWait: Histogram;
  readonly workerFailures: Counter;
  readonly workerRejected: Counter;
  readonly analysisFindings: Counter;
  /** Requests a complexity router sent on, by router, class and target. */
  readonly routedRequests: Counter;
  readonly limitRejections: Counter;
  readonly limitBackendErrors: Counter;
  /** Redis' clock minus this replica's wall clock (limits count in Redis' time; see limits/shared-clock.ts). */
  readonly limitClockOffset: Gauge;
  readonly cacheLookups: Counter;
  readonly cacheVerifyRejections: Counter;
  /** Last user turns longer than the embedding model reads, by what the semantic layer did with them. */
  readonly cacheLongPrompts: Counter;
  readonly cacheStores: Counter;
  readonly cacheBackendErrors: Counter;
  readonly cacheEmbedBatch: Histogram;
  /** Embeddings started ahead of their lookup on an idle embedder (cache-prefetch stage). */
  readonly cacheEmbedPrefetches: Counter;
  /** Model loads by embeddings worker threads (at start, and by a thread that replaced a crashed one). */
  readonly cacheEmbedModelLoads: Counter;
  readonly cacheLookupSeconds: Histogram;
  /** What a request waited on a stage's own work (see STAGE_BUCKETS), by stage. */
  readonly stageSeconds: Histogram;
  /** Exposes a worker pool's queue depth and thread count, read at scrape time. */
  registerPool(name: string, read: () => { queue: number; threads: number }): void;
  /**
   * The `code` label of an error: ours, or the upstream's own (`insufficient_quota` and `rate_limit_exceeded`
   * call for different actions). An upstream chooses its codes, so they are bounded here: a code that is not a
   * plain identifier, or one past the first MAX_UPSTREAM_CODES distinct ones, counts as `upstream_error`.
   */
  errorCodeLabel(code: string): string;
}

/** Distinct upstream error codes kept as label values; a scrape stays small whatever upstreams send. */
export const MAX_UPSTREAM_CODES = 64;
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Stage wait buckets in seconds, 5 µs to 1 s: dense from 0.1 to 1 ms, where what a stage adds to a request's
 * tail is judged (0.3 and 0.5 ms are bounds, so "p99 ≤ 0.3 ms" is read from a bucket, not interpolated).
 */
export const STAGE_BUCKETS = [
  0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00015, 0.0002, 0.0003, 0.0004, 0.0005, 0.00075, 0.001,
  0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1, 1,
];

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const errorCodes = new Set<string>();
  const started = Date.now() / 1000;
  registry.register(
    new Gauge('process_start_time_seconds', 'Start time of the process (Unix seconds).', [], () => started),
  );
  registry.register(
    new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [], () =>
      process.memoryUsage.rss(),
    ),
  );
  const pools = new Map<string, () => { queue: number; threads: number }>();
  registry.register(
    new Gauge('gateway_worker_queue_size', 'Tasks waiting for a worker thread.', ['pool'], () =>
      [...pools].map(([pool, read]) => [{ pool }, read().queue] as const),
    ),
  );
  registry.register(
    new Gauge('gateway_worker_threads', 'Live worker threads.', ['pool'], () =>
      [...pools].map(([pool, read]) => [{ pool }, read().threads] as const),
    ),
  );
  /** Worker task latency buckets in seconds: 10 µs to 1 s. */
  const taskBuckets = [
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1,
  ];
  return {
    registry,
    stageSeconds: registry.register(
      new Histogram(
        'gateway_stage_seconds',
        "Time a request waited on a pipeline stage's own work: auth (authentication), analyze (the analysis " +
          "worker's answer), limits (admission), cache (lookup).",
        ['stage'],
        STAGE_BUCKETS,
      ),
    ),
    registerPool: (name, read) => {
      pools.set(name, read);
    },
    errorCodeLabel(code) {
      if (errorCodes.has(code) || isErrorCode(code)) return code;
      if (!IDENTIFIER.test(code) || errorCodes.size >= MAX_UPSTREAM_CODES) return 'upstream_error';
      errorCodes.add(code);
      return code;
    },
    workerRun: registry.register(
      new Histogram(
        'gateway_worker_task_run_seconds',
        'Time a task ran inside a worker thread.',
        ['pool'],
        taskBuckets,
      ),
    ),
    workerWait: registry.register(
      new Histogram(
        'gateway_worker_task_wait_seconds',
        'Round trip minus run time: queueing and message passing.',
        ['pool'],
        taskBuckets,
      ),
    ),
    workerFailures: registry.register(
      new Counter('gateway_worker_failures_total', 'Worker tasks or threads that failed.', ['pool']),
    ),
    workerRejected: registry.register(
      new Counter('gateway_worker_rejected_total', 'Tasks refused because the queue was full (503).', [
        'pool',
      ]),
    ),
    limitRejections: registry.register(
      new Counter('gateway_limit_rejections_total', 'Requests refused by a limit, by kind.', ['kind']),
    ),
    limitBackendErrors: registry.register(
      new Counter(
        'gateway_limit_backend_errors_total',
        'Limit backend (Redis) failures, by phase and the policy applied.',
        ['phase', 'policy'],
      ),
    ),
    limitClockOffset: registry.register(
      new Gauge(
        'gateway_limits_clock_offset_seconds',
        "The limits' Redis clock minus this replica's wall clock (limits count in Redis' time).",
      ),
    ),
    cacheLookups: registry.register(
      new Counter(
        'gateway_cache_lookups_total',
        'Cache lookups by result: exact, semantic, miss, coalesced, bypassed (backend away), skipped (policy).',
        ['result'],
      ),
    ),
    cacheVerifyRejections: registry.register(
      new Counter(
        'gateway_cache_verify_rejections_total',
        'Semantic neighbours above the threshold that verification rejected, by reason.',
        ['reason'],
      ),
    ),
    cacheLongPrompts: registry.register(
      new Counter(
        'gateway_cache_long_prompts_total',
        'Last user turns longer than the embedding model reads: embedded by their last paragraph, or skipped.',
        ['handling'],
      ),
    ),
    cacheStores: registry.register(
      new Counter('gateway_cache_stores_total', 'Answers stored, by layer.', ['layer']),
    ),
    cacheBackendErrors: registry.register(
      new Counter('gateway_cache_backend_errors_total', 'Cache backend or embedder failures, by operation.', [
        'op',
      ]),
    ),
    cacheEmbedPrefetches: registry.register(
      new Counter(
        'gateway_cache_embed_prefetches_total',
        'Embeddings started ahead of their semantic lookup, while the analysis and limits ran (idle embedder only).',
      ),
    ),
    cacheEmbedModelLoads: registry.register(
      new Counter(
        'gateway_cache_embed_model_loads_total',
        'Embedding model loads by worker threads, by outcome (a crashed thread is replaced and loads again).',
        ['outcome'],
      ),
    ),
    cacheEmbedBatch: registry.register(
      new Histogram(
        'gateway_cache_embed_batch_size',
        'Texts per embedding model call (micro-batching).',
        [],
        [1, 2, 4, 8, 16, 32, 64],
      ),
    ),
    cacheLookupSeconds: registry.register(
      new Histogram(
        'gateway_cache_lookup_seconds',
        'Time of a cache lookup (exact, then embedding, vector search and verification), by layer reached.',
        ['layer'],
        taskBuckets,
      ),
    ),
    analysisFindings: registry.register(
      new Counter(
        'gateway_analysis_findings_total',
        'Request analysis findings: PII by type, injection signals.',
        ['kind', 'type'],
      ),
    ),
    routedRequests: registry.register(
      new Counter(
        'gateway_routed_requests_total',
        'Requests a complexity router sent on, by router, complexity class and target model.',
        ['router', 'class', 'model'],
      ),
    ),
    requests: registry.register(
      new Counter('gateway_requests_total', 'Requests answered, by route, model and HTTP status.', [
        'route',
        'model',
        'status',
      ]),
    ),
    errors: registry.register(
      new Counter('gateway_request_errors_total', 'Requests that ended in an error, by error code.', [
        'route',
        'model',
        'code',
      ]),
    ),
    duration: registry.register(
      new Histogram(
        'gateway_request_duration_seconds',
        'Time from request received to response complete.',
        ['route', 'model', 'status'],
        LATENCY_BUCKETS,
      ),
    ),
    upstreamFirstByte: registry.register(
      new Histogram(
        'gateway_upstream_first_byte_seconds',
        'Time from upstream call start to upstream response headers.',
        ['route', 'model'],
        LATENCY_BUCKETS,
      ),
    ),
    clientFirstByte: registry.register(
      new Histogram(
        'gateway_time_to_first_byte_seconds',
        'Time from request received to the first response byte sent to the client.',
        ['route', 'model'],
        LATENCY_BUCKETS,
      ),
    ),
    inFlight: registry.register(new Gauge('gateway_in_flight_requests', 'Requests being handled now.')),
    tokens: registry.register(
      new Counter('gateway_tokens_total', 'Tokens used, by model and kind.', ['model', 'kind']),
    ),
    configReloads: registry.register(
      // Both results exist from the start at 0: an alert on increase(...{result="error"}) needs a sample from
      // before the first failed reload, or it never sees that one.
      withSeries(new Counter('gateway_config_reloads_total', 'Config reloads, by result.', ['result']), [
        { result: 'ok' },
        { result: 'error' },
      ]),
    ),
    clientAborts: registry.register(
      new Counter('gateway_client_aborts_total', 'Requests whose client disconnected before the end.', [
        'route',
      ]),
    ),
  };
}

function withSeries(counter: Counter, series: readonly Record<string, string>[]): Counter {
  for (const labels of series) counter.inc(labels, 0);
  return counter;
}
