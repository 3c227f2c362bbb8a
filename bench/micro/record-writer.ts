// The analytics record writer's budget (issue 6): sustained records/s into chDB (the migrated tables, through
// `requests_ingest` as the gateway writes), queue memory, event-loop stalls, and CPU per sink() call.
// Inserts are compared in the same process, alternating round by round (the machine is shared): `raw` is
// the writer's on chDB (JSONCompactEachRow encoded ahead in slices, chDB's raw insert), `exec` the same text
// through client.exec (the writer's path to a server), `json` the previous one (client.insert, JSONEachRow).
// Usage: node --expose-gc --import tsx bench/micro/record-writer.ts [--records N] [--batch-rows N]
//   [--formats raw,exec,json] [--rounds N] [--offered-per-s N]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { createAnalyticsClient, type AnalyticsClient } from '../../analytics/clickhouse.js';
import { runMigrations } from '../../analytics/migrate.js';
import { REQUEST_COLUMNS, REQUESTS_INSERT_TABLE, type RequestRecord } from '../../analytics/record.js';
import { createTableInsert } from '../../analytics/table-insert.js';
import { createRecordWriter, type InsertFn, type RecordWriterOptions } from '../../analytics/writer/index.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function record(i: number): RequestRecord {
  return {
    request_id: randomUUID(),
    client_request_id: i % 3 === 0 ? `client-${i}` : null,
    started_at: '2026-01-01T00:00:00.000Z',
    first_byte_at: '2026-01-01T00:00:00.050Z',
    ended_at: '2026-01-01T00:00:00.100Z',
    team: `team-${i % 10}`,
    app: `app-${i % 7}`,
    user: `user-${i % 1000}`,
    api_key_id: `key-${i % 50}`,
    endpoint: 'chat',
    method: 'POST',
    path: '/v1/chat/completions',
    model_requested: 'gpt-4o',
    model_routed: 'gpt-4o-2024-08-06',
    provider: 'openai',
    route_reason: 'default',
    deployment: 'openai-eu',
    region: 'eu-west-1',
    status: 200,
    error_code: null,
    error_message: null,
    stream: i % 2 === 0,
    client_aborted: false,
    prompt_tokens: 100 + (i % 900),
    completion_tokens: 200,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    prompt_tokens_counted: 100 + (i % 900),
    prompt_tokens_exact: true,
    pii_findings: i % 5 === 0 ? { EMAIL: 1 } : {},
    injection_score: 0.02,
    injection_signals: [],
    complexity_score: 0.4,
    complexity_class: 'medium',
    cost_nano_usd: 1_234_567,
    cache_status: 'miss',
    cache_similarity: null,
    cost_avoided_nano_usd: 0,
    latency_ms: 812.5,
    upstream_latency_ms: 800.1,
    upstream_ttfb_ms: 240.3,
    ttfb_ms: 245.9,
    gateway_overhead_ms: 1.2,
    bytes_in: 2048,
    bytes_out: 4096,
    client_ip: '10.1.2.3',
    user_agent: 'OpenAI/Python 1.40.0',
    tags: { env: 'prod', feature: 'chat' },
  };
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Heap held per queued record: records built and queued behind an insert that never returns. */
async function queueMemory(dir: string, rows: number): Promise<number> {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const writer = createRecordWriter({
    insert: () => gate,
    batchRows: 10_000,
    flushMs: 60_000,
    maxQueueRows: rows * 2,
    spoolDir: join(dir, 'spool-memory'),
  });
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < rows; i++) writer.sink(record(i));
  gc();
  const perRecord = (process.memoryUsage().heapUsed - before) / rows;
  if (writer.stats().queued !== rows)
    throw new Error(`expected ${rows} queued, got ${writer.stats().queued}`);
  // Let the writer finish (its insert stores nothing), so that it holds nothing during the runs.
  open();
  await writer.close();
  return perRecord;
}

/** CPU per sink() call on the request path (the flush work happens later, off the request). */
function sinkCpu(dir: string, calls: number): number {
  const writer = createRecordWriter({
    insert: () => Promise.resolve(),
    batchRows: 10_000,
    flushMs: 60_000,
    maxQueueRows: calls * 2,
    spoolDir: join(dir, 'spool-cpu'),
  });
  const records = Array.from({ length: calls }, (_, i) => record(i));
  for (let i = 0; i < 10_000; i++) writer.sink(records[i]!);
  const start = process.cpuUsage();
  for (let i = 10_000; i < calls; i++) writer.sink(records[i]!);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (calls - 10_000);
}

/**
 * The writer's own CPU per record off the request path (batching, cleaning, JSONCompactEachRow encoding),
 * with an insert that is free.
 */
