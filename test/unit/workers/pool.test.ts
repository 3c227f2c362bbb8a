// The worker pool: results and timings, a crashed thread replaced without failing other tasks, a full queue
// answered with 503 `overloaded`, and aborts of queued and running tasks. Threads are coordinated through
// shared memory, not sleeps.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isGatewayError } from '../../../dataplane/errors/gateway-error.js';
import { createGatewayMetrics } from '../../../dataplane/observability/gateway-metrics.js';
import { createLogger } from '../../../dataplane/observability/logger.js';
import { createWorkerPool, type WorkerPool } from '../../../dataplane/workers/pool.js';
import type { ControlledTask } from '../../fixtures/workers/controlled.js';
import { waitFor } from '../../support/wait.js';

const module = new URL('../../fixtures/workers/controlled.ts', import.meta.url);
const batchModule = new URL('../../fixtures/workers/controlled-batch.ts', import.meta.url);

function gate(): {
  buffer: SharedArrayBuffer;
  cells: Int32Array;
  release(): void;
  started(n: number): Promise<number>;
} {
  const buffer = new SharedArrayBuffer(8);
  const cells = new Int32Array(buffer);
  return {
    buffer,
    cells,
    release() {
      Atomics.store(cells, 0, 1);
      Atomics.notify(cells, 0);
    },
    started: (n) =>
      waitFor(() => Atomics.load(cells, 1) >= n && Atomics.load(cells, 1), `${n} blocked task(s)`),
  };
}

