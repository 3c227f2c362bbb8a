// Closed loop: a fixed number of connections, each sending its next request as soon as the previous answer
// is in. Measures throughput at that concurrency. Bounded by time and by request count; stops by itself.
import { HttpConnection } from './http-connection.js';
import { Exchange, type RequestSpec } from './exchange.js';
import type { PhaseHooks, PhaseResult } from './phase.js';
import { Recorder } from './recorder.js';

export interface ClosedLoopOptions {
  spec: RequestSpec;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Hard cap on measured requests. */
  maxRequests: number;
  /** After the window, how long in-flight requests may take before they count as timeouts. */
  drainMs: number;
  hooks: PhaseHooks;
}

interface Slot {
  connection: HttpConnection;
  exchange: Exchange;
  active: boolean;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<PhaseResult> {
  const { spec, concurrency } = options;
  const recorder = new Recorder();
  const connections = await Promise.all(
    Array.from({ length: concurrency }, () => HttpConnection.open(spec.port, 5_000)),
  );
  let measuring = false;
  let stopped = false;
  let sent = 0;
  let issued = 0;
  let startedAt = 0;
  let endedAt = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const slots: Slot[] = connections.map((connection, i) => ({
    connection,
    active: false,
    exchange: new Exchange(spec, recorder, (_exchange, now) => onFinish(slots[i]!, now)),
  }));

  function issue(slot: Slot): void {
    if (stopped || (measuring && sent >= options.maxRequests)) {
      stopped = true;
      return maybeDone();
    }
    const now = performance.now();
    slot.exchange.begin(now, now, measuring);
    slot.active = true;
    issued++;
    if (measuring) sent++;
    if (!slot.connection.reusable(now)) {
      slot.connection.destroy();
      HttpConnection.open(spec.port, 5_000).then(
        (fresh) => {
          slot.connection = fresh;
          if (endedAt === 0) fresh.send(spec.bytes, slot.exchange);
          else fresh.destroy();
        },
        () => slot.exchange.onFailure('connect', performance.now()),
      );
      return;
    }
    slot.connection.send(spec.bytes, slot.exchange);
  }

  function onFinish(slot: Slot, now: number): void {
    if (endedAt !== 0) return;
    slot.active = false;
    if (measuring) {
      recorder.completedInWindow++;
      if (now >= startedAt + options.durationMs) stopped = true;
    }
    issue(slot);
  }

  function maybeDone(): void {
    if (endedAt !== 0 || slots.some((slot) => slot.active)) return;
    endedAt = performance.now();
    options.hooks.onMeasureEnd();
    finish();
  }

  let stopTimer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  // The window is [startedAt, startedAt + duration] even when this timer fires late: the stop and the drain
  // deadline are set from it, so the window always has its configured length.
  const warmTimer = setTimeout(() => {
    startedAt = performance.now();
    options.hooks.onMeasureStart();
    measuring = true;
    recorder.windowStart = startedAt;
    recorder.windowEnd = startedAt + options.durationMs;
    stopTimer = setTimeout(() => {
      stopped = true;
      maybeDone();
    }, options.durationMs);
    deadline = setTimeout(onDeadline, options.durationMs + options.drainMs);
  }, options.warmupMs);

  function onDeadline(): void {
    // Whatever is still in flight now is a timeout; the sockets are closed so nothing keeps running.
    stopped = true;
    const now = performance.now();
    for (const slot of slots) {
      if (slot.active) slot.exchange.timeOut(now);
      slot.exchange.abandon();
      slot.active = false;
    }
    maybeDone();
  }

  for (const slot of slots) issue(slot);
  await finished;
  clearTimeout(warmTimer);
  clearTimeout(stopTimer);
  clearTimeout(deadline);
  for (const slot of slots) slot.connection.destroy();
  return {
    recorder,
    startedAt,
    endedAt,
    windowMs: options.durationMs,
    intended: sent,
    issued,
    connections: concurrency,
  };
}
