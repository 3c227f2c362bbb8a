// The embedder's scheduling on a scripted pool whose model calls finish when the test says: micro-batches
// form only while every worker is busy, identical texts share one model call (waiting or already running),
// prefetch uses idle workers only, and the LRU, queue bound and length bound hold. The real model and worker
// threads are in test/integration/embedding-service.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmbedderBusyError, TextTooLongError, createEmbedder } from '../../../dataplane/cache/embedder.js';
import type { WorkerPool } from '../../../dataplane/workers/pool.js';
import type { EmbedResult, EmbedTask } from '../../../dataplane/workers/tasks/embed.js';

/** A pool whose calls are recorded and finished by hand; each text's vector is [its length, 1]. */
function scriptedPool() {
  const calls: { texts: readonly string[]; finish(): void; fail(error: Error): void }[] = [];
  const pool: WorkerPool<EmbedTask, EmbedResult> = {
    threads: 1,
    queueSize: () => 0,
    close: () => Promise.resolve(),
    run: (task) =>
      new Promise<EmbedResult>((resolve, reject) => {
        calls.push({
          texts: task.texts,
          finish: () =>
            resolve({
              dims: 2,
              data: Float32Array.from(task.texts.flatMap((t) => [t.length, 1])),
              thread: 1,
            }),
          fail: reject,
        });
      }),
  };
  return { pool, calls };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function embedderOn(
  pool: WorkerPool<EmbedTask, EmbedResult>,
  overrides: { maxQueue?: number; concurrency?: number; lruEntries?: number } = {},
) {
  return createEmbedder({
    pool,
    concurrency: overrides.concurrency ?? 1,
    workers: 1,
    maxBatch: 8,
    maxQueue: overrides.maxQueue ?? 100,
    maxInputChars: 20,
    lruEntries: overrides.lruEntries ?? 4,
  });
}

describe('embedder', () => {
  it('sends a text at once when a worker is free, and batches what arrives while it is busy', async () => {
    const { pool, calls } = scriptedPool();
    const embedder = embedderOn(pool);
    const first = embedder.embed('alpha');
    const queued = [embedder.embed('beta'), embedder.embed('gamma'), embedder.embed('beta')];
    assert.deepEqual(
      calls.map((c) => c.texts),
      [['alpha']],
    );
    calls[0]!.finish();
    assert.deepEqual([...(await first)], [5, 1]);
    await tick();
    // Identical waiting texts share one slot of the batch.
    assert.deepEqual(calls[1]!.texts, ['beta', 'gamma']);
    calls[1]!.finish();
    const vectors = await Promise.all(queued);
    assert.deepEqual(
      vectors.map((v) => v[0]),
      [4, 5, 4],
    );
  });

  it('a text asked again while its model call runs joins that call', async () => {
    const { pool, calls } = scriptedPool();
    const embedder = embedderOn(pool);
    const first = embedder.embed('alpha');
    const joined = embedder.embed('alpha');
    calls[0]!.finish();
    assert.deepEqual([...(await joined)], [...(await first)]);
    assert.equal(calls.length, 1);
    // A failed call fails everyone who joined it; the next ask calls the model again.
    const failing = embedder.embed('omega');
    const joinedFailing = embedder.embed('omega');
    calls[1]!.fail(new Error('worker crashed'));
    await assert.rejects(failing, /worker crashed/);
    await assert.rejects(joinedFailing, /worker crashed/);
    const again = embedder.embed('omega');
    assert.equal(calls.length, 3);
    calls[2]!.finish();
    assert.equal((await again)[0], 5);
  });

  it('prefetch starts a call only on an idle embedder; the lookup then joins it or finds it in the LRU', async () => {
    const { pool, calls } = scriptedPool();
    const embedder = embedderOn(pool);
    assert.equal(embedder.prefetch('alpha'), true);
    assert.equal(calls.length, 1);
    // Busy now: a prefetch neither calls the model nor queues.
    assert.equal(embedder.prefetch('beta'), false);
    assert.equal(calls.length, 1);
    const lookup = embedder.embed('alpha');
    calls[0]!.finish();
    assert.equal((await lookup)[0], 5);
    await tick();
    assert.equal(calls.length, 1, 'beta was not queued');
    // Known: nothing to do.
    embedder.prefetch('alpha');
    assert.equal(calls.length, 1);
    assert.equal((await embedder.embed('alpha'))[0], 5);
    // Too long for the model: not prefetched (the lookup reports it).
    embedder.prefetch('x'.repeat(21));
    assert.equal(calls.length, 1);
    // A failed prefetch is silent; the lookup's own ask calls the model again.
    embedder.prefetch('gamma');
    calls[1]!.fail(new Error('worker crashed'));
    await tick();
    const retried = embedder.embed('gamma');
    assert.equal(calls.length, 3);
    calls[2]!.finish();
    assert.equal((await retried)[0], 5);
  });

  it("prefetch takes no worker's second slot, and does nothing without an LRU", async () => {
    // One worker that is handed two calls at once (as the service does): its second slot is for lookups.
    const { pool, calls } = scriptedPool();
    const embedder = embedderOn(pool, { concurrency: 2 });
    const running = embedder.embed('alpha');
    assert.equal(embedder.prefetch('beta'), false);
    const second = embedder.embed('gamma');
    assert.equal(calls.length, 2, 'the lookup went at once, into the second slot');
    calls[0]!.finish();
    calls[1]!.finish();
    await Promise.all([running, second]);
    await tick();
    assert.equal(embedder.prefetch('delta'), true);
    calls[2]!.finish();
    // lru_entries 0: a vector finished before its lookup asks would be thrown away.
    const bare = scriptedPool();
    assert.equal(embedderOn(bare.pool, { lruEntries: 0 }).prefetch('alpha'), false);
    assert.equal(bare.calls.length, 0);
  });

  it('prefetch does not jump a queue of lookups', async () => {
    const { pool, calls } = scriptedPool();
    const embedder = embedderOn(pool);
    const running = embedder.embed('alpha');
    const waiting = embedder.embed('beta');
    calls[0]!.finish();
    await running;
    // The worker is free for an instant before the queued batch goes: beta is sent first, not a prefetch.
    embedder.prefetch('gamma');
    await tick();
    assert.deepEqual(
      calls.map((c) => c.texts),
      [['alpha'], ['beta']],
    );
    calls[1]!.finish();
    await waiting;
  });

  it('refuses texts beyond the queue bound and beyond the length bound, and a leaving client stops waiting', async () => {
    const { pool, calls } = scriptedPool();
    const embedder = embedderOn(pool, { maxQueue: 1 });
    const running = embedder.embed('alpha');
    const queued = embedder.embed('beta');
    await assert.rejects(embedder.embed('gamma'), EmbedderBusyError);
    await assert.rejects(embedder.embed('x'.repeat(21)), TextTooLongError);
    const controller = new AbortController();
    const leaving = embedder.embed('beta', controller.signal);
    controller.abort(new Error('client left'));
    await assert.rejects(leaving, /client left/);
    calls[0]!.finish();
    await running;
    await tick();
    calls[1]!.finish();
    assert.equal((await queued)[0], 4);
  });
});
