// The script calls of the Redis limit store. The admissions of one event-loop turn and the reconciliations that
// finished since the previous call travel in one EVALSHA (redis-scripts.ts): under load a gateway pays one round
// trip per turn instead of two per request, and ioredis' per-command cost (encoding, the reply's decoding, a
// promise and a timer) is shared by everything the call carries.
import { PermanentLimitError } from './checks.js';

/** One admission or reconciliation: its check keys, its numbers packed as the script reads them, its request id. */
export interface ScriptItem {
  keys: readonly string[];
  packed: string;
  id: string;
}

export interface LimitCalls {
  /** Resolves with the admission's reply (see LIMITS_SCRIPT), sent at the end of this event-loop turn. */
  admit(item: ScriptItem): Promise<unknown[]>;
  /** Waits for the next call (at most `reconcileDelayMs`); resolves once the script has applied it. */
  reconcile(item: ScriptItem): Promise<void>;
  /** Sends every waiting reconciliation now (budget reads, shutdown). */
  flush(): Promise<void>;
}

/** At most this many reconciliations ride one call (bounded script time). */
export const MAX_RECONCILIATIONS_PER_CALL = 64;
/**
 * At most this many admissions per call; more in one turn go as several calls, back to back. Redis runs a
 * call's admissions one after another (~70-90 µs each for 11 checks on this bench's VM), and the gateway can
 * only start on the replies when the whole call is done: with 64 per call a closed loop of 50 lost a third of
 * its throughput to that stop-and-go, with 4-16 it matched one call per admission at less CPU; 8 was best
 * (bench/micro/limits-redis.ts --rate 0).
 */
export const MAX_ADMISSIONS_PER_CALL = 8;

interface Pending<T> {
  item: ScriptItem;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function createLimitCalls(deps: {
  /** Runs the script: KEYS are the first numKeys of args. */
  run: (numKeys: number, args: string[]) => Promise<unknown>;
  /** Awaited before each call (the first connection); a failure is ignored: the call then fails on its own. */
  beforeCall: () => Promise<void>;
  reconcileDelayMs: number;
  /** Told whether each call got its reply (readiness: a stalled Redis keeps its socket open). */
  onOutcome?: (answered: boolean) => void;
}): LimitCalls {
  let admissions: Pending<unknown[]>[] = [];
  const reconciliations: Pending<void>[] = [];
  let turnScheduled = false;
  let timer: NodeJS.Timeout | undefined;
  /** A send for a full queue is under way (one is enough: it takes what has piled up by then). */
  let overflowing = false;

  // Reconciliations wait for a ride; reservations are upper bounds, so a few milliseconds' wait mostly delays
  // what they give back (and, when a request used more than it reserved, the extra tpm charge).
  const armTimer = () => {
    if (reconciliations.length === 0) return;
    if (reconciliations.length >= MAX_RECONCILIATIONS_PER_CALL || deps.reconcileDelayMs === 0) {
      if (overflowing) return;
      overflowing = true;
      void send([]).finally(() => {
        overflowing = false;
        armTimer();
      });
      return;
    }
    timer ??= setTimeout(() => {
      timer = undefined;
      void send([]);
    }, deps.reconcileDelayMs);
  };

  /** One script call: up to MAX_RECONCILIATIONS_PER_CALL waiting reconciliations, then `batch`. Never rejects. */
  async function send(batch: Pending<unknown[]>[]): Promise<void> {
    await deps.beforeCall().catch(() => undefined);
    // Taken after the wait: calls that waited for the first connection must not all carry the same queue.
    const carried = reconciliations.splice(0, MAX_RECONCILIATIONS_PER_CALL);
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    armTimer();
    if (batch.length === 0 && carried.length === 0) return;
    try {
      // KEYS stay separate arguments; everything else travels as packed strings.
      const args: string[] = [];
      for (const a of batch) for (const key of a.item.keys) args.push(key);
      for (const c of carried) for (const key of c.item.keys) args.push(key);
      const numKeys = args.length;
      args.push(String(batch.length));
      for (const a of batch) args.push(a.item.packed, a.item.id, String(a.item.keys.length));
      for (const c of carried) args.push(c.item.packed, c.item.id);
      const [replies, failed] = (await deps.run(numKeys, args)) as [unknown[][], (number | string)[]];
      deps.onOutcome?.(true);
      const failures = new Map<number, string>();
      for (let i = 0; i < failed.length; i += 2) failures.set(Number(failed[i]) - 1, String(failed[i + 1]));
      carried.forEach((c, i) => {
        const failure = failures.get(i);
        if (failure === undefined) c.resolve();
        else c.reject(new PermanentLimitError(`limit reconciliation failed in Redis: ${failure}`));
      });
      batch.forEach((a, i) => {
        const reply = replies[i]!;
        if (reply[0] === -1)
          a.reject(new PermanentLimitError(`limit admission failed in Redis: ${String(reply[1])}`));
        else a.resolve(reply);
      });
    } catch (error) {
      deps.onOutcome?.(false);
      // The call did not run (or its outcome is unknown: a timeout): everything it carried fails with it, and
      // the limiter retries the reconciliations.
      for (const c of carried) c.reject(error);
      for (const a of batch) a.reject(error);
    }
  }

  /** Sends the admissions queued so far, MAX_ADMISSIONS_PER_CALL per call; resolves when all are answered. */
  const endOfTurn = async (): Promise<void> => {
    turnScheduled = false;
    const sends: Promise<void>[] = [];
    while (admissions.length > 0) {
      sends.push(send(admissions.slice(0, MAX_ADMISSIONS_PER_CALL)));
      admissions = admissions.slice(MAX_ADMISSIONS_PER_CALL);
    }
    await Promise.all(sends);
  };

  return {
    admit(item) {
      return new Promise<unknown[]>((resolve, reject) => {
        admissions.push({ item, resolve, reject });
        if (!turnScheduled) {
          turnScheduled = true;
          setImmediate(() => void endOfTurn());
        }
      });
    },
    reconcile(item) {
      return new Promise<void>((resolve, reject) => {
        reconciliations.push({ item, resolve, reject });
        armTimer();
      });
    },
    async flush() {
      // What is queued now: this turn's admissions (close must not strand them), then the reconciliations, in
      // as many calls as they need. Items queued meanwhile are not waited for, so a read under load ends.
      const sends: Promise<unknown>[] = [endOfTurn()];
      for (let left = reconciliations.length; left > 0; left -= MAX_RECONCILIATIONS_PER_CALL)
        sends.push(send([]));
      await Promise.all(sends);
    },
  };
}
