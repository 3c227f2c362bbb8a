// Pacer thread: sleeps until each scheduled send time with sub-millisecond precision (Atomics.wait takes
// fractional ms; Node timers only whole ms) and wakes the generator's event loop with a message.
import { parentPort, workerData } from 'node:worker_threads';
import { PACER_READY, type PacerConfig } from './pacer.js';
import { PENDING, SLEEP, STOP } from './pacer-slots.js';

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function run(config: PacerConfig, startHrMs: number): void {
  const flags = new Int32Array(config.shared);
  for (let i = 0; i < config.count; i++) {
    const due = startHrMs + i * config.intervalMs;
    for (;;) {
      if (Atomics.load(flags, STOP) === 1) return;
      const wait = due - nowMs();
      if (wait <= 0) break;
      Atomics.wait(flags, SLEEP, 0, wait);
    }
    // One message at a time: while the main thread has not taken the last tick, it will see this one too.
    if (Atomics.compareExchange(flags, PENDING, 0, 1) === 0) parentPort?.postMessage(i);
  }
}

// Ready first; the generator then sends the start time (hrtime clock, ms), so the schedule never starts
// before this thread can keep it.
parentPort?.once('message', (startHrMs: number) => run(workerData as PacerConfig, startHrMs));
parentPort?.postMessage(PACER_READY);
