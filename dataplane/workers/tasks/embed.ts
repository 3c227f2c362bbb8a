// Worker-thread entry of the embeddings pool: the model loads once per thread, at its first task; each task
// embeds one micro-batch of texts and returns the vectors packed in one Float32Array.
import { performance } from 'node:perf_hooks';
import { threadId, workerData } from 'node:worker_threads';
import {
  loadEmbeddingModel,
  type EmbeddingModel,
  type EmbeddingModelOptions,
} from '../../cache/embeddings/model.js';
import type { TaskEnvelope } from '../task-envelope.js';

export interface EmbedTask {
  readonly texts: readonly string[];
}

export interface EmbedResult {
  readonly dims: number;
  /** texts.length × dims floats, row after row. */
  readonly data: Float32Array;
  /** The worker thread that ran it (the service's start waits until every thread has answered once). */
  readonly thread: number;
}

// Loaded by the thread's first task, not when the thread starts: the service's warm-up lets one thread load
// first (with remote download on, it fetches the model into the shared cache folder) before the others read
// that folder. A load failure is kept and reported by every task.
let model: Promise<EmbeddingModel> | undefined;

export default async function embed(task: EmbedTask): Promise<TaskEnvelope<EmbedResult>> {
  model ??= loadEmbeddingModel(workerData as EmbeddingModelOptions);
  const loaded = await model;
  const start = performance.now();
  const data = await loaded.embed(task.texts);
  // Structured clone copies the vectors back: 1.5 KB per text, cheaper than arranging a transfer.
  return { value: { dims: loaded.dims, data, thread: threadId }, runMs: performance.now() - start };
}
