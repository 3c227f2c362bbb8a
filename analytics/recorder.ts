// Connects the gateway's record stage to the warehouse: migrations (at start, retried until they succeed),
// the batching writer with its disk spool, client-IP anonymisation, and the writer's numbers on /metrics.
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { Counter, Gauge, Histogram, type Registry } from '../dataplane/observability/metrics.js';
import type { Logger } from '../dataplane/observability/logger.js';
import { createAnalyticsClient, type AnalyticsClient } from './clickhouse.js';
import type { AnalyticsConfig } from './config-schema.js';
import { runMigrations } from './migrate.js';
import type { RecordSink, RequestRecord } from './record.js';
import { createRecordWriter, isClickHouseDataError, type RecordWriter } from './writer/index.js';

export interface Recorder {
  readonly sink: RecordSink;
  readonly backend: AnalyticsClient['kind'];
  /** Flushes the queue (to ClickHouse, or the spool) and closes the client when the recorder opened it. */
  close(): Promise<void>;
  writer: RecordWriter;
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

  const metrics = writerMetrics(deps.registry, () => writer.stats());
  const writer = createRecordWriter({
    insert: async (table, rows, batchId) => {
      await ensureMigrated();
      await client.insert({
        table: `${config.database}.${table}`,
        values: rows as object[],
        format: 'JSONEachRow',
        clickhouse_settings: { date_time_input_format: 'best_effort', insert_deduplication_token: batchId },
      });
    },
    batchRows: config.batch_rows,
    flushMs: config.flush_ms,
    maxQueueRows: config.max_queue_rows,
    spoolDir: config.spool_dir,
    metrics,
    logger,
    isDataError: isClickHouseDataError,
    sanitize: (record) => anonymise(record, config.client_ip),
  });
  return {
    sink: writer.sink,
    backend: analytics.kind,
    writer,
    async close() {
      await writer.close();
      if (owned) await analytics.close();
    },
  };
}

/** client_ip: full | truncate (/24 IPv4, /48 IPv6) | hash (SHA-256, first 16 hex) | drop. */
export function anonymise(record: RequestRecord, mode: AnalyticsConfig['client_ip']): RequestRecord {
  if (mode === 'full' || record.client_ip === '') return record;
  let ip = '';
  if (mode === 'truncate') {
    if (record.client_ip.includes(':')) {
      const groups = record.client_ip.split('::')[0]!.split(':').slice(0, 3);
      ip = `${groups.join(':')}::`;
    } else ip = record.client_ip.replace(/\.\d+$/, '.0');
  } else if (mode === 'hash') ip = createHash('sha256').update(record.client_ip).digest('hex').slice(0, 16);
  return { ...record, client_ip: ip };
}

function writerMetrics(
  registry: Registry,
  stats: () => { queued: number; spooledBatches: number; spooledBytes: number },
) {
  const rows = registry.register(
    new Counter('gateway_analytics_rows_total', 'Request records by outcome in the warehouse writer.', [
      'outcome',
      'reason',
    ]),
  );
  registry.register(
    new Gauge(
      'gateway_analytics_queue_rows',
      'Records waiting in memory for the warehouse.',
      [],
      () => stats().queued,
    ),
  );
  registry.register(
    new Gauge(
      'gateway_analytics_spool_batches',
      'Batches waiting in the disk spool.',
      [],
      () => stats().spooledBatches,
    ),
  );
  registry.register(
    new Gauge('gateway_analytics_spool_bytes', 'Bytes in the disk spool.', [], () => stats().spooledBytes),
  );
  const flush = registry.register(
    new Histogram(
      'gateway_analytics_flush_seconds',
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
