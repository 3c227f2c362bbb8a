// The one owner of a piscina pool: validated sizing, a bounded queue (full → 503 `overloaded`), the request's
// AbortSignal passed through (a queued task is dropped, a running one stops with its thread), crashed threads
// replaced by piscina without failing other tasks, and run/wait histograms on /metrics. Optionally batching:
// tasks that arrive in the same turn of the event loop are shared by the free threads, one message each
// (see `batch`).
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { SettledTask, TaskEnvelope } from './task-envelope.js';
import type { Abortable } from '../net/abortable.js';

export interface WorkerPoolOptions {
  /** Pool name in metrics and logs. */
  name: string;
  /** The worker module (a file URL), whose default export is a task made with defineTask(). */
  module: URL;
  /** Worker threads, ≥ 1 (the caller picks the default: the analysis pool's depends on the cores). */
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
  /**
   * Batching, for short tasks whose hand-off costs more than the work: a task is queued, and at the end of
   * the current turn of the event loop (setImmediate) the queue is shared evenly by the free threads, up to
   * `maxItems` per message; while every thread is busy, tasks wait and leave together when one is free. A hand-off
   * wakes the thread and, on the way back, the event loop; one per batch instead of one per task. The
   * module must export defineBatchTask(). A task with a signal is sent alone, so that aborting it ends only
   * its own thread's work.
   */
  batch?: { maxItems: number };
  metrics: GatewayMetrics;
  logger: Logger;
}