async function writerCpu(client: ClickHouseClient, dir: string, rows: number): Promise<number> {
  const writer = createRecordWriter({
    insert: () => Promise.resolve(),
    // The production encoder (cleaning and encoding in one pass); its insert is never called.
    encode: createTableInsert(client, { columns: REQUEST_COLUMNS }).encode,
    batchRows: 10_000,
    flushMs: 60_000,
    maxQueueRows: rows * 2,
    spoolDir: join(dir, 'spool-writer-cpu'),
  });
  const records = Array.from({ length: rows }, (_, i) => record(i));
  const start = process.cpuUsage();
  for (const r of records) writer.sink(r);
  await writer.close();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / rows;
}

type Format = 'raw' | 'exec' | 'json';

/** The insert of each format: the writer's, and the JSONEachRow one it replaced, for comparison. */
function insertOf(
  analytics: AnalyticsClient,
  format: Format,
): Pick<RecordWriterOptions, 'insert' | 'encode'> {
  const client = analytics.client;
  if (format === 'raw')
    return createTableInsert(client, { columns: REQUEST_COLUMNS, rawInsert: analytics.rawInsert! });
  if (format === 'exec') return createTableInsert(client, { columns: REQUEST_COLUMNS });
  const insert: InsertFn = async (table, rows, batchId) => {
    await client.insert({
      table,
      values: rows,
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: batchId, date_time_input_format: 'best_effort' },
    });
  };
  return { insert };
}

interface RunResult {
  /** Records over the time from the first record to the last row stored (the final flush included). */
  perSecond: number;
  /** Rows stored per second while records were offered, after the first second (the sustained rate). */
  steadyPerSecond: number;
  /** From the last record offered to the last row stored. */
  drainMs: number;
  /** Peak of the queue's memory: record objects at the measured heap bytes each, plus encoded bytes. */
  peakQueueMb: number;
  cpuUsPerRecord: number;
  maxQueued: number;
  maxHeapMb: number;
  loopP99Ms: number;
  loopMaxMs: number;
  stored: number;
  dropped: number;
}

async function countRows(client: ClickHouseClient): Promise<number> {
  const rs = await client.query({
    query: 'SELECT toUInt32(count()) AS n FROM bench.requests',
    format: 'JSONEachRow',
  });
  const [{ n }] = await rs.json<{ n: number }>();
  return n;
}

