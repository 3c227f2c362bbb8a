// The one owner of a piscina pool: validated sizing, a bounded queue (full → 503 `overloaded`), the request's
// AbortSignal passed through (a queued task is dropped, a running one stops with its thread), crashed threads
// replaced by piscina without failing other tasks, and run/wait histograms on /metrics.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { TaskEnvelope } from './task-envelope.js';

export interface WorkerPoolOptions {
  /** Pool name in metrics and logs. */
  name: string;
  /** The worker module (a file URL), whose default export is a task made with defineTask(). */
  module: URL;
  /** Worker threads; 0 means one per core. */
  threads: number;
  /** Tasks that may wait for a thread; beyond that, 503 `overloaded`. */
  maxQueue: number;
  /** A thread idle this long exits (down to `minThreads`), milliseconds. */
  idleTimeoutMs: number;
  /** Threads kept alive while idle; default all. 0 starts threads only when tasks arrive. */
  minThreads?: number;
  /** Passed to every thread (node:worker_threads workerData), e.g. which model to load. */
  workerData?: unknown;
  /** Tasks handed to one thread at once (default 1); more lets an async task's thread start the next without a round trip. */
  concurrentTasksPerWorker?: number;
  metrics: GatewayMetrics;
  logger: Logger;
}

export interface WorkerPool<T, R> {
  /**
   * Runs a task. With a signal, aborting it drops the task from the queue or, if it runs, ends its thread
   * (piscina's rule); without one, the task always completes.
   */
  run(task: T, signal?: AbortSignal): Promise<R>;
  readonly threads: number;
  queueSize(): number;
  close(): Promise<void>;
}

/** Under tsx (tests, `npm run dev`) the sources are .ts; built, they are .js. */
export function sibling(base: string, relative: string): URL {
  const url = new URL(relative, base);
  if (base.endsWith('.ts')) url.pathname = url.pathname.replace(/\.js$/, '.ts');
  return url;
}

export function createWorkerPool<T, R>(options: WorkerPoolOptions): WorkerPool<T, R> {
  const threads = options.threads > 0 ? options.threads : availableParallelism();
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`worker threads must be ≥ 1, got ${threads}`);
  if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) {
    throw new Error(`worker max_queue must be an integer ≥ 0, got ${options.maxQueue}`);
  }
  const { metrics, logger, name } = options;
  const piscina = new Piscina<T, TaskEnvelope<R>>({
    filename: fileURLToPath(options.module),
    minThreads: Math.min(options.minThreads ?? threads, threads),
    ...(options.workerData === undefined ? {} : { workerData: options.workerData }),
    ...(options.concurrentTasksPerWorker === undefined
      ? {}
      : { concurrentTasksPerWorker: options.concurrentTasksPerWorker }),
    maxThreads: threads,
    // The bound is enforced below by our own count (piscina's own limit also counts threads it considers
    // still starting, which makes it loose); piscina's is only a backstop.
    maxQueue: options.maxQueue + threads,
    idleTimeout: options.idleTimeoutMs,
    // Our own run/wait measurement is cheaper than piscina's per-task histograms.
    recordTiming: false,
  });
  piscina.on('error', (error: unknown) => {
    metrics.workerFailures.inc({ pool: name });
    logger.error('worker thread failed; piscina replaces it', { pool: name, err: error });
  });
  metrics.registerPool(name, () => ({ queue: piscina.queueSize, threads: piscina.threads.length }));

  const capacity = threads + options.maxQueue;
  let pending = 0;
  const overloaded = () => {
    metrics.workerRejected.inc({ pool: name });
    return new GatewayError('overloaded', `The ${name} worker pool is saturated; retry shortly.`, {
      headers: { 'retry-after': '1' },
    });
  };

  return {
    threads,
    queueSize: () => piscina.queueSize,
    async run(task, signal) {
      if (pending >= capacity) throw overloaded();
      const start = performance.now();
      let envelope: TaskEnvelope<R>;
      pending += 1;
      try {
        envelope = await piscina.run(task, signal === undefined ? {} : { signal });
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        if ((error as Error | undefined)?.message === 'Task queue is at limit') throw overloaded();
        metrics.workerFailures.inc({ pool: name });
        throw new GatewayError('internal_error', undefined, { cause: error });
      } finally {
        pending -= 1;
      }
      const total = performance.now() - start;
      metrics.workerRun.observe(envelope.runMs / 1000, { pool: name });
      metrics.workerWait.observe(Math.max(0, total - envelope.runMs) / 1000, { pool: name });
      return envelope.value;
    },
    close: () => piscina.close(),
  };
}
