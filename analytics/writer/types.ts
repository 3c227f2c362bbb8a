// The record writer's public contract: options, the metric callbacks the wiring connects to the
// gateway's registry, and the handle returned to the record stage and to shutdown.
import type { RequestRecord } from '../record.js';

/**
 * Inserts rows into a table. `batchId` is stable for a batch across retries, spooling and restarts: the
 * wiring passes it as `insert_deduplication_token` so that a batch whose ack was lost is not stored twice.
 * `encoded` is the output of the writer's `encode` option for the batch, when it has it (a batch encoded
 * ahead of its insert, or spooled as bytes); then `rows` is empty when the encoder can decode (the writer
 * keeps only the bytes), and the bytes are the batch. Otherwise (halves of a split batch, old spool files)
 * the function encodes `rows` itself.
 */
export type InsertFn = (
  table: string,
  rows: readonly object[],
  batchId: string,
  encoded?: Buffer,
) => Promise<void>;

export interface WriterLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Event callbacks, called off the request path (on batch cuts, inserts and spool writes), never per record:
 * the live queue depth is also available from `stats()` for a gauge read at scrape time.
 */
export interface WriterMetrics {
  queueDepth(rows: number): void;
  spool(files: number, bytes: number): void;
  rowsWritten(rows: number): void;
  /** Rows lost: spool write failed (disk full) or records arrived after close. */
  rowsDropped(rows: number, reason: string): void;
  /** Rows refused: could not be made storable, or ClickHouse refused them as bad data. */
  rowsRejected(rows: number, reason: string): void;
  /** Fields repaired and stored (truncated, non-finite number, malformed text). */
  rowsSanitized(rows: number, reason: string): void;
  flushDuration(seconds: number, outcome: 'written' | 'failed' | 'spooled'): void;
}

/** Spool file operations, injectable so that tests can simulate a full disk. */
export interface SpoolIo {
  /** Writes `data` to `path` durably: the file is fsynced before the promise resolves. */
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Fsyncs a directory so that a rename survives a crash. */
  syncDir(dir: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  unlink(path: string): Promise<void>;
}

/**
 * One batch's encoding, written row by row while the batch is cleaned: the check that a row needs no
 * cleaning is made by the encoder as it writes each value, instead of in a pass of its own.
 */
export interface RowEncoder {
  /**
   * Appends `row` if `cleanRow` would return it unchanged (every enumerable field written and clean) and
   * returns true; otherwise writes nothing and returns false, and the caller appends what `cleanRow` makes.
   */
  tryAppend(row: object): boolean;
  /** Appends a row as it is (one `cleanRow` made). */
  append(row: object): void;
  /** The bytes of every appended row; the encoder is not used after. */
  finish(): Buffer;
}

/** Encodes a batch's cleaned rows; with `rowEncoder`, the writer cleans and encodes in one pass instead. */
export interface BatchEncode {
  (rows: readonly object[]): Promise<Buffer>;
  rowEncoder?: (limits: RowLimits, rows: number) => RowEncoder;
  /**
   * Reads the bytes back. With it, an encoded batch is held only as bytes (in memory: ≈ 0.5 KB per request
   * record instead of ≈ 1.2 KB for the record objects; in the spool: written and replayed as they are),
   * and turned back into rows only when ClickHouse refuses it and it must be split.
   */
  decoder?: BatchDecoder;
}

export interface BatchDecoder {
  /** One line that names the bytes' layout (e.g. the column list); a spool file starts with it. */
  layout: string;
  /** The rows of `bytes` written in `layout` (this one or an older one from the spool). */
  decode(bytes: Buffer, layout: string, onBadLine: () => void): Promise<object[]>;
}

/** R: what the sink accepts (RequestRecord by default; the audit-body writer queues BodyRecords). */
export interface RecordWriterOptions<R extends object = RequestRecord> {
  insert: InsertFn;
  /** Default `requests`. */
  table?: string;
  /** Rows per insert batch. */
  batchRows: number;
  /** A partial batch is flushed after this long. */
  flushMs: number;
  /** In-memory bound: beyond it, batches are written to the spool instead of waiting in memory. */
  maxQueueRows: number;
  /**
   * Hard memory cap, for when the spool cannot keep up either (disk slower than the producer): records
   * beyond it are dropped, counted as `queue_overflow` and logged at error level once per flush interval.
   * Default: no cap (the queue grows past maxQueueRows while the spool lags). Suggested: 2 * maxQueueRows.
   */
  maxMemoryRows?: number;
  spoolDir: string;
  metrics?: WriterMetrics;
  logger?: WriterLogger;
  /** Backoff between failed inserts: base * 2^n, capped at max. `attempts` per live batch before spooling. */
  retry?: { baseMs: number; maxMs: number; attempts?: number };
  /** Maps a record to a row (e.g. adds team, app...). Its output is then cleaned by `cleanRow`. */
  sanitize?: (record: R) => object;
  /**
   * Encodes a batch's cleaned rows for the insert (e.g. JSONCompactEachRow text), in the flush: the writer
   * runs it for the next batch while the current insert is in flight, so that the JS work overlaps the
   * engine's, and hands the result to `insert` as `encoded`.
   */
  encode?: BatchEncode;
  /** Limits applied by the row cleaner. */
  limits?: Partial<RowLimits>;
  /** Whether an insert error means bad rows (split the batch to isolate them) rather than an outage. */
  isDataError?: (err: unknown) => boolean;
  spoolIo?: Partial<SpoolIo>;
}

export interface RowLimits {
  /** Characters per string field unless listed in `fieldChars`. */
  stringChars: number;
  fieldChars: Readonly<Record<string, number>>;
  /** Entries per map or array field. */
  collectionEntries: number;
  /** Serialized size of one map or array field, in UTF-16 units. */
  collectionChars: number;
}

export interface WriterStats {
  /** Rows in memory not yet stored or spooled. */
  queued: number;
  /** Of those, the rows held only as encoded bytes, and the bytes (the rest are record objects). */
  encodedRows: number;
  encodedBytes: number;
  spooledBatches: number;
  spooledBytes: number;
  written: number;
  dropped: number;
  rejected: Record<string, number>;
  sanitized: Record<string, number>;
}

export interface RecordWriter<R extends object = RequestRecord> {
  sink: (record: R) => void;
  /** Resolves once every record queued before the call is in ClickHouse, in the spool, or counted dropped. */
  flush(): Promise<void>;
  /** Flushes the queue to ClickHouse or the spool and stops timers; later records are dropped (counted). */
  close(): Promise<void>;
  stats(): WriterStats;
}
