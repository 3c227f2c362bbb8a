// Builds one gateway from a validated config: runtime, pipelines, uWS app, listening socket, reload and
// graceful shutdown. No module state, so tests can run several gateways in one process.
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { us_listen_socket } from 'uWebSockets.js';
import type { RecordSink } from '../analytics/record.js';
import type { AnalyticsClient } from '../analytics/clickhouse.js';
import { anonymise, startRecorder } from '../analytics/recorder.js';
import { cleanRow, DEFAULT_LIMITS } from '../analytics/writer/clean-row.js';
import { freeUnderCostBudgets } from './config/cost-warnings.js';
import { limitsNeedBackend } from './config/limit-specs.js';
import { loadConfigFile } from './config/load.js';
import { GatewayError } from './errors/gateway-error.js';
import { restartOnlyChanges } from './config/restart-only.js';
import { buildRuntime, type Runtime, type RuntimeDeps } from './config/runtime.js';
import type { GatewayConfig } from './config/schema.js';
import { watchConfigFile } from './config/watch.js';
import { createUuidV7 } from './ids/uuidv7.js';
import { createGatewayMetrics, type GatewayMetrics } from './observability/gateway-metrics.js';
import { createLogger, type Logger } from './observability/logger.js';
import { buildPipelines } from './pipeline/pipelines.js';
import { createApp, type ServerState } from './server/app.js';
import { loadNativeUws, type Uws } from './server/uws.js';
import type { Analysis, AnalysisRequest } from './analysis/types.js';
import { createWorkerPool, sibling } from './workers/pool.js';
import { createLimiter } from './limits/limiter.js';
import { createMemoryStore } from './limits/memory-store.js';
import { createRedisStore } from './limits/redis-store.js';
import { startResponseCache } from './cache/start.js';
import type { EmbeddingService } from './cache/embeddings/service.js';
import type { Abortable } from './net/abortable.js';

/** uSockets' LIBUS_LISTEN_EXCLUSIVE_PORT (ListenOptions in uWS's types): bind without SO_REUSEPORT. */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;
/** A replica whose wall clock is further than this from the limits' Redis clock is logged (once per change). */
const CLOCK_WARNING_MS = 1000;

export interface GatewayOptions {
  config: GatewayConfig;
  /** The file the config came from; enables reload() without argument and watching. */
  configPath?: string;
  /** Watch configPath and reload on change. */
  watchConfig?: boolean;
  /** Override config.server.host / port (HOST and PORT environment variables, tests' port 0). */
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  sinks?: readonly RecordSink[];
  uws?: Uws;
  /** A warehouse client shared by several gateways of one process (chDB: one data directory per process). */
  analyticsClient?: AnalyticsClient;
  /** An embeddings service shared by several gateways of one process (tests: the model loads once). */
  embeddings?: EmbeddingService;
}

export interface Gateway {
  readonly host: string;
  readonly port: number;
  /** http://host:port */
  readonly url: string;
  readonly metrics: GatewayMetrics;
  runtime(): Runtime;
  /** Validates and applies a new config (from configPath when none is given); false and the old config stays on error. */
  reload(config?: GatewayConfig): Promise<boolean>;
  /** Stop listening, let in-flight requests finish (up to the grace period), close pools. */
  shutdown(graceMs?: number): Promise<void>;
}

async function warmUp(
  pool: { run(task: AnalysisRequest, signal?: Abortable): Promise<Analysis> },
  threads: number,
) {
  const task: AnalysisRequest = {
    endpoint: 'chat',
    body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'warm up' }] },
    upstreamModel: 'gpt-4o',
    provider: 'openai',
  };
  await Promise.all(Array.from({ length: threads }, () => pool.run(task, AbortSignal.timeout(60_000))));
}

/**
 * The default analysis thread count: one per core but one. The event loop needs a core of its own, and more
 * threads than that only split the same batches into smaller ones, each paying its hand-off (bench: on 2
 * cores, one thread added ≈ 70 µs per 1 KB request at c=50 and ≈ 145 µs at 1000 req/s, two ≈ 95 and ≈ 255).
 */
function analysisThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * @example
 * const gateway = await startGateway({ config: parseConfig({}, process.env), port: 0 });
 * await fetch(`${gateway.url}/v1/models`);
 * await gateway.shutdown();
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const uws = options.uws ?? loadNativeUws();
  const logger = options.logger ?? createLogger(options.config.logging.level);
  const metrics = createGatewayMetrics();
  const env = options.env ?? process.env;
  // Remote JWKS outlive a config: a reload during an identity provider outage keeps the keys already fetched.
  const runtimeDeps: RuntimeDeps = {
    jwksSets: new Map(),
    onJwksFetchFailed: (url, err) =>
      logger.warn('JWKS fetch failed; keys already fetched keep serving', { url, err }),
  };
  let runtime = buildRuntime(options.config, runtimeDeps);
  runtime.activate();
  const state: ServerState = { draining: false, onIdle: undefined, live: new Set() };
  const recorder = options.config.analytics.enabled
    ? await startRecorder(options.config.analytics, {
        registry: metrics.registry,
        logger,
        ...(options.analyticsClient === undefined ? {} : { client: options.analyticsClient }),
      })
    : undefined;
  const baseSinks: RecordSink[] = [
    ...(options.sinks ?? []),
    ...(recorder === undefined ? [] : [recorder.sink]),
  ];
  const accessLog: RecordSink[] = [];
  const sinks: RecordSink[] = [...baseSinks, ...accessLog];
  const applyLogging = (config: GatewayConfig) => {
    logger.setLevel(config.logging.level);
    accessLog.length = 0;
    // Bounded as the warehouse bounds its rows: a record holds what the client sent (a 1 MB model id, a
    // 60 KB path), and one log line must not carry all of it. The client's address as the warehouse keeps it
    // (analytics.client_ip: truncated by default), so that the log is no less private than the warehouse.
    const { client_ip: ipMode, client_ip_hash_key: ipKey } = config.analytics;
    if (config.logging.access_log)
      accessLog.push((record) =>
        logger.info('request', cleanRow(anonymise(record, ipMode, ipKey), DEFAULT_LIMITS).row),
      );
    sinks.length = 0;
    sinks.push(...baseSinks, ...accessLog);
  };
  applyLogging(options.config);
  const analysisPool = createWorkerPool<AnalysisRequest, Analysis>({
    name: 'analysis',
    module: sibling(import.meta.url, './workers/tasks/analyze.js'),
    threads: options.config.workers.threads || analysisThreads(),
    maxQueue: options.config.workers.max_queue,
    idleTimeoutMs: options.config.workers.idle_timeout_ms,
    // With analysis off (pass-through deployments) only /v1/analyze uses the pool: no idle threads for it.
    ...(options.config.analysis.enabled ? {} : { minThreads: 0 }),
    // Requests that reach the stage in the same turn of the event loop share one hand-off (pool.ts).
    batch: { maxItems: 64 },
    metrics,
    logger,
  });
  // Fail fast: a pool whose workers cannot load would otherwise leave requests waiting. The warm-up also
  // builds each thread's tokenizer (≈150 ms) before the first request instead of during it.
  await warmUp(analysisPool, options.config.analysis.enabled ? analysisPool.threads : 1).catch(
    async (error: unknown) => {
      await analysisPool.close();
      await recorder?.close();
      throw new Error(`the analysis worker pool does not start: ${(error as Error).message}`, {
        cause: error,
      });
    },
  );
  // The limit store lives as long as the gateway (counters must survive reloads); changing it needs a restart.
  const redisConfig = options.config.limits.redis;
  let lastClockWarning = 0;
  /** The last reading of Redis' clock failed (logged once until one succeeds). */
  let clockUnread = false;
  const redisStore =
    redisConfig === undefined
      ? undefined
      : createRedisStore({
          url: redisConfig.url,
          keyPrefix: redisConfig.key_prefix,
          commandTimeoutMs: redisConfig.command_timeout_ms,
          connectTimeoutMs: redisConfig.connect_timeout_ms,
          reconcileDelayMs: redisConfig.reconcile_delay_ms,
          onError: () => undefined,
          onClockSyncFailed: () => {
            if (clockUnread) return;
            clockUnread = true;
            logger.warn(
              "the limits' Redis did not answer TIME; limits keep the last offset read (with none, their fault policy)",
            );
          },
          onClockSync: (offsetMs, uncertaintyMs) => {
            clockUnread = false;
            metrics.limitClockOffset.set(offsetMs / 1000);
            // Harmless for the limits (they count in Redis' time), but a sign of a clock that is not
            // synchronised: logs, tokens' exp/nbf and records carry this replica's own time.
            if (
              Math.abs(offsetMs) > CLOCK_WARNING_MS &&
              Math.abs(offsetMs - lastClockWarning) > CLOCK_WARNING_MS
            ) {
              lastClockWarning = offsetMs;
              logger.warn(
                "this replica's clock differs from the limits' Redis clock; limits use Redis' time",
                {
                  offset_ms: Math.round(offsetMs),
                  uncertainty_ms: Math.round(uncertaintyMs * 1000) / 1000,
                },
              );
            }
          },
        });
  // Bounded (connect + command timeout): with Redis away the limits follow their fault policy until its clock
  // has been read (redis-store.ts).
  if (redisStore !== undefined && !(await redisStore.start()))
    logger.warn("the limits' Redis did not answer at start; limits follow their fault policy until it does");
  const limitStore = redisStore ?? createMemoryStore();
  const limiter = createLimiter({
    store: limitStore,
    config: options.config.limits,
    logger,
    metrics: {
      backendError: (phase, policy) => metrics.limitBackendErrors.inc({ phase, policy }),
      rejected: (kind) => metrics.limitRejections.inc({ kind }),
    },
  });
  // Like the limit store, the cache's backend and model live as long as the gateway; enabling it needs a restart.
  const startedCache = options.config.cache.enabled
    ? await startResponseCache(options.config.cache, {
        metrics,
        logger,
        env,
        ...(options.embeddings === undefined ? {} : { embeddings: options.embeddings }),
      }).catch(async (error: unknown) => {
        await analysisPool.close();
        await limitStore.close();
        await recorder?.close();
        throw error;
      })
    : undefined;
  const pipelines = buildPipelines({
    metrics,
    logger,
    sinks,
    ...(recorder?.bodySink === undefined
      ? {}
      : {
          bodies: { sinks: [recorder.bodySink], maxBytes: options.config.analytics.bodies.max_bytes },
        }),
    analysisPool,
    limiter,
    ...(startedCache === undefined ? {} : { cache: startedCache.cache }),
  });
  const app = createApp({
    uws,
    runtime: () => runtime,
    pipelines,
    metrics,
    logger,
    newId: createUuidV7(),
    recordsClientAddress: () => sinks.length > 0,
    state,
    // Redis down with every limit failing open: requests are still served (uncounted), so the replica stays
    // in rotation, reported degraded; a limit that fails closed makes it not ready.
    readinessChecks:
      redisStore === undefined
        ? []
        : [() => ({ name: 'redis', ok: redisStore.ready(), required: limitsNeedBackend(runtime.config) })],
  });

  const host = options.host ?? options.config.server.host;
  const wantedPort = options.port ?? options.config.server.port;
  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    // Exclusive: by default uSockets binds with SO_REUSEPORT, so a second gateway started on a port in use
    // would share it silently (the kernel splitting connections between old and new config) instead of failing.
    // uWS v20.30 takes (host, port, options, cb) though its types list options only without a host.
    const listen = app.listen.bind(app) as unknown as (
      host: string,
      port: number,
      options: number,
      cb: (socket: us_listen_socket | false) => void,
    ) => void;
    listen(host, wantedPort, LIBUS_LISTEN_EXCLUSIVE_PORT, (socket) => {
      if (socket === false) reject(new Error(`cannot listen on ${host}:${wantedPort} (in use?)`));
      else resolve(socket);
    });
  });
  const port = uws.us_socket_local_port(listenSocket);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('listening', { host, port, url, models: runtime.models.size });
  warnFreeModels(options.config);

  function warnFreeModels(config: GatewayConfig): void {
    const free = freeUnderCostBudgets(config);
    if (free.length > 0)
      logger.warn('models without pricing count $0 against cost budgets', { models: free });
  }

  async function reload(config?: GatewayConfig): Promise<boolean> {
    let next = config;
    try {
      if (next === undefined) {
        if (options.configPath === undefined) throw new Error('no config file to reload from');
        next = await loadConfigFile(options.configPath, env);
      }
      const previous = runtime;
      const built = buildRuntime(next, runtimeDeps);
      try {
        refuseSilentOpening(previous, built, next);
      } catch (error) {
        void built.retire();
        throw error;
      }
      runtime = built;
      built.activate();
      applyLogging(next);
      const restartOnly = restartOnlyChanges(options.config, next);
      if (restartOnly.length > 0) {
        logger.warn(
          'changed settings that apply at restart only; the process keeps the values it started with',
          {
            settings: restartOnly,
          },
        );
      }
      // In-flight requests keep the previous runtime; its pools close once the last of them is over.
      void previous.retire();
      metrics.configReloads.inc({ result: 'ok' });
      logger.info('config reloaded', { models: runtime.models.size, source: options.configPath ?? 'api' });
      warnFreeModels(next);
      return true;
    } catch (error) {
      metrics.configReloads.inc({ result: 'error' });
      logger.error('config reload rejected; the running config stays', { err: error });
      return false;
    }
  }

  const watcher =
    options.watchConfig === true && options.configPath !== undefined
      ? watchConfigFile(options.configPath, () => void reload())
      : undefined;
  // The file was read before start-up (seconds, with a cold warehouse or model) and is watched only from here:
  // a change in between (a revoked key) would wait for the next one. Read once more now, applied if it differs.
  if (watcher !== undefined) void catchUp(options.configPath!);

  async function catchUp(path: string): Promise<void> {
    let now: GatewayConfig;
    try {
      now = await loadConfigFile(path, env);
    } catch {
      // Broken meanwhile: the reload reads it again and logs why it is refused; the running config stays.
      if (stopping === undefined) await reload();
      return;
    }
    // Compared with what runs now (a reload may already have applied a newer edit), and applied by a reload
    // that reads the file again: a change after this read is never overwritten by it.
    if (stopping === undefined && !isDeepStrictEqual(now, runtime.config)) await reload();
  }

  let stopping: Promise<void> | undefined;
  function shutdown(graceMs = runtime.config.server.shutdown_grace_ms): Promise<void> {
    stopping ??= (async () => {
      watcher?.close();
      state.draining = true;
      uws.us_listen_socket_close(listenSocket);
      // Resolves when no request is in flight, or after `ms`, whichever comes first.
      const idleOr = (ms: number) =>
        new Promise<void>((resolve) => {
          if (state.live.size === 0) return resolve();
          const timer = setTimeout(resolve, ms);
          state.onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      logger.info('draining', { in_flight: state.live.size, grace_ms: graceMs });
      await idleOr(graceMs);
      if (state.live.size > 0) {
        logger.warn('grace period over; closing with requests in flight', { in_flight: state.live.size });
        // Told, not dropped: each ends with a 503 or a final SSE error event (shutting_down) and its record
        // says so, rather than a cut connection recorded as the client's abort. A moment for that to go out.
        const stopped = new GatewayError(
          'shutting_down',
          'The gateway shut down before this request finished (the end of its drain period).',
        );
        for (const exchange of state.live) exchange.stop(stopped);
        await idleOr(500);
      }
      // close() exists in uWS v20.30 but is missing from its type declarations; it drops idle keep-alive sockets.
      (app as typeof app & { close(): void }).close();
      await analysisPool.close();
      await startedCache?.close();
      await limiter.drain();
      await limitStore.close();
      // Last: every request above has been recorded by now.
      await recorder?.close();
      await runtime.close();
      logger.info('stopped');
    })();
    return stopping;
  }

  return {
    host,
    port,
    url,
    metrics,
    runtime: () => runtime,
    reload,
    shutdown,
  };
}

/**
 * A reload must not switch a gateway that requires credentials to one that lets anyone in without saying so:
 * under `anonymous: auto` a config with no teams, issuers or introspection is open, and a half-written file
 * (cut before `teams:`) or a removed last team looks just like that. Opening up is kept for a config that asks
 * for it (`auth.anonymous: allow`); the running config stays otherwise.
 */
function refuseSilentOpening(previous: Runtime, next: Runtime, config: GatewayConfig): void {
  if (previous.authenticator.anonymousAllowed || !next.authenticator.anonymousAllowed) return;
  if (config.auth.anonymous === 'allow') return;
  throw new Error(
    'this config would let anonymous callers in (no teams, JWT issuers or introspection left, and ' +
      "auth.anonymous is 'auto'), while the running one requires credentials; set auth.anonymous: allow " +
      'to open the gateway on purpose, or restart with this config',
  );
}
