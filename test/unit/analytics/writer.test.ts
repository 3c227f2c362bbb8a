// The record writer against a fake ClickHouse: batching, retry then spool, replay order across a restart,
// the memory bound, a full disk, close().
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RequestRecord } from '../../../analytics/record.js';
import { createRecordWriter, type RecordWriterOptions } from '../../../analytics/writer/index.js';
import { syntheticRecord } from '../../support/records.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function spoolDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'writer-test-'));
  dirs.push(d);
  return d;
}

function record(i: number): RequestRecord {
  return syntheticRecord({ request_id: `req-${i}` });
}

interface Call {
  rows: { request_id: string }[];
  batchId: string;
  at: number;
}

/** A fake insert: records calls; `fail` decides per call whether ClickHouse is "down". */
function fakeInsert(fail: (call: number) => boolean = () => false) {
  const calls: Call[] = [];
  const ok: Call[] = [];
  let n = 0;
  const insert: RecordWriterOptions['insert'] = async (_table, rows, batchId) => {
    const call = { rows: rows as { request_id: string }[], batchId, at: Date.now() };
    calls.push(call);
    if (fail(n++)) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    ok.push(call);
  };
  return { insert, calls, ok };
}

function logs() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, fields });
  };
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

const ids = (calls: Call[]) => calls.flatMap((c) => c.rows.map((r) => r.request_id));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}
const fast = { baseMs: 5, maxMs: 40, attempts: 3 };

/** A writer on `dir` in batches of 10, flushed only when a batch is full or on demand. */
function spoolWriter(
  dir: string,
  insert: RecordWriterOptions['insert'],
  extra: Partial<RecordWriterOptions> = {},
) {
  return createRecordWriter({
    insert,
    batchRows: 10,
    flushMs: 60_000,
    maxQueueRows: 1000,
    spoolDir: dir,
    retry: fast,
    ...extra,
  });
}

/** Records 0..n-1 written while ClickHouse is down, in batches of 10: the writer closes, the spool keeps them. */
async function spoolWhileDown(dir: string, n: number) {
  const writer = spoolWriter(dir, fakeInsert(() => true).insert);
  for (let i = 0; i < n; i++) writer.sink(record(i));
  await writer.close();
  return { writer, files: readdirSync(dir).sort() };
}

