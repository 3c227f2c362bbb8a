// Embeddings for cache lookups, off the event loop. Micro-batching without a timer: a text is sent at once
// when a worker is free; while all are busy, texts queue and the next free worker takes up to `maxBatch`
// of them in one model call. Low load pays no batching delay, high load gets large batches (the model's
// cost per text falls steeply with batch size). An LRU keeps recent vectors (repeated prompts skip the
// model), identical texts are embedded once (waiting together, or asked again while their call runs), and a
// lookup's text may be started early on an idle worker (prefetch).
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { WorkerPool } from '../workers/pool.js';
import type { EmbedResult, EmbedTask } from '../workers/tasks/embed.js';
import type { Abortable } from '../net/abortable.js';

export interface EmbedderOptions {
  pool: WorkerPool<EmbedTask, EmbedResult>;
  /** Model calls in flight at once (a worker may be handed its next batch while it runs one). */
  concurrency: number;
  /** Worker threads: a prefetch needs a worker with nothing running (fewer calls in flight than this). */
  workers: number;
  maxBatch: number;
  /** Texts waiting; beyond, embed() rejects with EmbedderBusyError (the lookup becomes a miss). */
  maxQueue: number;
  maxInputChars: number;
  lruEntries: number;
  metrics?: GatewayMetrics;
}

export interface Embedder {
  embed(text: string, signal?: Abortable): Promise<Float32Array>;
  /**
   * Starts embedding `text` ahead of its lookup if a worker is free and nothing waits: a later embed() of the
   * same text joins it (or finds it in the LRU). Never queues behind real lookups, so it only uses idle time.
   * True when it started a model call.
   */
  prefetch(text: string): boolean;
}

export class EmbedderBusyError extends Error {
  override name = 'EmbedderBusyError';
}

/**
 * The text is longer than the model reads (max_input_chars, or max_tokens once tokenised). An embedding of its
 * beginning would match every text that begins the same way, whatever the rest asks, so such texts are not
 * embedded at all: the semantic layer does not apply to them (the exact layer still does).
 */
export class TextTooLongError extends Error {
  override name = 'TextTooLongError';
}

/** The model answers an all-zero row for a text its tokenizer had to cut (embeddings/model.ts). */
function isZero(vector: Float32Array): boolean {
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) return false;
  return true;
}

function settle(waiter: Waiter, vector: Float32Array): void {
  if (isZero(vector))
    waiter.reject(new TextTooLongError('the text is longer than the embedding model reads'));
  else waiter.resolve(vector);
}

interface Waiter {
  resolve(vector: Float32Array): void;
  reject(error: unknown): void;
}

export function createEmbedder(options: EmbedderOptions): Embedder {
  const lru = new Map<string, Float32Array>();
  // Texts waiting, each with everyone waiting for it (identical texts share one slot).
  const queue = new Map<string, Waiter[]>();
  // Texts in a model call now: an identical text asked meanwhile joins the call instead of queueing again.
  const embedding = new Map<string, Waiter[]>();
  let running = 0;

  function remember(text: string, vector: Float32Array) {
    if (options.lruEntries === 0) return;
    lru.delete(text);
    lru.set(text, vector);
    if (lru.size > options.lruEntries) lru.delete(lru.keys().next().value!);
  }

  function pump() {
    while (running < options.concurrency && queue.size > 0) {
      const batch: [string, Waiter[]][] = [];
      for (const entry of queue) {
        batch.push(entry);
        if (batch.length === options.maxBatch) break;
      }
      for (const [text, waiters] of batch) {
        queue.delete(text);
        embedding.set(text, waiters);
      }
      running += 1;
      options.metrics?.cacheEmbedBatch.observe(batch.length);
      options.pool
        .run({ texts: batch.map(([text]) => text) })
        .then(
          (result) => {
            batch.forEach(([text, waiters], i) => {
              const vector = result.data.slice(i * result.dims, (i + 1) * result.dims);
              embedding.delete(text);
              remember(text, vector);
              for (const w of waiters) settle(w, vector);
            });
          },
          (error: unknown) => {
            for (const [text, waiters] of batch) {
              embedding.delete(text);
              for (const w of waiters) w.reject(error);
            }
          },
        )
        .finally(() => {
          running -= 1;
          pump();
        });
    }
  }

  const embed = (text: string, signal?: Abortable): Promise<Float32Array> => {
    if (text.length > options.maxInputChars) {
      return Promise.reject(
        new TextTooLongError(`the text is longer than ${options.maxInputChars} characters`),
      );
    }
    const known = lru.get(text);
    if (known !== undefined) {
      lru.delete(text);
      lru.set(text, known);
      return new Promise((resolve, reject) => settle({ resolve, reject }, known));
    }
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const inCall = embedding.get(text);
    if (inCall !== undefined) {
      // Already in a model call: nothing to cancel (the call runs on), so a leaving client simply stops
      // mattering to it, as it does for texts already sent.
      return new Promise<Float32Array>((resolve, reject) => inCall.push({ resolve, reject }));
    }
    const waiting = queue.get(text);
    if (waiting === undefined && queue.size >= options.maxQueue) {
      return Promise.reject(new EmbedderBusyError('the embedding queue is full'));
    }
    return new Promise<Float32Array>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (waiting === undefined) queue.set(text, [waiter]);
      else waiting.push(waiter);
      // A client that leaves stops waiting; its text stays queued if others wait for it too.
      signal?.addEventListener(
        'abort',
        () => {
          const list = queue.get(text);
          if (list === undefined) return;
          const i = list.indexOf(waiter);
          if (i >= 0) list.splice(i, 1);
          if (list.length === 0) queue.delete(text);
          reject(signal.reason);
        },
        { once: true },
      );
      pump();
    });
  };

  return {
    embed,
    prefetch(text) {
      // A worker's second slot is for lookups: a prefetch must not make a real lookup wait behind it.
      if (running >= options.workers || queue.size > 0) return false;
      // Without the LRU a vector finished before its lookup asks would be lost: nothing to gain.
      if (options.lruEntries === 0) return false;
      if (text.length > options.maxInputChars || lru.has(text) || embedding.has(text)) return false;
      // Its failure is the lookup's to report, when the lookup asks again.
      embed(text).catch(() => undefined);
      return true;
    },
  };
}
