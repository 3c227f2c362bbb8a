// Connects the gateway's record stage to the warehouse: migrations (at start, retried until they succeed),
// the batching writer with its disk spool, client-IP anonymisation, and the writer's numbers on /metrics.
// With analytics.bodies on, a second writer of the same kind (own queue, spool and bound) fills the audit
// log `request_bodies`, redacting in its flush.
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { Counter, Gauge, Histogram, type Registry } from '../dataplane/observability/metrics.js';
import type { Logger } from '../dataplane/observability/logger.js';
import { createBodyRowMapper } from './bodies/redact-bodies.js';
import { BODY_COLUMNS, type BodyRecord, type BodySink } from './bodies/record.js';
import { createAnalyticsClient, type AnalyticsClient } from './clickhouse.js';
import type { AnalyticsConfig } from './config-schema.js';
import { runMigrations } from './migrate.js';
import { REQUEST_COLUMNS, REQUESTS_INSERT_TABLE, type RecordSink, type RequestRecord } from './record.js';
import { createTableInsert, type TableInsert } from './table-insert.js';
import {
  createRecordWriter,
  DEFAULT_LIMITS,
  isClickHouseDataError,
  type InsertFn,
  type RecordWriter,
} from './writer/index.js';

export interface Recorder {
  readonly sink: RecordSink;
  /** Present when analytics.bodies is enabled. */
  readonly bodySink?: BodySink;
  readonly backend: AnalyticsClient['kind'];
  /** Flushes the queue (to ClickHouse, or the spool) and closes the client when the recorder opened it. */
  close(): Promise<void>;
  writer: RecordWriter;
  bodyWriter?: RecordWriter<BodyRecord>;
}

export interface RecorderDeps {
  registry: Registry;
  logger: Logger;
  /** A client shared by several gateways of one process (chDB allows one data directory per process). */
  client?: AnalyticsClient;
}

const MIGRATION_RETRY_MS = 5_000;

export async function startRecorder(config: AnalyticsConfig, deps: RecorderDeps): Promise<Recorder> {
  const { logger } = deps;
  const owned = deps.client === undefined;
  const analytics = deps.client ?? createAnalyticsClient(config);
  const client: ClickHouseClient = analytics.client;
  // Inserts wait for the schema; while migrations fail (server down), inserts fail too and batches spool.
  let migrated: Promise<void> | undefined;
  const ensureMigrated = () => {
    migrated ??= runMigrations(client, config).then(
      (result) => {
        if (result.applied.length > 0)
          logger.info('analytics migrations applied', { applied: result.applied });
      },
      (error: unknown) => {
        logger.error('analytics migrations failed; records are spooled until they succeed', { err: error });
        setTimeout(() => (migrated = undefined), MIGRATION_RETRY_MS).unref();
        throw error;
      },
    );
    return migrated;
  };
  await ensureMigrated().catch(() => undefined);

  /** Inserts wait for the schema (and spool while it cannot be created). */
  const afterMigrations =
    (insert: InsertFn): InsertFn =>
    async (...args) => {
      await ensureMigrated();
      await insert(...args);
    };
  const rawInsert = analytics.rawInsert === undefined ? {} : { rawInsert: analytics.rawInsert };
  const requests = createTableInsert(client, {
    database: config.database,
    columns: REQUEST_COLUMNS,
    ...rawInsert,
  });
  const metrics = writerMetrics(deps.registry, 'gateway_analytics', 'Request records', () => writer.stats());
  const writer = createRecordWriter({
    insert: afterMigrations(requests.insert),
    encode: requests.encode,
    table: REQUESTS_INSERT_TABLE,
    batchRows: config.batch_rows,
    flushMs: config.flush_ms,
    maxQueueRows: config.max_queue_rows,
    spoolDir: config.spool_dir,
    metrics,
    logger,
    isDataError: isClickHouseDataError,
    sanitize: (record) => anonymise(record, config.client_ip, config.client_ip_hash_key),
  });
  const bodyWriter = config.bodies.enabled
    ? startBodyWriter(
        config,
        deps,
        createTableInsert(client, { database: config.database, columns: BODY_COLUMNS, ...rawInsert }),
        afterMigrations,
      )
    : undefined;
  return {
    sink: writer.sink,
    ...(bodyWriter === undefined ? {} : { bodySink: bodyWriter.sink }),
    backend: analytics.kind,
    writer,
    ...(bodyWriter === undefined ? {} : { bodyWriter }),
    async close() {
      await Promise.all([writer.close(), bodyWriter?.close()]);
      if (owned) await analytics.close();
    },
  };
}

