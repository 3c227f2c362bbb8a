// Generator side of the pacer thread: start it for a schedule, get a callback when sends are due.
import { Worker } from 'node:worker_threads';
import { PENDING, SLEEP, STOP } from './pacer-slots.js';
import type { Schedule } from './schedule.js';

export interface PacerConfig {
  shared: SharedArrayBuffer;
  intervalMs: number;
  count: number;
}

/** The thread's first message: it runs and waits for the start time. */
export const PACER_READY = 'ready';

export interface Pacer {
  /** Starts the schedule: request 0 is due at `startMs` (performance.now() clock). */
  begin(startMs: number): void;
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

/**
 * Starts the pacer thread for a schedule's interval and count, and resolves once the thread has signalled
 * that it runs; the caller then fixes the start time with `begin`, so no request is due before anyone can
 * send it.
 */
export async function startPacer(schedule: Schedule, onTick: () => void): Promise<Pacer> {
  const shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const flags = new Int32Array(shared);
  const config: PacerConfig = { shared, intervalMs: schedule.intervalMs, count: schedule.total };
  const worker = spawnPacerThread(config);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const early = (error: Error): void => reject(error);
    const gone = (): void => reject(new Error('pacer thread exited before it was ready'));
    worker.once('error', early);
    worker.once('exit', gone);
    worker.once('message', (message: unknown) => {
      worker.off('error', early);
      worker.off('exit', gone);
      if (message === PACER_READY) resolve();
      else reject(new Error(`pacer thread sent ${String(message)} before it was ready`));
    });
  });
  worker.on('message', () => {
    Atomics.store(flags, PENDING, 0);
    onTick();
  });
  worker.on('error', (error) => {
    process.stderr.write(`pacer thread failed: ${error.message}\n`);
  });
  let begun = false;
  return {
    begin(startMs) {
      begun = true;
      // performance.now() and hrtime differ by a constant offset; the thread sleeps on the hrtime clock.
      const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
      worker.postMessage(startMs + offset);
    },
    async stop() {
      Atomics.store(flags, STOP, 1);
      Atomics.notify(flags, SLEEP);
      if (!begun) await worker.terminate();
      await exited;
    },
  };
}
