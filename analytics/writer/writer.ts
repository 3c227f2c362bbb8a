// The record writer: records queued in O(1) from the record stage, cut into batches by size or time, and
// moved by three lanes that each run one operation at a time. The prepare lane cleans and encodes each batch
// as soon as it is cut, in order, in slices (so the engine, chDB on a libuv thread or a server, and the JS
// work overlap, and a batch waiting its turn is held as ≈ 0.5 KB of bytes per row rather than its record
// objects); the insert lane sends batches to ClickHouse in sequence order (spooled batches and in-memory
// ones alike); the spill lane writes batches to the spool while ClickHouse is failing or the in-memory
// queue passes its bound.
import { randomUUID } from 'node:crypto';
import type { RequestRecord } from '../record.js';
import { mapInSlices, fromJsonLines, toJsonLines } from './chunked.js';
import { cleanRow, DEFAULT_LIMITS, REPAIR_REASONS } from './clean-row.js';
import { insertBatch, isClickHouseDataError, type BatchPayload } from './insert-batch.js';
import { countLines } from './json-compact.js';
import { fileGone, Spool, type SpoolEntry } from './spool.js';
import type { RecordWriter, RecordWriterOptions, WriterLogger, WriterStats } from './types.js';

interface Batch<R> {
  seq: number;
  id: string;
  /** Records at the cut; emptied once the batch is prepared. */
  records: R[];
  /** Rows counted in `queued` (the records at the cut). */
  size: number;
  /** Cleaning and encoding, done once, ahead of the insert. */
  prepared?: Promise<void>;
  /** Cleaned rows: kept only when there are no bytes that can be read back instead. */
  rows?: object[];
  encoded?: Buffer;
  /** Rows after cleaning (records that could not be made storable are left out). */
  count: number;
  attempts: number;
}

interface Waiter {
  done: () => boolean;
  resolve: () => void;
}

const silentLogger: WriterLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** On close, an insert running this long is taken for a hanging warehouse: the queue behind it is spooled. */
const CLOSE_SPILL_AFTER_MS = 1_000;