function startBodyWriter(
  config: AnalyticsConfig,
  deps: RecorderDeps,
  inserter: TableInsert,
  afterMigrations: (insert: InsertFn) => InsertFn,
): RecordWriter<BodyRecord> {
  const { bodies } = config;
  const writer: RecordWriter<BodyRecord> = createRecordWriter<BodyRecord>({
    insert: afterMigrations(inserter.insert),
    encode: inserter.encode,
    table: 'request_bodies',
    batchRows: bodies.batch_rows,
    flushMs: config.flush_ms,
    maxQueueRows: bodies.max_queue_rows,
    // Bodies are up to 2 × max_bytes per row: past twice the bound, rows are dropped (counted) rather than
    // letting a disk slower than the traffic grow the heap.
    maxMemoryRows: 2 * bodies.max_queue_rows,
    // A directory of its own: the requests spool replays only its files, in its own sequence.
    spoolDir: join(config.spool_dir, 'bodies'),
    metrics: writerMetrics(deps.registry, 'gateway_analytics_bodies', 'Audit body rows', () =>
      writer.stats(),
    ),
    logger: deps.logger,
    isDataError: isClickHouseDataError,
    sanitize: createBodyRowMapper({ redact: bodies.redact, maxBytes: bodies.max_bytes }),
    // Redaction can lengthen a body a little ([EMAIL_1] for a@b.io); the capture already bounded it.
    limits: {
      fieldChars: {
        ...DEFAULT_LIMITS.fieldChars,
        request_body: 2 * bodies.max_bytes,
        response_body: 2 * bodies.max_bytes,
      },
    },
  });
  return writer;
}

/** client_ip: full | truncate (/24 IPv4, /48 IPv6) | hash (HMAC-SHA-256 with the configured key, 16 hex) | drop. */
export function anonymise(
  record: RequestRecord,
  mode: AnalyticsConfig['client_ip'],
  hashKey?: string,
): RequestRecord {
  if (mode === 'full' || record.client_ip === '') return record;
  let ip = '';
  if (mode === 'truncate') {
    if (record.client_ip.includes(':')) {
      const groups = record.client_ip.split('::')[0]!.split(':').slice(0, 3);
      ip = `${groups.join(':')}::`;
    } else ip = record.client_ip.replace(/\.\d+$/, '.0');
  } else if (mode === 'hash') {
    // The schema requires the key with this mode; without one the address is dropped rather than exposed.
    ip =
      hashKey === undefined
        ? ''
        : createHmac('sha256', hashKey).update(record.client_ip).digest('hex').slice(0, 16);
  }
  return { ...record, client_ip: ip };
}

function writerMetrics(
  registry: Registry,
  prefix: string,
  what: string,
  stats: () => { queued: number; spooledBatches: number; spooledBytes: number },
) {
  const rows = registry.register(
    new Counter(`${prefix}_rows_total`, `${what} by outcome in the warehouse writer.`, ['outcome', 'reason']),
  );
  registry.register(
    new Gauge(
      `${prefix}_queue_rows`,
      `${what} waiting in memory for the warehouse.`,
      [],
      () => stats().queued,
    ),
  );
  registry.register(
    new Gauge(
      `${prefix}_spool_batches`,
      'Batches waiting in the disk spool.',
      [],
      () => stats().spooledBatches,
    ),
  );
  registry.register(
    new Gauge(`${prefix}_spool_bytes`, 'Bytes in the disk spool.', [], () => stats().spooledBytes),
  );
  const flush = registry.register(
    new Histogram(
      `${prefix}_flush_seconds`,
      'Duration of warehouse flushes.',
      ['outcome'],
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    ),
  );
  return {
    queueDepth: () => undefined,
    spool: () => undefined,
    rowsWritten: (n: number) => rows.inc({ outcome: 'written', reason: '' }, n),
    rowsDropped: (n: number, reason: string) => rows.inc({ outcome: 'dropped', reason }, n),
    rowsRejected: (n: number, reason: string) => rows.inc({ outcome: 'rejected', reason }, n),
    rowsSanitized: (n: number, reason: string) => rows.inc({ outcome: 'sanitized', reason }, n),
    flushDuration: (seconds: number, outcome: string) => flush.observe(seconds, { outcome }),
  };
}
