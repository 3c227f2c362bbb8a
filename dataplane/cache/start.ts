// Builds the cache a gateway owns for its lifetime: the backend (Redis 8 or in-process), the embeddings
// service when the semantic layer is on (its own, or one shared by the process), and the background sweep.
// Start fails when the embedding model cannot load: a semantic cache never runs on anything but its model.
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { CacheBackend } from './backend.js';
import { startEmbeddingService, type EmbeddingService } from './embeddings/service.js';
import { createMemoryBackend } from './memory-backend.js';
import { createRedisBackend } from './redis-backend.js';
import { createResponseCache, type ResponseCache } from './response-cache.js';
import type { CacheConfig } from './schema.js';

export interface StartedCache {
  readonly cache: ResponseCache;
  close(): Promise<void>;
}

export async function startResponseCache(
  config: CacheConfig,
  deps: {
    metrics: GatewayMetrics;
    logger: Logger;
    env?: NodeJS.ProcessEnv;
    /** A service shared by the process; used when it runs the configured model. */
    embeddings?: EmbeddingService;
  },
): Promise<StartedCache> {
  const { metrics, logger } = deps;
  const semantic = config.semantic;
  let service: EmbeddingService | undefined;
  let ownService = false;
  if (semantic.enabled) {
    if (deps.embeddings !== undefined) {
      if (deps.embeddings.model !== config.embeddings.model) {
        throw new Error(
          `cache.embeddings.model is ${config.embeddings.model} but this process runs ${deps.embeddings.model} ` +
            '(one embedding model per process)',
        );
      }
      service = deps.embeddings;
    } else {
      service = await startEmbeddingService(config.embeddings, deps);
      ownService = true;
    }
  }
  const backend: CacheBackend =
    config.redis === undefined
      ? createMemoryBackend({
          maxEntries: config.memory.max_entries,
          maxBytes: config.memory.max_bytes,
          maxEntriesPerPartition: semantic.max_entries_per_partition,
        })
      : createRedisBackend({
          url: config.redis.url,
          keyPrefix: config.redis.key_prefix,
          commandTimeoutMs: config.redis.command_timeout_ms,
          connectTimeoutMs: config.redis.connect_timeout_ms,
          quantization: semantic.quantization,
          sweepMaxSets: semantic.sweep.max_sets,
          sweepMaxMembers: semantic.sweep.max_members,
          onError: () => metrics.cacheBackendErrors.inc({ op: 'connection' }),
        });
  const cache = createResponseCache({
    backend,
    embedder: service?.embedder,
    space: service?.space,
    metrics,
    logger,
  });
  // The in-process backend needs the sweep for its exact entries even without the semantic layer.
  const sweeping =
    semantic.enabled || backend.kind === 'memory'
      ? setInterval(() => {
          cache.sweep().then(
            (removed) => {
              if (removed > 0) logger.debug('cache sweep', { removed });
            },
            () => metrics.cacheBackendErrors.inc({ op: 'sweep' }),
          );
        }, semantic.sweep.interval_ms).unref()
      : undefined;
  logger.info('cache ready', {
    backend: backend.kind,
    semantic: service !== undefined,
    model: service?.model ?? null,
  });
  return {
    cache,
    async close() {
      clearInterval(sweeping);
      if (ownService) await service?.close();
      await backend.close();
    },
  };
}
