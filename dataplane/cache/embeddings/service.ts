// The embeddings service: one worker thread holding the model, fed by the micro-batching embedder.
// onnxruntime-node's native binding registers with Node once per process (it is not context-aware: a second
// worker thread that loads it gets "Module did not self-register"), so there is exactly one such thread per
// process, living as long as the process. A process running several gateways (tests) creates the service
// once and hands it to each of them, as it does with the one chDB client.
import type { Logger } from '../../observability/logger.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import { createWorkerPool, sibling } from '../../workers/pool.js';
import type { EmbedResult, EmbedTask } from '../../workers/tasks/embed.js';
import { createEmbedder, type Embedder } from '../embedder.js';
import type { EmbeddingsConfig } from '../schema.js';
import { resolveModelsDir, type EmbeddingModelOptions } from './model.js';

export interface EmbeddingService {
  /** The model id it runs. */
  readonly model: string;
  readonly embedder: Embedder;
  close(): Promise<void>;
}

/** Starts the worker and waits until the model has loaded and embedded once; rejects when it cannot. */
export async function startEmbeddingService(
  config: EmbeddingsConfig,
  deps: { metrics: GatewayMetrics; logger: Logger; env?: NodeJS.ProcessEnv },
): Promise<EmbeddingService> {
  const pool = createWorkerPool<EmbedTask, EmbedResult>({
    name: 'embeddings',
    module: sibling(import.meta.url, '../../workers/tasks/embed.js'),
    threads: 1,
    // Tasks are micro-batches, so this bounds batches, not texts (the embedder bounds texts).
    maxQueue: 16,
    // Two batches handed over at once: the thread starts the second as soon as the first is done, instead of
    // idling while the main thread receives the result and sends the next one (the model runs synchronously).
    concurrentTasksPerWorker: 2,
    // The thread holds the model and cannot be replaced within the process (see above): it never idles out.
    idleTimeoutMs: 2 ** 31 - 1,
    workerData: {
      model: config.model,
      modelsDir: resolveModelsDir(config.models_dir, deps.env),
      allowRemote: config.allow_remote,
      quantized: config.quantized,
      intraOpThreads: config.intra_op_threads,
      maxTokens: config.max_tokens,
    } satisfies EmbeddingModelOptions,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const embedder = createEmbedder({
    pool,
    concurrency: 2,
    maxBatch: config.max_batch,
    maxQueue: config.max_queue,
    maxInputChars: config.max_input_chars,
    lruEntries: config.lru_entries,
    metrics: deps.metrics,
  });
  try {
    // A download from the hub may take long; a provisioned model loads in about a second.
    await embedder.embed('warm up', AbortSignal.timeout(300_000));
  } catch (error) {
    await pool.close();
    // The pool wraps a worker's failure; the worker's own message says what is wrong.
    const reason = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    throw new Error(`the embedding model ${config.model} does not load: ${reason}`, { cause: error });
  }
  return { model: config.model, embedder, close: () => pool.close() };
}
