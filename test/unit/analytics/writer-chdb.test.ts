// The record writer into a real table (chDB in process) with the production insert (JSONCompactEachRow
// through chDB's raw insert, and through client.exec as for a server): exactly-once through the insert
// deduplication token, text stored exactly, and bad data stored safely or refused with a counted reason.
// chDB allows one data directory per process: one client for the whole file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import { createAnalyticsClient, type AnalyticsClient } from '../../../analytics/clickhouse.js';
import { REQUEST_COLUMNS, type RequestRecord } from '../../../analytics/record.js';
import { createTableInsert, type TableInsert } from '../../../analytics/table-insert.js';
import { createRecordWriter } from '../../../analytics/writer/index.js';
import { syntheticRecord } from '../../support/records.js';

const root = mkdtempSync(join(tmpdir(), 'writer-chdb-'));
let analytics: AnalyticsClient;
let client: ClickHouseClient;
let spools = 0;
const spoolDir = () => join(root, `spool-${spools++}`);

/** The record's columns; deduplication needs a window on a non-replicated MergeTree. */
const TABLE_DDL = (name: string) => `CREATE TABLE ${name} (
  request_id String, client_request_id Nullable(String),
  started_at DateTime64(3, 'UTC'), first_byte_at Nullable(DateTime64(3, 'UTC')), ended_at DateTime64(3, 'UTC'),
  team String DEFAULT '', app String DEFAULT '', user String DEFAULT '', api_key_id String DEFAULT '',
  deployment String DEFAULT '', region String DEFAULT '', cache_status String DEFAULT 'none',
  cache_similarity Nullable(Float32), cost_avoided_nano_usd Int64 DEFAULT 0, tags Map(String, String),
  endpoint LowCardinality(String), method LowCardinality(String), path String,
  model_requested Nullable(String), model_routed Nullable(String), provider Nullable(String), route_reason Nullable(String),
  status UInt16, error_code Nullable(String), error_message Nullable(String), stream Bool, client_aborted Bool,
  prompt_tokens UInt32, completion_tokens UInt32, cached_tokens UInt32, cache_write_tokens UInt32, reasoning_tokens UInt32,
  prompt_tokens_counted Nullable(UInt32), prompt_tokens_exact Nullable(Bool),
  pii_findings Map(String, UInt32), injection_score Nullable(Float64), injection_signals Array(String),
  complexity_score Nullable(Float64), complexity_class Nullable(String), cost_nano_usd UInt64,
  latency_ms Float64, upstream_latency_ms Nullable(Float64), upstream_ttfb_ms Nullable(Float64),
  ttfb_ms Nullable(Float64), gateway_overhead_ms Nullable(Float64), bytes_in UInt64, bytes_out UInt64,
  client_ip String, user_agent String
) ENGINE = MergeTree ORDER BY tuple() SETTINGS non_replicated_deduplication_window = 10000`;

/** The production insert (JSONCompactEachRow, encoded ahead by the writer): chDB's raw one, or exec. */
const tableInsert = (via: 'raw' | 'exec' = 'raw'): TableInsert =>
  createTableInsert(client, {
    columns: REQUEST_COLUMNS,
    ...(via === 'raw' ? { rawInsert: analytics.rawInsert! } : {}),
  });

async function scalar(query: string): Promise<unknown[]> {
  const rs = await client.query({ query, format: 'JSONEachRow' });
  return rs.json();
}

function record(i: number, patch: Partial<RequestRecord> = {}): RequestRecord {
  return syntheticRecord({
    request_id: `req-${i}`,
    first_byte_at: '2026-01-01T00:00:00.050Z',
    stream: true,
    pii_findings: { EMAIL: 1 },
    injection_score: 0.1,
    injection_signals: ['role_play'],
    latency_ms: 100.5,
    gateway_overhead_ms: 10.5,
    ...patch,
  });
}

