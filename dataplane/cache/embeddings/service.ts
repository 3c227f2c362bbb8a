// The embeddings service: `workers` threads, each holding its own session of the model, fed by the
// micro-batching embedder. The threads live as long as the service; a process running several gateways
// (tests) creates the service once and hands it to each of them, as it does with the one chDB client.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { BroadcastChannel } from 'node:worker_threads';
import type { Logger } from '../../observability/logger.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import { createWorkerPool, sibling, type WorkerPool } from '../../workers/pool.js';
import type { EmbedResult, EmbedTask, EmbedWorkerData, ModelLoadReport } from '../../workers/tasks/embed.js';
import { createEmbedder, type Embedder } from '../embedder.js';
import type { EmbeddingsConfig } from '../schema.js';
import { resolveModelsDir } from './model.js';
import { embeddingSpace } from './space.js';

export interface EmbeddingService {
  /** The model id it runs. */
  readonly model: string;
  /** Identity of the vectors it produces (model, fp32/int8, the graph's build): see space.ts. */
  readonly space: string;
  readonly embedder: Embedder;
  close(): Promise<void>;
}

/**
 * Batches handed to a worker thread at once: it starts the second as soon as the first is done, instead of
 * idling while the main thread receives the result and sends the next one (the model runs synchronously). The
 * pool holds that many per thread, and the embedder keeps that many per thread in flight.
 */
const BATCHES_PER_WORKER = 2;

/**
 * Returns once every worker thread has loaded the model and embedded a text. Each thread loads its own copy
 * at its first task; a lookup sent to a thread still loading would wait for it (a second or more), long
 * enough for a concurrent identical request to find the first one's answer already stored. Tasks with a
 * signal go to idle threads, so one round of `workers` tasks normally reaches them all; rounds repeat until
 * it has.
 */
async function warmUp(
  pool: WorkerPool<EmbedTask, EmbedResult>,
  workers: number,
  signal: AbortSignal,
): Promise<void> {
  // Every task of a round listens on the one deadline signal (Node warns past ten listeners).
  setMaxListeners(Math.max(10, workers + 1), signal);
  // One thread loads first: with remote download on, it fetches the model into the cache folder the others
  // then read (transformers.js writes that cache in place, so a concurrent reader could see half a file).
  const first = await pool.run({ texts: ['warm up'] }, signal);
  const answered = new Set<number>([first.thread]);
  for (let round = 0; answered.size < workers; round++) {
    if (round === 100) throw new Error(`only ${answered.size} of ${workers} embeddings workers answered`);
    const texts = Array.from({ length: workers }, (_, i) => `warm up ${round}.${i}`);
    const results = await Promise.all(texts.map((text) => pool.run({ texts: [text] }, signal)));
    for (const result of results) answered.add(result.thread);
  }
}

/** Starts the workers and waits until each has loaded the model and embedded once; rejects when one cannot. */
export async function startEmbeddingService(
  config: EmbeddingsConfig,
  deps: {
    metrics: GatewayMetrics;
    logger: Logger;
    env?: NodeJS.ProcessEnv;
    /** The threads' module: by default workers/tasks/embed; a test's fixture wraps it to crash a thread. */
    workerModule?: URL;
  },
): Promise<EmbeddingService> {
  if (config.workers > availableParallelism()) {
    // Each worker runs one model call at a time on one core: more workers than cores only add memory.
    deps.logger.warn('more embeddings workers than cores', {
      workers: config.workers,
      cores: availableParallelism(),
    });
  }
  const modelsDir = resolveModelsDir(config.models_dir, deps.env);
  // Threads started after the warm-up (replacing crashed ones) see this flag set and load the model at once.
  const warmed = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  // Each thread reports its model load here: a replacement's load (or its failure) is visible when it
  // happens, not only at the next lookup.
  const channelName = `ai-gateway-embeddings-${randomUUID()}`;
  const loads = new BroadcastChannel(channelName);
  loads.unref();
  loads.onmessage = (event: unknown) => {
    const report = (event as { data: ModelLoadReport }).data;
    deps.metrics.cacheEmbedModelLoads.inc({ outcome: report.ok ? 'loaded' : 'failed' });
    const fields = { thread: report.thread, ms: Math.round(report.ms), model: config.model };
    if (report.ok) deps.logger.info('embeddings worker loaded the model', fields);
    // At start-up the service's own error says it (the gateway does not start).
    else if (Atomics.load(warmed, 0) === 1)
      deps.logger.error('embeddings worker cannot load the model', { ...fields, reason: report.error });
  };
  const pool = createWorkerPool<EmbedTask, EmbedResult>({
    name: 'embeddings',
    module: deps.workerModule ?? sibling(import.meta.url, '../../workers/tasks/embed.js'),
    threads: config.workers,
    // Tasks are micro-batches, so this bounds batches, not texts (the embedder bounds texts).
    maxQueue: 16,
    concurrentTasksPerWorker: BATCHES_PER_WORKER,
    // A thread holds a loaded model (a second or so to load again): it never idles out.
    idleTimeoutMs: 2 ** 31 - 1,
    workerData: {
      model: config.model,
      modelsDir,
      allowRemote: config.allow_remote,
      quantized: config.quantized,
      intraOpThreads: config.intra_op_threads,
      maxTokens: config.max_tokens,
      warmed,
      channel: channelName,
    } satisfies EmbedWorkerData,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const embedder = createEmbedder({
    pool,
    concurrency: BATCHES_PER_WORKER * config.workers,
    workers: config.workers,
    maxBatch: config.max_batch,
    maxQueue: config.max_queue,
    maxInputChars: config.max_input_chars,
    lruEntries: config.lru_entries,
    metrics: deps.metrics,
  });
  try {
    // A download from the hub may take long; a provisioned model loads in about a second.
    await warmUp(pool, config.workers, AbortSignal.timeout(300_000));
    Atomics.store(warmed, 0, 1);
  } catch (error) {
    await pool.close();
    loads.close();
    // The pool wraps a worker's failure; the worker's own message says what is wrong.
    const reason = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    // The loader's own message already names the model and where it looked; others get the model's name here.
    const message = reason.startsWith(`embedding model ${config.model} `)
      ? `the ${reason}`
      : `the embedding model ${config.model} does not load: ${reason}`;
    throw new Error(message, { cause: error });
  }
  const space = embeddingSpace({ model: config.model, quantized: config.quantized, modelsDir });
  return {
    model: config.model,
    space,
    embedder,
    close: async () => {
      await pool.close();
      loads.close();
    },
  };
}
