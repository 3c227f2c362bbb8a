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
