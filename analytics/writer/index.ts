// The analytics record writer: bounded memory, batched inserts, a disk spool for outages.
export { createRecordWriter } from './writer.js';
export { cleanRow, DEFAULT_LIMITS } from './clean-row.js';
export { isClickHouseDataError } from './insert-batch.js';
export type {
  InsertFn,
  RecordWriter,
  RecordWriterOptions,
  RowLimits,
  SpoolIo,
  WriterLogger,
  WriterMetrics,
  WriterStats,
} from './types.js';