describe('record writer into chDB', () => {
  before(async () => {
    analytics = createAnalyticsClient({ data_dir: join(root, 'chdb') });
    client = analytics.client;
  });
  after(async () => {
    await analytics.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('deduplicates a batch whose insert succeeded but whose ack was lost', async () => {
    await client.command({ query: TABLE_DDL('dedup') });
    const real = tableInsert();
    let lost = 0;
    const w = createRecordWriter({
      encode: real.encode,
      insert: async (table, rows, batchId, encoded) => {
        await real.insert(table, rows, batchId, encoded);
        // The first two batches land, then the "network" loses the acknowledgement.
        if (lost < 2) {
          lost++;
          throw new Error('socket hang up');
        }
      },
      table: 'dedup',
      batchRows: 1000,
      flushMs: 60_000,
      maxQueueRows: 100_000,
      spoolDir: spoolDir(),
      retry: { baseMs: 5, maxMs: 20, attempts: 2 },
    });
    for (let i = 0; i < 5000; i++) w.sink(record(i));
    await w.flush();
    while (w.stats().spooledBatches > 0) await new Promise((r) => setTimeout(r, 10));
    await w.close();
    assert.deepEqual(
      await scalar('SELECT toUInt32(count()) AS n, toUInt32(uniqExact(request_id)) AS u FROM dedup'),
      [{ n: 5000, u: 5000 }],
    );
    assert.equal(lost, 2);
  });

  it('stores NaN latencies, malformed text and oversized fields safely, with counted reasons', async () => {
    await client.command({ query: TABLE_DDL('bad') });
    const w = createRecordWriter({
      ...tableInsert(),
      table: 'bad',
      batchRows: 100,
      flushMs: 60_000,
      maxQueueRows: 1000,
      spoolDir: spoolDir(),
    });
    const hugeMap: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) hugeMap[`PII_TYPE_${i}_${'x'.repeat(20)}`] = i;
    w.sink(record(0, { latency_ms: NaN, ttfb_ms: Infinity, gateway_overhead_ms: -Infinity }));
    w.sink(record(1, { user_agent: 'bad \uD800 text', error_message: '\uDFFF', path: '/v1/\u0000nul' }));
    w.sink(record(2, { user_agent: 'u'.repeat(100_000), pii_findings: hugeMap }));
    // Oversized request metadata: 200 KB of tags.
    w.sink(
      record(4, {
        tags: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(2000)])),
      }),
    );
    w.sink(record(3, { injection_signals: Array.from({ length: 10_000 }, (_, i) => `sig${i}`) }));
    await w.flush();
    await w.close();
    const rows = (await scalar(
      'SELECT request_id, latency_ms, ttfb_ms, user_agent, toUInt32(length(user_agent)) AS ua, error_message, toUInt32(length(pii_findings)) AS pii, toUInt32(length(injection_signals)) AS sig, toUInt32(length(toJSONString(tags))) AS tagBytes FROM bad ORDER BY request_id',
    )) as Record<string, unknown>[];
    assert.equal(rows.length, 5);
    assert.equal(rows[0]!.latency_ms, 0, 'NaN stored as the column default');
    assert.equal(rows[0]!.ttfb_ms, null);
    assert.equal(rows[1]!.user_agent, 'bad \uFFFD text');
    assert.equal(rows[1]!.error_message, '\uFFFD');
    assert.equal(rows[2]!.ua, 1024);
    assert.ok(Number(rows[2]!.pii) < 20_000 && Number(rows[2]!.pii) > 0);
    assert.equal(rows[3]!.sig, 256);
    assert.ok(Number(rows[4]!.tagBytes) <= 64 * 1024 + 4096, `tags bounded: ${String(rows[4]!.tagBytes)}`);
    assert.deepEqual(w.stats().sanitized, {
      non_finite_number: 1,
      malformed_text: 1,
      truncated_string: 1,
      truncated_collection: 3,
    });
    assert.deepEqual(w.stats().rejected, {});
  });

  for (const via of ['raw', 'exec'] as const)
    it(`stores text exactly (${via}): tabs, newlines, quotes, backslashes, NUL, non-ASCII, in strings, maps and arrays`, async () => {
      await client.command({ query: TABLE_DDL(`exact_${via}`) });
      const tricky = 'tab\there\nnew\r\nline "quoted" \'single\' back\\slash \u0000nul \u2028 é 用户 🙂 \\N';
      const w = createRecordWriter({
        ...tableInsert(via),
        table: `exact_${via}`,
        batchRows: 10,
        flushMs: 60_000,
        maxQueueRows: 1000,
        spoolDir: spoolDir(),
      });
      const fields = {
        user_agent: tricky,
        error_message: tricky,
        client_request_id: null,
        tags: { [tricky]: tricky, plain: '' },
        injection_signals: [tricky, ''],
        pii_findings: { [tricky]: 3 },
      };
      w.sink(record(0, fields));
      await w.close();
      const [row] = (await scalar(`SELECT ${Object.keys(fields).join(', ')} FROM exact_${via}`)) as Record<
        string,
        unknown
      >[];
      assert.deepEqual(row, fields);
    });

  it('holds a prepared batch as its bytes only, ≈ 0.5 KB per record', async () => {
    const w = createRecordWriter({
      ...tableInsert(),
      // An insert that never returns: every batch stays queued.
      insert: () => new Promise<void>(() => undefined),
      batchRows: 1000,
      flushMs: 60_000,
      maxQueueRows: 100_000,
      spoolDir: spoolDir(),
    });
    for (let i = 0; i < 3000; i++) w.sink(record(i));
    while (w.stats().encodedRows < 3000) await new Promise((r) => setImmediate(r));
    const { queued, encodedRows, encodedBytes } = w.stats();
    assert.equal(queued, 3000);
    assert.equal(encodedRows, 3000);
    assert.ok(encodedBytes / encodedRows > 200 && encodedBytes / encodedRows < 1024, `${encodedBytes} bytes`);
  });

  it('spools encoded batches as bytes and replays them as they are, exactly once and in order', async () => {
    await client.command({ query: TABLE_DDL('spooled') });
    const real = tableInsert();
    const dir = spoolDir();
    let up = false;
    const calls: { batchId: string; rows: number; encoded: boolean }[] = [];
    const w = createRecordWriter({
      encode: real.encode,
      insert: async (table, rows, batchId, encoded) => {
        if (!up) throw new Error('connect ECONNREFUSED');
        calls.push({ batchId, rows: rows.length, encoded: encoded !== undefined });
        await real.insert(table, rows, batchId, encoded);
      },
      table: 'spooled',
      batchRows: 500,
      flushMs: 60_000,
      maxQueueRows: 100_000,
      spoolDir: dir,
      retry: { baseMs: 5, maxMs: 10, attempts: 1 },
    });
    for (let i = 0; i < 2000; i++) w.sink(record(i));
    await w.flush();
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 4);
    assert.ok(
      files.every((f) => f.endsWith('.enc')),
      files.join(),
    );
    up = true;
    while (w.stats().spooledBatches > 0) await new Promise((r) => setTimeout(r, 10));
    await w.close();
    // In sequence order (the file names), each batch as its bytes, as they were written.
    const batchIds = files.map((f) => f.replace(/^\d{16}-/, '').replace(/\.enc$/, ''));
    assert.deepEqual(
      calls,
      batchIds.map((batchId) => ({ batchId, rows: 0, encoded: true })),
    );
    assert.deepEqual(
      await scalar('SELECT toUInt32(count()) AS n, toUInt32(uniqExact(request_id)) AS u FROM spooled'),
      [{ n: 2000, u: 2000 }],
    );
    assert.equal(w.stats().written, 2000);
  });

  it('replays a spool file written with other columns by column name', async () => {
    await client.command({ query: TABLE_DDL('older') });
    const dir = spoolDir();
    mkdirSync(dir, { recursive: true });
    // An older writer: fewer columns, in another order (everything else takes the column default).
    const columns = ['status', 'request_id', 'started_at', 'ended_at', 'endpoint', 'method', 'path'];
    const line = (i: number) =>
      JSON.stringify([
        200,
        `old-${i}`,
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:00:01.000Z',
        'chat',
        'POST',
        '/',
      ]);
    writeFileSync(
      join(dir, `${'7'.padStart(16, '0')}-older-batch.enc`),
      `${JSON.stringify(columns)}\n${line(1)}\n${line(2)}\nnot json\n`,
    );
    const w = createRecordWriter({
      ...tableInsert(),
      table: 'older',
      batchRows: 10,
      flushMs: 60_000,
      maxQueueRows: 1000,
      spoolDir: dir,
    });
    while (w.stats().spooledBatches > 0) await new Promise((r) => setTimeout(r, 10));
    await w.close();
    assert.deepEqual(
      await scalar('SELECT request_id, status, team, cache_status FROM older ORDER BY request_id'),
      [
        { request_id: 'old-1', status: 200, team: '', cache_status: 'none' },
        { request_id: 'old-2', status: 200, team: '', cache_status: 'none' },
      ],
    );
    assert.deepEqual(w.stats().rejected, { spool_unreadable: 1 });
  });

  it('isolates a row ClickHouse refuses and stores the rest of its batch', async () => {
    await client.command({ query: TABLE_DDL('refused') });
    const w = createRecordWriter({
      ...tableInsert(),
      table: 'refused',
      // A mapping bug upstream: a string where a number column is.
      sanitize: (r) => (r.request_id === 'req-3' ? { ...r, status: 'teapot' } : r),
      batchRows: 10,
      flushMs: 60_000,
      maxQueueRows: 1000,
      spoolDir: spoolDir(),
    });
    for (let i = 0; i < 10; i++) w.sink(record(i));
    await w.flush();
    await w.close();
    assert.deepEqual(await scalar('SELECT toUInt32(count()) AS n FROM refused'), [{ n: 9 }]);
    assert.deepEqual(w.stats().rejected, { clickhouse_refused: 1 });
    assert.equal(w.stats().written, 9);
  });
});