async function throughput(
  analytics: AnalyticsClient,
  format: Format,
  spoolDir: string,
  total: number,
  batchRows: number,
  perMs: number,
  bytesPerRecord: number,
): Promise<RunResult> {
  const client = analytics.client;
  const before = await countRows(client);
  const maxQueueRows = 50_000;
  const writer = createRecordWriter({
    ...insertOf(analytics, format),
    table: `bench.${REQUESTS_INSERT_TABLE}`,
    batchRows,
    flushMs: 1000,
    maxQueueRows,
    spoolDir,
    logger: {
      info: (msg) => process.stderr.write(`${msg}\n`),
      warn: (msg, fields) => process.stderr.write(`${msg} ${String(fields?.err)}\n`),
      error: (msg, fields) => process.stderr.write(`${msg} ${String(fields?.err)}\n`),
    },
  });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let maxQueued = 0;
  let maxHeap = 0;
  let maxQueueBytes = 0;
  // Rows stored move in whole batches: the sustained rate is taken between two batches' completions, the
  // first after 1 s of the run and the last before the offer ends.
  let first: { t: number; written: number } | undefined;
  let last: { t: number; written: number } | undefined;
  let seen = 0;
  gc();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  delay.enable();
  // Producer at the offered rate in 1 ms bursts, like a busy record stage.
  for (let i = 0; i < total;) {
    const due = Math.min(total, Math.floor((performance.now() - started) * perMs));
    for (; i < due; i++) writer.sink(record(i));
    const stats = writer.stats();
    maxQueued = Math.max(maxQueued, stats.queued);
    const queueBytes = (stats.queued - stats.encodedRows) * bytesPerRecord + stats.encodedBytes;
    maxQueueBytes = Math.max(maxQueueBytes, queueBytes);
    if (stats.written !== seen) {
      seen = stats.written;
      const now = performance.now();
      if (now - started >= 1000) {
        first ??= { t: now, written: seen };
        last = { t: now, written: seen };
      }
    }
    maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
    await (i < due ? yieldToLoop() : new Promise((r) => setTimeout(r, 1)));
  }
  const offeredEnd = performance.now();
  const steadyPerSecond =
    first === undefined || last === undefined || last.t === first.t
      ? NaN
      : ((last.written - first.written) * 1000) / (last.t - first.t);
  await writer.flush();
  // Rows that went to the spool (queue past its bound) count only once replayed.
  while (writer.stats().spooledBatches > 0) await new Promise((r) => setTimeout(r, 10));
  const drainMs = performance.now() - offeredEnd;
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  const cpu = process.cpuUsage(cpuStart);
  await writer.close();
  return {
    perSecond: total / seconds,
    steadyPerSecond,
    drainMs,
    peakQueueMb: maxQueueBytes / 2 ** 20,
    cpuUsPerRecord: (cpu.user + cpu.system) / total,
    maxQueued,
    maxHeapMb: maxHeap / 2 ** 20,
    loopP99Ms: delay.percentile(99) / 1e6,
    loopMaxMs: delay.max / 1e6,
    stored: (await countRows(client)) - before,
    dropped: writer.stats().dropped,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '600000' },
      'batch-rows': { type: 'string', default: '10000' },
      'offered-per-s': { type: 'string', default: '50000' },
      formats: { type: 'string', default: 'raw,exec,json' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const total = Number(values.records);
  const batchRows = Number(values['batch-rows']);
  const perMs = Number(values['offered-per-s']) / 1000;
  const formats = values.formats.split(',') as Format[];
  const rounds = Number(values.rounds);
  const dir = mkdtempSync(join(tmpdir(), 'bench-record-writer-'));
  const analytics = createAnalyticsClient({ data_dir: join(dir, 'chdb') });
  const client = analytics.client;
  try {
    await runMigrations(client, { database: 'bench', on_cluster: undefined, bodies_retention_days: 30 });
    // First, with gc() after: the heap a queued record object holds, to price the queue in the runs.
    const perRecord = await queueMemory(dir, 100_000);
    gc();
    const results = new Map<Format, RunResult[]>(formats.map((f) => [f, []]));
    let spools = 0;
    for (let round = 0; round < rounds; round++) {
      // Rotating order: drift of the shared machine hits every format alike.
      for (let k = 0; k < formats.length; k++) {
        const format = formats[(k + round) % formats.length]!;
        const r = await throughput(
          analytics,
          format,
          join(dir, `spool-${spools++}`),
          total,
          batchRows,
          perMs,
          perRecord,
        );
        results.get(format)!.push(r);
        process.stderr.write(
          `  round ${round + 1} ${format}: ${Math.round(r.steadyPerSecond)} records/s stored while offered, ` +
            `${Math.round(r.perSecond)} records/s to the last row (drain ${r.drainMs.toFixed(0)} ms), stored ${r.stored}/${total}, ` +
            `peak queued ${r.maxQueued} rows ≈ ${r.peakQueueMb.toFixed(1)} MB\n`,
        );
        if (r.stored !== total || r.dropped !== 0)
          throw new Error(`${format}: stored ${r.stored} of ${total}, dropped ${r.dropped}`);
      }
    }
    for (const [format, runs] of results) {
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      const list = (xs: number[]) =>
        `[${[...xs]
          .sort((a, b) => a - b)
          .map((x) => Math.round(x))
          .join(', ')}]`;
      const steady = runs.map((r) => r.steadyPerSecond);
      const rates = runs.map((r) => r.perSecond);
      log(
        `${format}: offered ${values['offered-per-s']}/s, ${total} records/run, batchRows ${batchRows}: ` +
          `stored while offered, median ${Math.round(median(steady))} records/s ${list(steady)}; ` +
          `to the last row ${Math.round(median(rates))}/s ${list(rates)}; ` +
          `drain ${list(runs.map((r) => r.drainMs))} ms`,
      );
      log(
        `  CPU ${median(runs.map((r) => r.cpuUsPerRecord)).toFixed(1)} µs/record total (incl. record building and chDB); ` +
          `peak queued ${Math.max(...runs.map((r) => r.maxQueued))} rows (bound 50000), ` +
          `peak queue memory ${Math.max(...runs.map((r) => r.peakQueueMb)).toFixed(1)} MB; ` +
          `peak heap ${Math.max(...runs.map((r) => r.maxHeapMb)).toFixed(0)} MB; ` +
          `event loop p99 ${median(runs.map((r) => r.loopP99Ms)).toFixed(1)} ms, max ${Math.max(...runs.map((r) => r.loopMaxMs)).toFixed(1)} ms`,
      );
    }
    log(
      `queue memory: ${perRecord.toFixed(0)} B per record object (the open batch, and batches not yet encoded); ` +
        `encoded batches are counted at their size`,
    );
    // Before sinkCpu, whose million records would weigh on this one's garbage collection.
    log(
      `writer CPU off the request path, free insert: ${(await writerCpu(client, dir, 200_000)).toFixed(2)} µs/record`,
    );
    log(`sink() CPU: ${sinkCpu(dir, 1_000_000).toFixed(3)} µs/call (1M calls)`);
  } finally {
    await analytics.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