export interface WorkerPool<T, R> {
  /**
   * Runs a task. With a signal, aborting it drops the task from the queue or, if it runs, ends its thread
   * (piscina's rule); without one, the task always completes.
   */
  run(task: T, signal?: Abortable): Promise<R>;
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
  const threads = options.threads;
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`worker threads must be ≥ 1, got ${threads}`);
  if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) {
    throw new Error(`worker max_queue must be an integer ≥ 0, got ${options.maxQueue}`);
  }
  const { metrics, logger, name } = options;
  // Tasks the threads hold at once: one each, or concurrentTasksPerWorker each (the embeddings pool hands
  // every thread two batches). The bound of tasks in the pool is that plus the queue.
  const running = threads * (options.concurrentTasksPerWorker ?? 1);
  // One piscina for either mode; a batching pool sends T[] and receives SettledTask<R>[].
  const piscina = new Piscina<unknown, unknown>({
    filename: fileURLToPath(options.module),
    minThreads: Math.min(options.minThreads ?? threads, threads),
    ...(options.workerData === undefined ? {} : { workerData: options.workerData }),
    ...(options.concurrentTasksPerWorker === undefined
      ? {}
      : { concurrentTasksPerWorker: options.concurrentTasksPerWorker }),
    maxThreads: threads,
    // The bound is enforced below by our own count (piscina's own limit also counts threads it considers
    // still starting, which makes it loose); piscina's is only a backstop.
    maxQueue: options.maxQueue + running,
    idleTimeout: options.idleTimeoutMs,
    // Our own run/wait measurement is cheaper than piscina's per-task histograms.
    recordTiming: false,
  });
  piscina.on('error', (error: unknown) => {
    metrics.workerFailures.inc({ pool: name });
    logger.error('worker thread failed; piscina replaces it', { pool: name, err: error });
  });

  const capacity = running + options.maxQueue;
  let pending = 0;
  /** Tasks sent to piscina on their own (runAlone), each holding a thread while it runs. */
  let aloneRunning = 0;
  const overloaded = () => {
    metrics.workerRejected.inc({ pool: name });
    return new GatewayError('overloaded', `The ${name} worker pool is saturated; retry shortly.`, {
      headers: { 'retry-after': '1' },
    });
  };

  const observe = (start: number, runMs: number): void => {
    metrics.workerRun.observe(runMs / 1000, { pool: name });
    metrics.workerWait.observe(Math.max(0, performance.now() - start - runMs) / 1000, { pool: name });
  };
  const failed = (error: unknown, signal?: Abortable): unknown => {
    if (signal?.aborted === true) return signal.reason;
    if ((error as Error | undefined)?.message === 'Task queue is at limit') return overloaded();
    metrics.workerFailures.inc({ pool: name });
    return new GatewayError('internal_error', undefined, { cause: error });
  };
  const settled = (outcome: SettledTask<R>): R => {
    if (outcome.ok) return outcome.value;
    metrics.workerFailures.inc({ pool: name });
    throw new GatewayError('internal_error', undefined, { cause: new Error(outcome.error) });
  };

  /** One piscina task: a plain one, or a batch of one (a task with a signal in a batching pool). */
  const runAlone = async (task: T, signal: Abortable | undefined): Promise<R> => {
    const start = performance.now();
    pending += 1;
    aloneRunning += 1;
    try {
      const input = options.batch === undefined ? task : [task];
      const reply = await piscina.run(input, signal === undefined ? {} : { signal });
      if (options.batch === undefined) {
        const envelope = reply as TaskEnvelope<R>;
        observe(start, envelope.runMs);
        return envelope.value;
      }
      const [outcome] = reply as SettledTask<R>[];
      observe(start, outcome!.runMs);
      return settled(outcome!);
    } catch (error) {
      throw error instanceof GatewayError ? error : failed(error, signal);
    } finally {
      pending -= 1;
      aloneRunning -= 1;
      // Its thread is free for the batches waiting (if any).
      if (queue.length > 0) flush();
    }
  };

  interface Queued {
    task: T;
    start: number;
    resolve(value: R): void;
    reject(error: unknown): void;
  }
  // Batching state: tasks waiting for a thread, batches in flight (at most one per thread, so that a batch
  // never waits inside piscina while tasks that could have joined it wait here), and the end-of-turn flush.
  const queue: Queued[] = [];
  // Tasks waiting in the batch queue count too: with batching on, piscina's own queue is nearly always empty.
  metrics.registerPool(name, () => ({
    queue: piscina.queueSize + queue.length,
    threads: piscina.threads.length,
  }));
  let batchesInFlight = 0;
  let flushScheduled = false;
  const maxItems = Math.max(1, options.batch?.maxItems ?? 1);

  /** The tasks of a failed batch, one after another, each as a batch of one. */
  const retryAlone = async (items: Queued[]): Promise<void> => {
    for (const item of items) {
      try {
        const [outcome] = (await piscina.run([item.task])) as SettledTask<R>[];
        observe(item.start, outcome!.runMs);
        item.resolve(settled(outcome!));
      } catch (error) {
        item.reject(error instanceof GatewayError ? error : failed(error));
      }
    }
  };

  const flush = (): void => {
    flushScheduled = false;
    // A task sent alone (with a signal) holds a thread too: batches wait here for one that nothing holds, so
    // that a batch never queues inside piscina while tasks that could have joined it wait here.
    while (batchesInFlight + aloneRunning < threads && queue.length > 0) {
      // What waits is shared evenly by the free threads (up to maxItems each): one batch taking it all
      // would leave the other threads idle while its thread works through it.
      const free = threads - batchesInFlight - aloneRunning;
      const items = queue.splice(0, Math.min(maxItems, Math.ceil(queue.length / free)));
      batchesInFlight += 1;
      piscina
        .run(items.map((item) => item.task))
        .then(
          (reply) => {
            const outcomes = reply as SettledTask<R>[];
            items.forEach((item, i) => {
              const outcome = outcomes[i]!;
              observe(item.start, outcome.runMs);
              try {
                item.resolve(settled(outcome));
              } catch (error) {
                item.reject(error);
              }
            });
          },
          (error: unknown) => {
            const reason = failed(error);
            // piscina refused (full) or the batch was one task: nothing to separate.
            if (items.length === 1 || (reason instanceof GatewayError && reason.code === 'overloaded')) {
              for (const item of items) item.reject(reason);
              return undefined;
            }
            // The thread died (or the message could not be sent) and which task did it is unknown: each
            // task of the batch runs again alone, so that only one that kills a thread again fails and its
            // batch-mates are answered. The batch stays in flight meanwhile, so new batches wait behind.
            return retryAlone(items);
          },
        )
        .finally(() => {
          pending -= items.length;
          batchesInFlight -= 1;
          flush();
        });
    }
  };

  return {
    threads,
    queueSize: () => piscina.queueSize + queue.length,
    run(task, signal) {
      if (pending >= capacity) return Promise.reject(overloaded());
      if (options.batch === undefined || signal !== undefined) return runAlone(task, signal);
      pending += 1;
      return new Promise<R>((resolve, reject) => {
        queue.push({ task, start: performance.now(), resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    close: () => piscina.close(),
  };
}
