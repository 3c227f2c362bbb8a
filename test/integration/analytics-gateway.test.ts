// Real gateway traffic (simulator) lands in the warehouse (the ClickHouse engine through chDB): one row per
// request, rejected ones included, with the record's tokens, cost and latency; rollups agree with the raw table.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnalyticsClient, type AnalyticsClient } from '../../analytics/clickhouse.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

describe('warehouse records from gateway traffic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-analytics-'));
  let analytics: AnalyticsClient;
  let gateway: TestGateway;

  before(async () => {
    analytics = createAnalyticsClient({ data_dir: join(dir, 'chdb'), user: 'default', password: '' });
    gateway = await startTestGateway(
      {
        analytics: {
          data_dir: join(dir, 'chdb'),
          spool_dir: join(dir, 'spool'),
          flush_ms: 50,
          client_ip: 'truncate',
        },
        providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
        models: { 'sim-a': { provider: 'simulator', pricing: { input_per_mtok: 3, output_per_mtok: 15 } } },
      },
      { analyticsClient: analytics },
    );
  });
  after(async () => {
    await analytics.close();
  });

  const query = async <T>(sql: string): Promise<T[]> =>
    (await (await analytics.client.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];

  it('stores every request with its tokens, cost and latency, and the rollups agree', async () => {
    const send = (body: unknown) =>
      fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) }).then((r) =>
        r.text(),
      );
    for (let i = 0; i < 5; i++)
      await send({ model: 'sim-a', messages: [{ role: 'user', content: `Question ${i}` }] });
    await send({ model: 'sim-a', stream: true, messages: [{ role: 'user', content: 'Stream it' }] });
    await send({ model: 'nope', messages: [{ role: 'user', content: 'x' }] });
    await send('not json');
    // Shutdown flushes the writer: after it, every record is in the table.
    await gateway.shutdown(0);

    assert.equal(gateway.records.length, 8);
    const rows = await query<{
      request_id: string;
      status: number;
      prompt_tokens: number;
      completion_tokens: number;
      cost_nano_usd: string;
      latency_ms: number;
      stream: boolean | number;
      client_ip: string;
      error_code: string | null;
    }>('SELECT * FROM ai_gateway.requests ORDER BY started_at');
    assert.equal(rows.length, 8);
    for (const record of gateway.records) {
      const row = rows.find((r) => r.request_id === record.request_id);
      assert.ok(row, `row for ${record.request_id}`);
      assert.equal(row.status, record.status);
      assert.equal(row.prompt_tokens, record.prompt_tokens);
      assert.equal(row.completion_tokens, record.completion_tokens);
      assert.equal(Number(row.cost_nano_usd), record.cost_nano_usd);
      assert.ok(Math.abs(row.latency_ms - record.latency_ms) < 0.01);
      assert.equal(row.client_ip, '127.0.0.0');
    }
    const served = gateway.records.filter((r) => r.status === 200);
    assert.equal(served.length, 6);
    assert.ok(served.every((r) => r.cost_nano_usd > 0 && r.latency_ms > 0));
    assert.deepEqual(
      rows
        .filter((r) => r.status >= 400)
        .map((r) => r.status)
        .sort(),
      [400, 404],
    );

    const [raw] = await query<{ n: string; tokens: string; cost: string }>(
      'SELECT count() AS n, sum(prompt_tokens + completion_tokens) AS tokens, sum(cost_nano_usd) AS cost FROM ai_gateway.requests',
    );
    const [rollup] = await query<{ n: string; tokens: string; cost: string }>(
      'SELECT sum(requests) AS n, sum(prompt_tokens + completion_tokens) AS tokens, sum(cost_nano_usd) AS cost FROM ai_gateway.requests_1m',
    );
    assert.deepEqual(rollup, raw);
    assert.equal(
      Number(raw!.cost),
      gateway.records.reduce((s, r) => s + r.cost_nano_usd, 0),
    );
    assert.equal(
      Number(raw!.tokens),
      gateway.records.reduce((s, r) => s + r.prompt_tokens + r.completion_tokens, 0),
    );
  });
});