describe('record writer', () => {
  it('cuts batches by size', async () => {
    const fake = fakeInsert();
    const w = createRecordWriter({
      insert: fake.insert,
      batchRows: 3,
      flushMs: 60_000,
      maxQueueRows: 100,
      spoolDir: spoolDir(),
    });
    for (let i = 0; i < 7; i++) w.sink(record(i));
    await until(() => fake.ok.length === 2);
    assert.deepEqual(
      fake.ok.map((c) => c.rows.length),
      [3, 3],
    );
    assert.equal(w.stats().queued, 1);
    await w.flush();
    assert.deepEqual(ids(fake.ok), ['req-0', 'req-1', 'req-2', 'req-3', 'req-4', 'req-5', 'req-6']);
    assert.equal(w.stats().written, 7);
    await w.close();
  });

  it('cuts a partial batch by time', async () => {
    const fake = fakeInsert();
    const w = createRecordWriter({
      insert: fake.insert,
      batchRows: 1000,
      flushMs: 20,
      maxQueueRows: 10_000,
      spoolDir: spoolDir(),
    });
    w.sink(record(1));
    w.sink(record(2));
    await until(() => fake.ok.length === 1, 1000);
    assert.deepEqual(ids(fake.ok), ['req-1', 'req-2']);
    await w.close();
  });

  it('retries with backoff, then spools the batch; replays it in order once ClickHouse is back', async () => {
    let down = true;
    const fake = fakeInsert(() => down);
    const { logger, lines } = logs();
    const w = createRecordWriter({
      insert: fake.insert,
      batchRows: 2,
      flushMs: 60_000,
      maxQueueRows: 100,
      spoolDir: spoolDir(),
      retry: fast,
      logger,
    });
    for (let i = 0; i < 6; i++) w.sink(record(i));
    await until(() => w.stats().spooledBatches === 3 && w.stats().queued === 0);
    const first = fake.calls.filter((c) => c.rows[0]!.request_id === 'req-0');
    assert.ok(first.length >= 3, 'the first batch is attempted three times before spooling');
    assert.equal(new Set(first.map((c) => c.batchId)).size, 1, 'one batch id across retries');
    const gaps = first.slice(1).map((c, i) => c.at - first[i]!.at);
    assert.ok(gaps[1]! >= gaps[0]!, `backoff grows: ${gaps.join(',')}`);
    assert.ok(lines.some((l) => l.level === 'warn'));
    down = false;
    await until(() => w.stats().spooledBatches === 0);
    assert.deepEqual(ids(fake.ok), ['req-0', 'req-1', 'req-2', 'req-3', 'req-4', 'req-5']);
    assert.equal(w.stats().written, 6);
    assert.equal(w.stats().dropped, 0);
    await w.close();
  });

  it('replays the spool oldest first after a restart, with the batch ids it was spooled with', async () => {
    const dir = spoolDir();
    const { writer: w1, files } = await spoolWhileDown(dir, 95);
    assert.equal(w1.stats().spooledBatches, 10);
    assert.equal(w1.stats().queued, 0);
    assert.equal(files.length, 10);

    const up = fakeInsert();
    const w2 = spoolWriter(dir, up.insert);
    w2.sink(record(95));
    await w2.flush();
    await until(() => w2.stats().spooledBatches === 0);
    assert.deepEqual(
      ids(up.ok),
      Array.from({ length: 96 }, (_, i) => `req-${i}`),
    );
    assert.deepEqual(
      up.ok.slice(0, 10).map((c) => c.batchId),
      files.map((f) => f.slice(17, -'.jsonl'.length)),
    );
    assert.deepEqual(readdirSync(dir), []);
    await w2.close();
  });

  it('spools beyond maxQueueRows instead of growing memory', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inserted: string[] = [];
    const w = createRecordWriter({
      insert: async (_t, rows) => {
        await gate;
        for (const r of rows) inserted.push((r as { request_id: string }).request_id);
      },
      batchRows: 100,
      flushMs: 60_000,
      maxQueueRows: 500,
      spoolDir: spoolDir(),
    });
    let maxQueued = 0;
    for (let i = 0; i < 5000; i++) {
      w.sink(record(i));
      if (i % 100 === 0) await sleep(0);
      maxQueued = Math.max(maxQueued, w.stats().queued);
    }
    await until(() => w.stats().queued <= 500);
    assert.ok(w.stats().spooledBatches > 0);
    release();
    await w.flush();
    await until(() => w.stats().spooledBatches === 0);
    assert.equal(inserted.length, 5000);
    assert.equal(new Set(inserted).size, 5000);
    assert.deepEqual(
      inserted.map((id) => Number(id.slice(4))),
      Array.from({ length: 5000 }, (_, i) => i),
      'global order kept across memory and spool',
    );
    await w.close();
  });

  it('drops rows loudly when the spool cannot be written (disk full)', async () => {
    const fake = fakeInsert(() => true);
    const { logger, lines } = logs();
    const dropped: [number, string][] = [];
    const w = createRecordWriter({
      insert: fake.insert,
      batchRows: 5,
      flushMs: 60_000,
      maxQueueRows: 100,
      spoolDir: spoolDir(),
      retry: fast,
      logger,
      spoolIo: {
        writeFile: () =>
          Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })),
      },
      metrics: {
        queueDepth: () => undefined,
        spool: () => undefined,
        rowsWritten: () => undefined,
        rowsDropped: (n, reason) => dropped.push([n, reason]),
        rowsRejected: () => undefined,
        rowsSanitized: () => undefined,
        flushDuration: () => undefined,
      },
    });
    for (let i = 0; i < 10; i++) w.sink(record(i));
    await w.flush();
    assert.equal(w.stats().dropped, 10);
    assert.deepEqual(dropped, [
      [5, 'spool_write_failed'],
      [5, 'spool_write_failed'],
    ]);
    assert.equal(lines.filter((l) => l.level === 'error').length, 2, 'logged at error level every time');
    assert.equal(w.stats().spooledBatches, 0);
    await w.close();
  });

  it('caps memory when neither ClickHouse nor the spool keeps up, dropping loudly beyond maxMemoryRows', async () => {
    const { logger, lines } = logs();
    const never = () => new Promise<void>(() => undefined);
    const w = createRecordWriter({
      insert: never,
      batchRows: 10,
      flushMs: 20,
      maxQueueRows: 100,
      maxMemoryRows: 200,
      spoolDir: spoolDir(),
      logger,
      spoolIo: { writeFile: never },
    });
    for (let i = 0; i < 1000; i++) w.sink(record(i));
    assert.equal(w.stats().queued, 200);
    assert.equal(w.stats().dropped, 800);
    await until(() => lines.some((l) => l.level === 'error' && l.fields?.reason === 'queue_overflow'));
    assert.equal(lines.find((l) => l.fields?.reason === 'queue_overflow')!.fields!.rows, 800);
  });

  it('close() flushes the queue; records after close are dropped and counted', async () => {
    const fake = fakeInsert();
    const w = createRecordWriter({
      insert: fake.insert,
      batchRows: 100,
      flushMs: 60_000,
      maxQueueRows: 1000,
      spoolDir: spoolDir(),
    });
    for (let i = 0; i < 5; i++) w.sink(record(i));
    await w.close();
    assert.equal(ids(fake.ok).length, 5);
    w.sink(record(99));
    assert.equal(w.stats().dropped, 1);
    await w.close();
  });

  it('close() during an outage spools what is queued, without waiting for retries', async () => {
    const fake = fakeInsert(() => true);
    const dir = spoolDir();
    const w = spoolWriter(dir, fake.insert, { retry: { baseMs: 10_000, maxMs: 10_000 } });
    for (let i = 0; i < 25; i++) w.sink(record(i));
    const started = Date.now();
    await w.close();
    assert.ok(Date.now() - started < 2000);
    assert.equal(readdirSync(dir).length, 3);
    assert.equal(w.stats().dropped, 0);
  });

  it('close() while an insert hangs spools the queue at once (nothing waits on the warehouse)', async () => {
    const calls: string[] = [];
    let release: () => void = () => {};
    const dir = spoolDir();
    const w = createRecordWriter({
      // The first insert never answers until released; a server that hangs.
      insert: (_table, _rows, batchId) => {
        calls.push(batchId);
        return new Promise<void>((resolve) => (release = resolve));
      },
      batchRows: 25,
      flushMs: 60_000,
      maxQueueRows: 1000,
      spoolDir: dir,
      retry: fast,
    });
    for (let i = 0; i < 100; i++) w.sink(record(i));
    await until(() => calls.length === 1);
    const closing = w.close();
    // The three batches behind the hanging insert reach the spool while it still hangs.
    await until(() => readdirSync(dir).filter((f) => !f.startsWith('.')).length === 3);
    assert.equal(calls.length, 1);
    release();
    await closing;
    assert.equal(w.stats().dropped, 0);
    assert.equal(w.stats().written + 25 * readdirSync(dir).filter((f) => !f.startsWith('.')).length, 100);
  });

  it('a spool file that vanished (replayed by another process) is skipped, not retried forever', async () => {
    const dir = spoolDir();
    const { files } = await spoolWhileDown(dir, 20);
    assert.equal(files.length, 2);
    const up = fakeInsert();
    const { logger, lines } = logs();
    const w2 = spoolWriter(dir, up.insert, { logger });
    rmSync(join(dir, files[0]!));
    for (let i = 20; i < 30; i++) w2.sink(record(i));
    await w2.flush();
    await until(() => w2.stats().spooledBatches === 0 && w2.stats().written === 20);
    assert.deepEqual(
      ids(up.ok),
      Array.from({ length: 20 }, (_, i) => `req-${i + 10}`),
    );
    assert.ok(lines.some((l) => l.msg === 'analytics spool file vanished; skipped'));
    await w2.close();
  });

  it('isolates rows ClickHouse refuses as bad data and stores the rest', async () => {
    const stored: string[] = [];
    const w = createRecordWriter({
      insert: async (_t, rows) => {
        if (rows.some((r) => (r as { status: unknown }).status === 'bad'))
          throw Object.assign(new Error('Cannot parse input'), { code: '27' });
        for (const r of rows) stored.push((r as { request_id: string }).request_id);
      },
      sanitize: (r) => (r.request_id === 'req-7' ? { ...r, status: 'bad' } : r),
      batchRows: 16,
      flushMs: 60_000,
      maxQueueRows: 1000,
      spoolDir: spoolDir(),
    });
    for (let i = 0; i < 16; i++) w.sink(record(i));
    await w.flush();
    assert.equal(stored.length, 15);
    assert.ok(!stored.includes('req-7'));
    assert.deepEqual(w.stats().rejected, { clickhouse_refused: 1 });
    await w.close();
  });

  it('rejects a record that cannot be made storable, without stopping the batch', async () => {
    const fake = fakeInsert();
    const { logger, lines } = logs();
    const w = createRecordWriter({
      insert: fake.insert,
      sanitize: (r) => {
        if (r.request_id === 'req-1') throw new Error('boom');
        return r;
      },
      logger,
      batchRows: 3,
      flushMs: 60_000,
      maxQueueRows: 1000,
      spoolDir: spoolDir(),
    });
    for (let i = 0; i < 3; i++) w.sink(record(i));
    await w.flush();
    assert.deepEqual(ids(fake.ok), ['req-0', 'req-2']);
    assert.deepEqual(w.stats().rejected, { unserializable: 1 });
    assert.ok(lines.some((l) => l.level === 'error'));
    await w.close();
  });
});
