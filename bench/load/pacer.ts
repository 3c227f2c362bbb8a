// Generator side of the pacer thread: start it for a schedule, get a callback when sends are due.
import { Worker } from 'node:worker_threads';
import { PENDING, SLEEP, STOP } from './pacer-slots.js';
import type { Schedule } from './schedule.js';

export interface PacerConfig {
  shared: SharedArrayBuffer;
  /** Due time of request 0 on the process.hrtime clock, ms (worker and main thread share that clock). */
  startHrMs: number;
  intervalMs: number;
  count: number;
}

export interface Pacer {
  stop(): Promise<void>;
}

/**
 * Compiled, the worker is a plain .js file. Under tsx (sources), Node 20 does not carry the tsx loader into
 * worker threads, so a small bootstrap registers it there before importing the .ts worker.
 */
function spawnPacerThread(config: PacerConfig): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./pacer-worker.js', import.meta.url), { workerData: config });
  }
  const api = import.meta.resolve('tsx/esm/api');
  const file = new URL('./pacer-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: config });
}

export function startPacer(schedule: Schedule, onTick: () => void): Pacer {
  const shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const flags = new Int32Array(shared);
  // performance.now() and hrtime differ by a constant offset; the schedule is in performance.now() terms.
  const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
  const config: PacerConfig = {
    shared,
    startHrMs: schedule.startMs + offset,
    intervalMs: schedule.intervalMs,
    count: schedule.total,
  };
  const worker = spawnPacerThread(config);
  worker.on('message', () => {
    Atomics.store(flags, PENDING, 0);
    onTick();
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => {
    process.stderr.write(`pacer thread failed: ${error.message}\n`);
  });
  return {
    async stop() {
      Atomics.store(flags, STOP, 1);
      Atomics.notify(flags, SLEEP);
      await exited;
    },
  };
}
