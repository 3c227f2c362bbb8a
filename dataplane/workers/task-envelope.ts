// Wraps a pure CPU task for a worker thread: the result travels back with the time the task itself ran,
// so the main thread can split a round trip into queue wait and run time.
import { performance } from 'node:perf_hooks';

export interface TaskEnvelope<R> {
  value: R;
  /** Milliseconds the task ran inside the worker. */
  runMs: number;
}

export function defineTask<T, R>(task: (input: T) => R): (input: T) => TaskEnvelope<R> {
  return (input) => {
    const start = performance.now();
    const value = task(input);
    return { value, runMs: performance.now() - start };
  };
}

/** One task of a batch, settled on its own: a task that throws fails alone, not its batch. */
export type SettledTask<R> =
  { ok: true; value: R; runMs: number } | { ok: false; error: string; runMs: number };

/**
 * A task for a batching pool (`batch` option of createWorkerPool): the thread receives several inputs in one
 * message and answers them in one, so a round trip (two thread wake-ups, two messages) is shared by all.
 */
export function defineBatchTask<T, R>(task: (input: T) => R): (inputs: T[]) => SettledTask<R>[] {
  return (inputs) =>
    inputs.map((input) => {
      const start = performance.now();
      try {
        const value = task(input);
        return { ok: true, value, runMs: performance.now() - start };
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return { ok: false, error: message, runMs: performance.now() - start };
      }
    });
}