export function createRecordWriter<R extends object = RequestRecord>(
  options: RecordWriterOptions<R>,
): RecordWriter<R> {
  const table = options.table ?? 'requests';
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const retry = { attempts: 3, ...(options.retry ?? { baseMs: 200, maxMs: 30_000 }) };
  const log = options.logger ?? silentLogger;
  const metrics = options.metrics;
  const isDataError = options.isDataError ?? isClickHouseDataError;
  const spool = new Spool(options.spoolDir, options.spoolIo);
  const decoder = options.encode?.decoder;
  // Off unless set: a cap trades lost rows for memory, a choice for the deployment, not a default.
  const maxMemoryRows = options.maxMemoryRows ?? Infinity;
  /** Overflow drops since the last report: counted in O(1) on the request path, logged by the timer. */
  let overflow = 0;

  let nextSeq = spool.maxSeq + 1;
  let open: R[] = [];
  const ready: Batch<R>[] = [];
  /** Rows in memory not yet settled (open, ready, being prepared or inserted, held for retry). */
  let queued = 0;
  /** Cut batches not yet settled, by sequence: what flush() waits on. */
  const pending = new Set<number>();
  let held: Batch<R> | undefined;
  let failures = 0;
  let retryAt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let insertBusy = false;
  /** performance.now() when the running insert (or replay) started. */
  let insertStartedAt = 0;
  let spillBusy = false;
  let prepareBusy = false;
  /** Rows of `queued` held only as encoded bytes, and those bytes. */
  let encodedRows = 0;
  let encodedBytes = 0;
  let scheduled = false;
  let closing = false;
  let flushWaiters = 0;
  const waiters: Waiter[] = [];
  let written = 0;
  let dropped = 0;
  const rejected: Record<string, number> = {};
  const sanitized: Record<string, number> = {};

  const count = (into: Record<string, number>, reason: string, n: number): void => {
    into[reason] = (into[reason] ?? 0) + n;
  };
  const reject = (reason: string, n: number): void => {
    if (n === 0) return;
    count(rejected, reason, n);
    metrics?.rowsRejected(n, reason);
  };
  const drop = (reason: string, n: number, fields: Record<string, unknown>): void => {
    dropped += n;
    metrics?.rowsDropped(n, reason);
    // Every time: a drop means lost analytics rows, which must never go unnoticed.
    log.error('analytics rows dropped', { reason, rows: n, ...fields });
  };
  const reportSpool = (): void => metrics?.spool(spool.files, spool.bytes);

  const checkWaiters = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.done()) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };
  const waitUntil = (done: () => boolean): Promise<void> =>
    done() ? Promise.resolve() : new Promise((resolve) => waiters.push({ done, resolve }));

  const cut = (): void => {
    if (open.length === 0) return;
    const records = open;
    open = [];
    const batch: Batch<R> = {
      seq: nextSeq++,
      id: randomUUID(),
      records,
      size: records.length,
      count: records.length,
      attempts: 0,
    };
    ready.push(batch);
    pending.add(batch.seq);
    metrics?.queueDepth(queued);
  };

  /** Lets go of a batch's bytes once they are stored or spooled. */
  const release = (batch: Batch<R>): void => {
    if (batch.encoded === undefined) return;
    if (batch.rows === undefined) {
      encodedRows -= batch.size;
      encodedBytes -= batch.encoded.length;
    }
    batch.encoded = undefined;
  };

  const settle = (batch: Batch<R>): void => {
    release(batch);
    queued -= batch.size;
    pending.delete(batch.seq);
    metrics?.queueDepth(queued);
  };

  const kick = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };

  /**
   * Cleans a batch's records into rows (and encodes them), once: a batch retried, spooled, or prepared
   * ahead is not cleaned twice, and concurrent callers share the one preparation.
   */
  const prepare = (batch: Batch<R>): Promise<void> => (batch.prepared ??= prepareRows(batch));
  const prepareRows = async (batch: Batch<R>): Promise<void> => {
    const repairs = new Array<number>(REPAIR_REASONS.length).fill(0);
    let failed = 0;
    let firstError: unknown;
    // With a row encoder, each row is encoded as it is cleaned, in one pass in which the encoder also tells
    // whether the row needs the cleaner at all; otherwise the cleaned rows are encoded afterwards.
    const rowEncoder = options.encode?.rowEncoder;
    let encoder = rowEncoder?.(limits, batch.records.length);
    const encodeFailed = (err: unknown): void => {
      // Not fatal: the insert encodes the rows itself, and a split isolates whatever cannot be encoded.
      log.warn('analytics batch encoding failed', { batch: batch.id, err });
      encoder = undefined;
    };
    const rows = await mapInSlices(batch.records, (record) => {
      let row: object;
      let flags = 0;
      let appended = false;
      try {
        row = options.sanitize ? options.sanitize(record) : record;
        appended = encoder?.tryAppend(row) === true;
        if (!appended) ({ row, flags } = cleanRow(row, limits));
      } catch (err) {
        failed++;
        firstError ??= err;
        return undefined;
      }
      if (!appended && encoder !== undefined) {
        try {
          encoder.append(row);
        } catch (err) {
          encodeFailed(err);
        }
      }
      if (flags !== 0)
        for (let i = 0; i < REPAIR_REASONS.length; i++) if (flags & REPAIR_REASONS[i]![0]) repairs[i]!++;
      return row;
    });
    for (let i = 0; i < REPAIR_REASONS.length; i++) {
      if (repairs[i] === 0) continue;
      count(sanitized, REPAIR_REASONS[i]![1], repairs[i]!);
      metrics?.rowsSanitized(repairs[i]!, REPAIR_REASONS[i]![1]);
    }
    if (failed > 0) {
      reject('unserializable', failed);
      log.error('analytics records rejected: could not be made storable', { rows: failed, err: firstError });
    }
    batch.records = [];
    batch.count = rows.length;
    if (rows.length > 0 && encoder !== undefined) batch.encoded = encoder.finish();
    else if (rows.length > 0 && options.encode !== undefined && rowEncoder === undefined) {
      try {
        batch.encoded = await options.encode(rows);
      } catch (err) {
        encodeFailed(err);
      }
    }
    // Bytes that can be read back stand for the rows: the record objects are let go here.
    if (batch.encoded !== undefined && decoder !== undefined) {
      encodedRows += batch.size;
      encodedBytes += batch.encoded.length;
    } else batch.rows = rows;
  };

  /** What the insert sends for a prepared batch. */
  const payloadOf = (batch: Batch<R>): BatchPayload => {
    if (batch.rows !== undefined) return { rows: batch.rows, encoded: batch.encoded };
    const encoded = batch.encoded ?? Buffer.alloc(0);
    return { encoded, count: batch.count, decode: () => decodeBytes(encoded, decoder!.layout) };
  };

  const decodeBytes = async (bytes: Buffer, layout: string): Promise<object[]> => {
    let unreadable = 0;
    const rows = await decoder!.decode(bytes, layout, () => unreadable++);
    reject('spool_unreadable', unreadable);
    return rows;
  };

  const spoolBatch = async (batch: Batch<R>): Promise<void> => {
    const started = performance.now();
    try {
      await prepare(batch);
      if (batch.count > 0) {
        if (batch.rows === undefined) {
          const header = Buffer.from(`${decoder!.layout}\n`);
          await spool.write(batch.seq, batch.id, 'enc', Buffer.concat([header, batch.encoded!]));
        } else await spool.write(batch.seq, batch.id, 'jsonl', await toJsonLines(batch.rows));
        reportSpool();
        metrics?.flushDuration((performance.now() - started) / 1000, 'spooled');
      }
    } catch (err) {
      drop('spool_write_failed', batch.count, { batch: batch.id, err });
    }
    settle(batch);
  };

  const backoff = (): void => {
    failures++;
    const delay = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(failures - 1, 30));
    retryAt = Date.now() + delay;
  };

  const insertLive = async (batch: Batch<R>): Promise<void> => {
    const started = performance.now();
    try {
      await prepare(batch);
      const result = await insertBatch(options.insert, table, payloadOf(batch), batch.id, isDataError);
      failures = 0;
      held = undefined;
      written += result.written;
      metrics?.rowsWritten(result.written);
      reject('clickhouse_refused', result.rejected);
      metrics?.flushDuration((performance.now() - started) / 1000, 'written');
      settle(batch);
    } catch (err) {
      metrics?.flushDuration((performance.now() - started) / 1000, 'failed');
      backoff();
      batch.attempts++;
      log.warn('analytics insert failed', { batch: batch.id, attempt: batch.attempts, err });
      // Out of attempts, or someone is waiting (flush, shutdown): the spool keeps the batch, not memory.
      if (batch.attempts >= retry.attempts || closing || flushWaiters > 0) {
        held = undefined;
        await spoolBatch(batch);
      } else held = batch;
    }
  };

  const replay = async (entry: SpoolEntry): Promise<void> => {
    const started = performance.now();
    try {
      const result = await insertBatch(
        options.insert,
        table,
        await readSpooled(entry),
        entry.batchId,
        isDataError,
      );
      // Deleted only after the insert succeeded: a crash in between replays it, and the token dedups it.
      await spool.remove(entry);
      failures = 0;
      written += result.written;
      metrics?.rowsWritten(result.written);
      reject('clickhouse_refused', result.rejected);
      metrics?.flushDuration((performance.now() - started) / 1000, 'written');
      reportSpool();
    } catch (err) {
      // A file another process replayed (and removed) meanwhile, or one deleted by hand: nothing to send, and
      // it must not stay first in line, blocking every later batch.
      if (fileGone(err)) {
        spool.forget(entry);
        reportSpool();
        log.warn('analytics spool file vanished; skipped', { file: entry.file });
        return;
      }
      metrics?.flushDuration((performance.now() - started) / 1000, 'failed');
      backoff();
      log.warn('analytics spool replay failed', { file: entry.file, failures, err });
    }
  };

  /** A spool file as a batch: bytes sent as they are when their layout is still the encoder's. */
  const readSpooled = async (entry: SpoolEntry): Promise<BatchPayload> => {
    const data = await spool.read(entry);
    if (entry.kind === 'enc') {
      const eol = data.indexOf(0x0a);
      const layout = data.subarray(0, eol === -1 ? data.length : eol).toString('utf8');
      const bytes = data.subarray(eol === -1 ? data.length : eol + 1);
      // Written by a writer with a decoder; a configuration without one cannot read the file: it stays.
      if (decoder === undefined) throw new Error(`spool file ${entry.file} needs the encoder that wrote it`);
      if (layout === decoder.layout)
        return { encoded: bytes, count: countLines(bytes), decode: () => decodeBytes(bytes, layout) };
      // Written with other columns (an older version): rows by name, encoded anew for today's columns.
      return { rows: await decodeBytes(bytes, layout) };
    }
    let torn = 0;
    const rows = await fromJsonLines(data.toString('utf8'), () => torn++);
    reject('spool_unreadable', torn);
    return { rows };
  };

  const runPrepareLane = (): void => {
    // In order, the oldest batch not yet prepared: the insert lane takes them in that order.
    const next = ready.find((batch) => batch.prepared === undefined);
    if (next === undefined) return;
    prepareBusy = true;
    // prepare() settles errors per row; the catch only keeps a surprise from becoming an unhandled rejection.
    prepare(next)
      .catch(() => undefined)
      .finally(laneDone(() => (prepareBusy = false)));
  };

  const runInsertLane = (): void => {
    if (failures > 0 && Date.now() < retryAt) {
      if (retryTimer === undefined) {
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          kick();
        }, retryAt - Date.now());
        retryTimer.unref();
      }
      // A held batch is not worth waiting for when someone needs the queue settled now.
      if (held !== undefined && (closing || flushWaiters > 0)) {
        const batch = held;
        held = undefined;
        insertBusy = true;
        void spoolBatch(batch).finally(laneDone(() => (insertBusy = false)));
      }
      return;
    }
    let work: Promise<void> | undefined;
    if (held !== undefined) work = insertLive(held);
    else {
      // While closing, replay stops: shutdown should not wait on a backlog the next start will send.
      const oldest = closing ? undefined : spool.oldest();
      const head = ready[0];
      if (oldest !== undefined && (head === undefined || oldest.seq < head.seq)) work = replay(oldest);
      else if (head !== undefined) {
        ready.shift();
        work = insertLive(head);
      }
    }
    if (work === undefined) return;
    insertBusy = true;
    insertStartedAt = performance.now();
    void work.finally(laneDone(() => (insertBusy = false)));
  };

  const runSpillLane = (): void => {
    // Closing behind an insert that has run for a while (a warehouse that hangs): the queue goes to the spool,
    // so that stopping never waits on the warehouse for what the next start can send. A healthy insert is
    // waited for, so that a normal shutdown leaves everything in the warehouse.
    const closingBehindInsert =
      closing && insertBusy && performance.now() - insertStartedAt >= CLOSE_SPILL_AFTER_MS;
    if (ready.length === 0 || (failures === 0 && queued <= options.maxQueueRows && !closingBehindInsert))
      return;
    // Healthy but over the bound: spool the newest batch, keeping the next ones to insert in memory.
    const batch = failures > 0 ? ready.shift()! : ready.pop()!;
    spillBusy = true;
    void spoolBatch(batch).finally(laneDone(() => (spillBusy = false)));
  };

  const laneDone = (release: () => void) => (): void => {
    release();
    checkWaiters();
    kick();
  };

  function pump(): void {
    scheduled = false;
    if (!insertBusy) runInsertLane();
    if (!spillBusy) runSpillLane();
    if (!prepareBusy) runPrepareLane();
    checkWaiters();
  }

  const reportOverflow = (): void => {
    if (overflow === 0) return;
    const n = overflow;
    overflow = 0;
    drop('queue_overflow', n, { maxMemoryRows, spooledBatches: spool.files });
  };

  const timer = setInterval(() => {
    reportOverflow();
    if (open.length > 0) {
      cut();
      kick();
    }
  }, options.flushMs);
  timer.unref();
  if (spool.files > 0) {
    log.info('analytics spool found: replaying', { files: spool.files, bytes: spool.bytes });
    reportSpool();
  }
  kick();

  const settledThrough = (seq: number) => (): boolean => {
    for (const s of pending) if (s <= seq) return false;
    return true;
  };

  const flush = async (): Promise<void> => {
    cut();
    kick();
    flushWaiters++;
    try {
      await waitUntil(settledThrough(nextSeq - 1));
    } finally {
      flushWaiters--;
    }
  };

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      clearInterval(timer);
      reportOverflow();
      cut();
      closing = true;
      kick();
      // Looks again while closing, so that an insert that has become stuck (see runSpillLane) is noticed
      // whenever it started, before the close or because of it.
      const recheck = setInterval(kick, CLOSE_SPILL_AFTER_MS / 4);
      recheck.unref();
      await waitUntil(() => pending.size === 0 && !insertBusy && !spillBusy && !prepareBusy);
      clearInterval(recheck);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
    })();
    return closed;
  };

  return {
    sink: (record) => {
      if (closing) {
        drop('writer_closed', 1, { request_id: (record as { request_id?: unknown }).request_id });
        return;
      }
      if (queued >= maxMemoryRows) {
        overflow++;
        return;
      }
      open.push(record);
      queued++;
      if (open.length >= options.batchRows) {
        cut();
        kick();
      }
    },
    flush,
    close,
    stats: (): WriterStats => ({
      queued,
      encodedRows,
      encodedBytes,
      spooledBatches: spool.files,
      spooledBytes: spool.bytes,
      written,
      dropped: dropped + overflow,
      rejected: { ...rejected },
      sanitized: { ...sanitized },
    }),
  };
}
