// Open loop: requests leave at a fixed rate on a precomputed schedule, whether or not earlier ones have been
// answered. Latency counts from each request's due time, so queueing inside the generator (all connections
// busy) and inside the server is charged to the server, as a real client population would feel it.
import { HttpConnection } from './http-connection.js';
import { Exchange, type RequestSpec } from './exchange.js';
import { startPacer } from './pacer.js';
import type { PhaseHooks, PhaseResult } from './phase.js';
import { Recorder } from './recorder.js';
import { dueCount, dueTime, makeSchedule, measuredSpanMs, type Schedule } from './schedule.js';

export interface OpenLoopOptions {
  spec: RequestSpec;
  ratePerSec: number;
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
  /** Connections are opened on demand up to this many; beyond it, due requests wait in a queue. */
  maxConnections: number;
  /** After the schedule's end, how long answers may take before they count as timeouts. */
  drainMs: number;
  hooks: PhaseHooks;
}

/**
 * Whether to open one more connection for queued requests: only while more requests wait than connections
 * are already being opened for them, so a burst does not open one connection per queued request.
 */
export function shouldGrow(queued: number, connecting: number, open: number, max: number): boolean {
  return queued > connecting && open + connecting < max;
}

/**
 * The start snapshot (CPU of every bench process's threads from /proc, the gateway's stage histograms) is taken
 * this long before the first measured request falls due. It takes 4–19 ms here; taken at that due time, it made
 * the first measured requests leave that late, and their latency counts from the due time: the open loop's
 * p99.9 and maximum were mostly this stall (found by review). The CPU window then also holds the last
 * 100 ms of warm-up traffic, and counts its completions (recorder.completedInWindow), so CPU per request
 * stays a ratio over one span.
 */
export const SNAPSHOT_LEAD_MS = 100;

interface Slot {
  connection: HttpConnection;
  exchange: Exchange;
  active: boolean;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<PhaseResult> {
  const { spec } = options;
  const recorder = new Recorder();
  const slots: Slot[] = [];
  const idle: Slot[] = [];
  const queue: number[] = [];
  let queueHead = 0;
  let connecting = 0;
  let next = 0;
  let inFlight = 0;
  let issued = 0;
  // The CPU window opens with the start snapshot, SNAPSHOT_LEAD_MS before the latency window.
  let metering = false;
  let startedAt = 0;
  let endedAt = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));

  function addSlot(connection: HttpConnection): Slot {
    const slot: Slot = {
      connection,
      active: false,
      exchange: new Exchange(spec, recorder, (_exchange, now) => onFinish(slot, now)),
    };
    slots.push(slot);
    return slot;
  }

  // Enough warm connections that a healthy server never makes requests queue for one.
  const initial = Math.min(options.maxConnections, 8 + Math.ceil(options.ratePerSec / 250));
  for (const connection of await Promise.all(
    Array.from({ length: initial }, () => HttpConnection.open(spec.port, 5_000)),
  )) {
    idle.push(addSlot(connection));
  }

  // The schedule's clock starts only once the pacer thread runs (under tsx it takes 100–300 ms to start), so
  // request 0 is not already hundreds of requests late when the first tick comes.
  const shape = makeSchedule(
    0,
    options.ratePerSec,
    options.warmupMs,
    options.durationMs,
    options.maxRequests,
  );
  const pacer = await startPacer(shape, () => dispatchDue(performance.now()));
  const schedule: Schedule = { ...shape, startMs: performance.now() + 1 };

  function send(slot: Slot, index: number, now: number): void {
    slot.exchange.begin(dueTime(schedule, index), now, index >= schedule.warmup);
    slot.active = true;
    inFlight++;
    issued++;
    if (slot.connection.reusable(now)) {
      slot.connection.send(spec.bytes, slot.exchange);
      return;
    }
    slot.connection.destroy();
    HttpConnection.open(spec.port, 5_000).then(
      (fresh) => {
        slot.connection = fresh;
        if (endedAt === 0) fresh.send(spec.bytes, slot.exchange);
        else fresh.destroy();
      },
      () => slot.exchange.onFailure('connect', performance.now()),
    );
  }

  function grow(): void {
    connecting++;
    HttpConnection.open(spec.port, 5_000).then(
      (connection) => {
        connecting--;
        if (endedAt !== 0) return connection.destroy();
        const slot = addSlot(connection);
        if (queueHead < queue.length) send(slot, queue[queueHead++]!, performance.now());
        else idle.push(slot);
      },
      () => {
        connecting--;
      },
    );
  }

  function dispatchDue(now: number): void {
    if (!metering && now >= dueTime(schedule, schedule.warmup) - SNAPSHOT_LEAD_MS) {
      options.hooks.onMeasureStart();
      metering = true;
      now = performance.now();
    }
    const due = dueCount(schedule, now);
    while (next < due) {
      const index = next++;
      if (index === schedule.warmup) {
        startedAt = dueTime(schedule, index);
        recorder.windowStart = startedAt;
        recorder.windowEnd = dueTime(schedule, schedule.total);
      }
      const slot = idle.pop();
      if (slot !== undefined) send(slot, index, now);
      else {
        queue.push(index);
        if (shouldGrow(queue.length - queueHead, connecting, slots.length, options.maxConnections)) grow();
      }
    }
    maybeDone();
  }

  function onFinish(slot: Slot, now: number): void {
    if (endedAt !== 0) return;
    slot.active = false;
    inFlight--;
    if (metering) recorder.completedInWindow++;
    // The freed slot goes back first, so requests that fell due meanwhile take it instead of growing.
    if (queueHead < queue.length) send(slot, queue[queueHead++]!, now);
    else idle.push(slot);
    dispatchDue(now);
    maybeDone();
  }

  function maybeDone(): void {
    if (endedAt !== 0 || next < schedule.total || inFlight > 0 || queueHead < queue.length) return;
    end();
  }

  function end(): void {
    endedAt = performance.now();
    if (!metering) options.hooks.onMeasureStart();
    options.hooks.onMeasureEnd();
    finish();
  }

  pacer.begin(schedule.startMs);
  // The pacer ticks only when requests fall due: at low rates (or no warm-up) the first tick inside the lead
  // could come too late, so one is scheduled at its start.
  const snapshotTimer = setTimeout(
    () => dispatchDue(performance.now()),
    Math.max(0, dueTime(schedule, schedule.warmup) - SNAPSHOT_LEAD_MS - performance.now()),
  );
  const deadlineAt = dueTime(schedule, schedule.total) + options.drainMs;
  const deadline = setTimeout(
    () => {
      if (endedAt !== 0) return;
      // Measured requests that never completed enter the percentiles at their lower bound (deadline − due
      // time), marked as such, instead of vanishing from the tail.
      const now = performance.now();
      const unsent = (index: number): void => {
        if (index < schedule.warmup) return;
        recorder.error('unsent');
        recorder.censor(dueTime(schedule, index), now);
      };
      for (let i = queueHead; i < queue.length; i++) unsent(queue[i]!);
      for (let i = next; i < schedule.total; i++) unsent(i);
      for (const slot of slots) {
        if (slot.active) slot.exchange.timeOut(now);
        slot.exchange.abandon();
      }
      end();
    },
    Math.max(0, deadlineAt - performance.now()),
  );

  await finished;
  clearTimeout(deadline);
  clearTimeout(snapshotTimer);
  await pacer.stop();
  for (const slot of slots) slot.connection.destroy();
  return {
    recorder,
    startedAt,
    endedAt,
    windowMs: measuredSpanMs(schedule),
    intended: schedule.total - schedule.warmup,
    issued,
    connections: slots.length,
  };
}
