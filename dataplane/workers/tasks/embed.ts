// Worker-thread entry of the embeddings pool: the model loads once per thread; each task embeds one
// micro-batch of texts and returns the vectors packed in one Float32Array. Each load is reported to the
// service on a BroadcastChannel (its metric and log line).
import { performance } from 'node:perf_hooks';
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads';
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

export interface EmbedWorkerData extends EmbeddingModelOptions {
  /**
   * One Int32 in shared memory, set to 1 by the service once its warm-up is over: a thread that starts after
   * that (one replacing a crashed thread) loads the model at once instead of at its first task.
   */
  readonly warmed: Int32Array;
  /** Name of the BroadcastChannel on which every thread reports its model load. */
  readonly channel: string;
}

/** What a thread reports once its model load has settled. */
export interface ModelLoadReport {
  readonly thread: number;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

const options = workerData as EmbedWorkerData;

const load = (): Promise<EmbeddingModel> => {
  const start = performance.now();
  const loading = loadEmbeddingModel(options);
  const report = (outcome: { ok: boolean; error?: string }): void => {
    const channel = new BroadcastChannel(options.channel);
    channel.postMessage({
      thread: threadId,
      ms: performance.now() - start,
      ...outcome,
    } satisfies ModelLoadReport);
    channel.close();
  };
  void loading.then(
    () => report({ ok: true }),
    (error: unknown) => report({ ok: false, error: (error as Error).message }),
  );
  return loading;
};

// At start-up the service's warm-up lets one thread load first (with remote download on, it fetches the
// model into the shared cache folder, written in place) before the others read that folder, so those threads
// load at their first task. A replacement starts after the warm-up, when the folder is complete: it loads at
// once, before it tells piscina it is ready (below), so that a new lookup goes to a loaded thread rather than
// wait a second or more for the load. Not a guarantee under load: piscina hands batches queued in its own
// queue to a free thread whether or not it is ready yet, and those wait for the load (before, every batch
// after the crash did). A load left running in the background would not do: an idle piscina thread sleeps in
// Atomics.wait between tasks, and the load would not advance until the next task came. A failed load is kept
// and reported by every task. A replacement that itself dies while loading (before it is ready) makes piscina
// stop replacing threads at once; it then starts one when a task finds no thread free.
let model: Promise<EmbeddingModel> | undefined = Atomics.load(options.warmed, 0) === 1 ? load() : undefined;

async function embed(task: EmbedTask): Promise<TaskEnvelope<EmbedResult>> {
  model ??= load();
  const loaded = await model;
  const start = performance.now();
  const data = await loaded.embed(task.texts);
  // Structured clone copies the vectors back: 1.5 KB per text, cheaper than arranging a transfer.
  return { value: { dims: loaded.dims, data, thread: threadId }, runMs: performance.now() - start };
}

// piscina awaits a default export that is a promise for the task function before it marks the thread ready (a
// top-level await would do the same, but the CommonJS path tsx gives worker threads in tests has none).
export default model === undefined
  ? embed
  : model.then(
      () => embed,
      () => embed,
    );
