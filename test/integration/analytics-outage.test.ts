// The analytics outage drill from issue 6: the writer starts against an unreachable ClickHouse, 50k records
// are produced, the gateway "restarts" half way (a new writer on the same spool), then ClickHouse becomes
// reachable: every record arrives exactly once, and each batch's rows keep their order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
} from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { RequestRecord } from '../../analytics/record.js';
import { createRecordWriter, type InsertFn, type RecordWriter } from '../../analytics/writer/index.js';
import { syntheticRecord } from '../support/records.js';

const TOTAL = 50_000;
/** chdb declares its Connection against its own copy of @clickhouse/client-common: same shape, distinct type. */
const chdbConnection = (path: string) =>
  createChdbConnection({ path }) as unknown as NonNullable<ClickHouseClientConfigOptions['connection']>;

const root = mkdtempSync(join(tmpdir(), 'analytics-outage-'));
const clients: ClickHouseClient[] = [];
after(async () => {
  for (const c of clients) await c.close();
  rmSync(root, { recursive: true, force: true });
});

/** A loopback port with nothing listening: connections are refused, as with a ClickHouse that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const insertVia =
  (client: ClickHouseClient): InsertFn =>
  async (table, rows, batchId) => {
    await client.insert({
      table,
      values: rows,
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: batchId, date_time_input_format: 'best_effort' },
    });
  };

function record(i: number): RequestRecord {
  return syntheticRecord({
    request_id: `req-${String(i).padStart(6, '0')}`,
    prompt_tokens: i % 1000,
    prompt_tokens_counted: null,
    prompt_tokens_exact: null,
    cost_nano_usd: i,
    upstream_latency_ms: null,
    upstream_ttfb_ms: null,
    ttfb_ms: null,
    gateway_overhead_ms: null,
    user_agent: 'outage-test',
  });
}

/** Produces records like the record stage: in bursts, yielding to the event loop between them. */
async function produce(writer: RecordWriter, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    writer.sink(record(i));
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('analytics outage', () => {
  it('delivers 50k records exactly once across an outage and a restart', { timeout: 60_000 }, async () => {
    const chdb = createClient({ connection: chdbConnection(join(root, 'chdb')) });
    const down = createClient({
      url: `http://127.0.0.1:${await closedPort()}`,
      request_timeout: 2000,
      // Refused connections are the point of the test; the writer logs them itself.
      log: { level: ClickHouseLogLevel.OFF },
    });
    clients.push(chdb, down);
    await chdb.command({
      query: `CREATE TABLE requests (request_id String, started_at DateTime64(3, 'UTC'), ended_at DateTime64(3, 'UTC'),
        status UInt16, prompt_tokens UInt32, cost_nano_usd UInt64, user_agent String)
        ENGINE = MergeTree ORDER BY tuple() SETTINGS non_replicated_deduplication_window = 1000`,
    });
    // Parts must stay as inserted for the per-batch order check.
    await chdb.command({ query: 'SYSTEM STOP MERGES requests' });
    let reachable = false;
    const insert: InsertFn = (table, rows, batchId) =>
      (reachable ? insertVia(chdb) : insertVia(down))(table, rows, batchId);
    const options = {
      insert,
      batchRows: 2000,
      flushMs: 200,
      maxQueueRows: 10_000,
      spoolDir: join(root, 'spool'),
      retry: { baseMs: 50, maxMs: 500 },
      // The test table keeps a few columns; unknown JSON fields would be refused otherwise.
      sanitize: (r: RequestRecord) => ({
        request_id: r.request_id,
        started_at: r.started_at,
        ended_at: r.ended_at,
        status: r.status,
        prompt_tokens: r.prompt_tokens,
        cost_nano_usd: r.cost_nano_usd,
        user_agent: r.user_agent,
      }),
    };

    const first = createRecordWriter(options);
    await produce(first, 0, TOTAL / 2);
    await first.close();
    assert.equal(first.stats().queued, 0);
    assert.ok(first.stats().spooledBatches > 0);

    const second = createRecordWriter(options);
    await produce(second, TOTAL / 2, TOTAL);
    await second.flush();
    assert.equal(second.stats().written, 0);
    reachable = true;
    await until(() => second.stats().spooledBatches === 0 && second.stats().queued === 0, 45_000);
    await second.close();

    for (const w of [first, second]) {
      assert.equal(w.stats().dropped, 0);
      assert.deepEqual(w.stats().rejected, {});
    }
    assert.equal(second.stats().written, TOTAL);
    const [counts] = await (
      await chdb.query({
        query: 'SELECT toUInt32(count()) AS n, toUInt32(uniqExact(request_id)) AS u FROM requests',
        format: 'JSONEachRow',
      })
    ).json<{ n: number; u: number }>();
    assert.deepEqual(counts, { n: TOTAL, u: TOTAL });
    const disordered = await (
      await chdb.query({
        query: `SELECT _part AS part FROM (SELECT _part, request_id FROM requests ORDER BY _part, _part_offset)
          GROUP BY _part HAVING groupArray(request_id) != arraySort(groupArray(request_id))`,
        format: 'JSONEachRow',
      })
    ).json();
    assert.deepEqual(disordered, [], 'rows of each batch in order');
  });
});
