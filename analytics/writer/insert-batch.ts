// Inserts one batch so that bad rows cannot block the pipeline: when ClickHouse refuses the data itself
// (a parse or type error, not an outage), the batch is split in halves until the refused rows are isolated
// and rejected. Sub-batches get tokens derived from the batch id, so a retry after a lost ack still
// deduplicates, half by half.
import type { InsertFn } from './types.js';

/** ClickHouse error codes that mean "these rows are bad", whatever the server's health. */
const DATA_ERROR_CODES = new Set([
  '6', // CANNOT_PARSE_TEXT
  '26', // CANNOT_PARSE_QUOTED_STRING
  '27', // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '32', // ATTEMPT_TO_READ_AFTER_EOF
  '38', // CANNOT_PARSE_DATE
  '41', // CANNOT_PARSE_DATETIME
  '53', // TYPE_MISMATCH
  '69', // ARGUMENT_OUT_OF_BOUND
  '70', // CANNOT_CONVERT_TYPE
  '72', // CANNOT_PARSE_NUMBER
  '117', // INCORRECT_DATA
  '131', // TOO_LARGE_STRING_SIZE
]);

/** Engines that report no code (chDB in process) still say what went wrong in the message. */
const DATA_ERROR_TEXT =
  /Cannot parse|CANNOT_PARSE|TYPE_MISMATCH|INCORRECT_DATA|Cannot convert|CANNOT_CONVERT/;

export function isClickHouseDataError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if ((typeof code === 'string' || typeof code === 'number') && DATA_ERROR_CODES.has(String(code)))
    return true;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && DATA_ERROR_TEXT.test(message);
}

export interface BatchInsertResult {
  written: number;
  rejected: number;
}

/**
 * A batch as it is sent: its rows, or (when `encoded` carries them) only their count and a way to get them
 * back, which is needed only when the batch must be split.
 */
export type BatchPayload =
  | { rows: readonly object[]; encoded?: Buffer }
  | { rows?: undefined; encoded: Buffer; count: number; decode: () => Promise<object[]> };

/** Throws only for errors that are not about the data (outage, timeout): the caller retries or spools. */
export async function insertBatch(
  insert: InsertFn,
  table: string,
  payload: BatchPayload,
  batchId: string,
  isDataError: (err: unknown) => boolean,
): Promise<BatchInsertResult> {
  const count = payload.rows === undefined ? payload.count : payload.rows.length;
  if (count === 0) return { written: 0, rejected: 0 };
  try {
    await insert(table, payload.rows ?? [], batchId, payload.encoded);
    return { written: count, rejected: 0 };
  } catch (err) {
    if (!isDataError(err)) throw err;
    if (count === 1) return { written: 0, rejected: 1 };
  }
  // Lines that cannot be read back at all are counted by `decode`; the halves carry the rest.
  const rows = payload.rows ?? (await payload.decode());
  const mid = rows.length >>> 1;
  const left = await insertBatch(insert, table, { rows: rows.slice(0, mid) }, `${batchId}-a`, isDataError);
  const right = await insertBatch(insert, table, { rows: rows.slice(mid) }, `${batchId}-b`, isDataError);
  return { written: left.written + right.written, rejected: left.rejected + right.rejected };
}