describe('worker pool', () => {
  const pools: WorkerPool<ControlledTask, unknown>[] = [];
  after(async () => {
    for (const pool of pools) await pool.close();
  });
  function pool(
    threads: number,
    maxQueue: number,
    batch?: { maxItems: number },
    concurrentTasksPerWorker?: number,
  ) {
    const metrics = createGatewayMetrics();
    const created = createWorkerPool<ControlledTask, unknown>({
      name: 'test',
      module: batch === undefined ? module : batchModule,
      ...(batch === undefined ? {} : { batch }),
      ...(concurrentTasksPerWorker === undefined ? {} : { concurrentTasksPerWorker }),
      threads,
      maxQueue,
      idleTimeoutMs: 60_000,
      metrics,
      logger: createLogger('error', () => undefined),
    });
    pools.push(created);
    return { pool: created, metrics };
  }

  it('runs tasks and records run and wait times', async () => {
    const { pool: p, metrics } = pool(2, 16);
    const values = await Promise.all(
      [1, 2, 3, 4].map((value) => p.run({ op: 'echo', value }, new AbortController().signal)),
    );
    assert.deepEqual(values, [1, 2, 3, 4]);
    assert.equal(metrics.workerRun.count({ pool: 'test' }), 4);
    assert.equal(metrics.workerWait.count({ pool: 'test' }), 4);
    assert.match(metrics.registry.render(), /gateway_worker_threads\{pool="test"\} 2/);
  });

  it('replaces a crashed thread; the other tasks are not failed', async () => {
    const { pool: p, metrics } = pool(2, 16);
    const g = gate();
    const blocked = p.run({ op: 'block', gate: g.buffer, value: 'survivor' }, new AbortController().signal);
    await g.started(1);
    const crash = p.run({ op: 'crash' }, new AbortController().signal);
    await assert.rejects(crash, (error: unknown) => isGatewayError(error) && error.code === 'internal_error');
    g.release();
    assert.equal(await blocked, 'survivor');
    const after = await Promise.all(
      [1, 2, 3].map((value) => p.run({ op: 'echo', value }, new AbortController().signal)),
    );
    assert.deepEqual(after, [1, 2, 3]);
    assert.ok(metrics.workerFailures.get({ pool: 'test' }) >= 1);
  });

  it('answers 503 overloaded when the queue is full', async () => {
    const { pool: p, metrics } = pool(1, 1);
    const g = gate();
    const running = p.run({ op: 'block', gate: g.buffer, value: 'a' }, new AbortController().signal);
    await g.started(1);
    const queued = p.run({ op: 'echo', value: 'b' }, new AbortController().signal);
    await assert.rejects(
      p.run({ op: 'echo', value: 'c' }, new AbortController().signal),
      (error: unknown) => isGatewayError(error) && error.code === 'overloaded' && error.status === 503,
    );
    assert.equal(metrics.workerRejected.get({ pool: 'test' }), 1);
    g.release();
    assert.deepEqual(await Promise.all([running, queued]), ['a', 'b']);
  });

  it('counts every task a thread holds at once before calling itself full (concurrentTasksPerWorker)', async () => {
    // Two threads holding two tasks each and no queue: four tasks are accepted, the fifth is not (with one
    // per thread counted, the third was refused while two threads had room for it).
    const { pool: p, metrics } = pool(2, 0, undefined, 2);
    const g = gate();
    const held = [1, 2, 3, 4].map((value) => p.run({ op: 'block', gate: g.buffer, value }));
    await g.started(2);
    await assert.rejects(
      p.run({ op: 'echo', value: 5 }),
      (error: unknown) => isGatewayError(error) && error.code === 'overloaded',
    );
    assert.equal(metrics.workerRejected.get({ pool: 'test' }), 1);
    g.release();
    assert.deepEqual(await Promise.all(held), [1, 2, 3, 4]);
  });

  it('drops an aborted queued task and stops an aborted running one', async () => {
    const { pool: p } = pool(1, 4);
    const g = gate();
    const runningAbort = new AbortController();
    const running = p.run({ op: 'block', gate: g.buffer, value: 'never' }, runningAbort.signal);
    await g.started(1);
    const queuedAbort = new AbortController();
    const queued = p.run({ op: 'echo', value: 'never' }, queuedAbort.signal);
    queuedAbort.abort(new Error('client left (queued)'));
    await assert.rejects(queued, /client left \(queued\)/);
    // The running task is blocked inside its thread: only terminating the thread can stop it.
    runningAbort.abort(new Error('client left (running)'));
    await assert.rejects(running, /client left \(running\)/);
    assert.equal(await p.run({ op: 'echo', value: 'next' }, new AbortController().signal), 'next');
  });

  describe('batching', () => {
    type Tagged = { value: unknown; batch: number };

    it('sends the tasks of one turn together, split at maxItems, and records each', async () => {
      const { pool: p, metrics } = pool(1, 64, { maxItems: 8 });
      const results = (await Promise.all(
        Array.from({ length: 12 }, (_, value) => p.run({ op: 'echo', value })),
      )) as Tagged[];
      assert.deepEqual(
        results.map((r) => r.value),
        Array.from({ length: 12 }, (_, i) => i),
      );
      // One thread: 8 leave together at the end of the turn, the other 4 together when it is free.
      assert.deepEqual(
        results.map((r) => r.batch),
        [...Array(8).fill(8), ...Array(4).fill(4)],
      );
      assert.equal(metrics.workerRun.count({ pool: 'test' }), 12);
      assert.equal(metrics.workerWait.count({ pool: 'test' }), 12);
    });

    it('shares the tasks of one turn evenly among the free threads', async () => {
      const { pool: p } = pool(2, 64, { maxItems: 8 });
      const results = (await Promise.all(
        Array.from({ length: 6 }, (_, value) => p.run({ op: 'echo', value })),
      )) as Tagged[];
      // Two free threads, six tasks: three each, not six to one thread while the other idles.
      assert.deepEqual(
        results.map((r) => r.batch),
        Array(6).fill(3),
      );
    });

    it("counts a thread busy with a task sent alone as taken: the turn's tasks go to the free one", async () => {
      const { pool: p } = pool(2, 64, { maxItems: 8 });
      const g = gate();
      const alone = p.run({ op: 'block', gate: g.buffer, value: 'held' }, new AbortController().signal);
      try {
        await g.started(1);
        // One free thread: all four in one batch there, not two batches of two (one of them queued inside
        // piscina for whichever thread frees first).
        const results = (await Promise.all(
          Array.from({ length: 4 }, (_, value) => p.run({ op: 'echo', value })),
        )) as Tagged[];
        assert.deepEqual(
          results.map((r) => r.batch),
          [4, 4, 4, 4],
        );
      } finally {
        g.release();
      }
      assert.deepEqual(await alone, { value: 'held', batch: 1 });
    });

    it('holds batches while tasks sent alone hold every thread, and sends them when one ends', async () => {
      const { pool: p } = pool(1, 64, { maxItems: 8 });
      const g = gate();
      const alone = p.run({ op: 'block', gate: g.buffer, value: 'held' }, new AbortController().signal);
      try {
        await g.started(1);
        const waiting = Array.from({ length: 3 }, (_, value) => p.run({ op: 'echo', value }));
        // Let several turns pass: nothing may leave while the only thread is held.
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(p.queueSize(), 3);
        g.release();
        const results = (await Promise.all(waiting)) as Tagged[];
        assert.deepEqual(
          results.map((r) => r.batch),
          [3, 3, 3],
        );
      } finally {
        g.release();
      }
      assert.deepEqual(await alone, { value: 'held', batch: 1 });
    });

    it('counts the tasks waiting for their batch in the queue gauge', async () => {
      const { pool: p, metrics } = pool(1, 64, { maxItems: 8 });
      const runs = Array.from({ length: 12 }, (_, value) => p.run({ op: 'echo', value }));
      // Still in this turn: all 12 wait in the batch queue, none has reached piscina yet.
      assert.match(metrics.registry.render(), /gateway_worker_queue_size\{pool="test"\} 12\n/);
      await Promise.all(runs);
      assert.match(metrics.registry.render(), /gateway_worker_queue_size\{pool="test"\} 0\n/);
    });

    it('fails a task that throws alone, not its batch', async () => {
      const { pool: p, metrics } = pool(1, 16, { maxItems: 8 });
      const [a, b, c] = await Promise.allSettled([
        p.run({ op: 'echo', value: 'a' }),
        p.run({ op: 'throw', value: 'b' }),
        p.run({ op: 'echo', value: 'c' }),
      ]);
      assert.deepEqual(a, { status: 'fulfilled', value: { value: 'a', batch: 3 } });
      assert.deepEqual(c, { status: 'fulfilled', value: { value: 'c', batch: 3 } });
      assert.equal(b!.status, 'rejected');
      const reason = (b as PromiseRejectedResult).reason as Error;
      assert.ok(isGatewayError(reason) && reason.code === 'internal_error');
      assert.match(String((reason.cause as Error).message), /task b failed/);
      assert.equal(metrics.workerFailures.get({ pool: 'test' }), 1);
    });

    it('answers 503 overloaded past threads + max_queue tasks, counted per task', async () => {
      const { pool: p, metrics } = pool(1, 2, { maxItems: 8 });
      const outcomes = await Promise.allSettled(
        ['a', 'b', 'c', 'd', 'e'].map((value) => p.run({ op: 'echo', value })),
      );
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected'],
      );
      for (const o of outcomes.slice(3))
        assert.ok(isGatewayError((o as PromiseRejectedResult).reason), 'overloaded');
      assert.equal(metrics.workerRejected.get({ pool: 'test' }), 2);
    });

    it('a crashed thread fails only the task that crashed it: its batch-mates run again alone', async () => {
      const { pool: p, metrics } = pool(1, 16, { maxItems: 8 });
      const outcomes = await Promise.allSettled([
        p.run({ op: 'echo', value: 'x' }),
        p.run({ op: 'crash' }),
        p.run({ op: 'echo', value: 'y' }),
      ]);
      // x and y shared the crashed batch; answered from batches of one on the replacement thread.
      assert.deepEqual(outcomes[0], { status: 'fulfilled', value: { value: 'x', batch: 1 } });
      assert.deepEqual(outcomes[2], { status: 'fulfilled', value: { value: 'y', batch: 1 } });
      assert.equal(outcomes[1]!.status, 'rejected');
      const reason = (outcomes[1] as PromiseRejectedResult).reason as unknown;
      assert.ok(isGatewayError(reason) && reason.code === 'internal_error');
      // The batch's failure and the crashing task's own, run alone.
      assert.equal(metrics.workerFailures.get({ pool: 'test' }), 2);
      assert.deepEqual(await p.run({ op: 'echo', value: 'after' }), { value: 'after', batch: 1 });
    });

    it('sends a task with a signal alone, and aborting it spares the batch behind it', async () => {
      const { pool: p } = pool(2, 16, { maxItems: 8 });
      const g = gate();
      const abort = new AbortController();
      const alone = p.run({ op: 'block', gate: g.buffer, value: 'never' }, abort.signal);
      await g.started(1);
      const others = Promise.all([p.run({ op: 'echo', value: 1 }), p.run({ op: 'echo', value: 2 })]);
      abort.abort(new Error('client left'));
      await assert.rejects(alone, /client left/);
      // Both answered (the thread the abort ended is replaced; by the end of the turn both threads are free,
      // so the two may leave in one batch or one each).
      assert.deepEqual(
        ((await others) as Tagged[]).map((r) => r.value),
        [1, 2],
      );
    });
  });
});
