// The audit log of bodies (analytics.bodies) from real gateway traffic into `request_bodies` (the ClickHouse
// engine through chDB): PII redacted in request and answer, streamed answers assembled, bodies over
// max_bytes cut and flagged, and nothing written when the log is off.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnalyticsClient, type AnalyticsClient } from '../../analytics/clickhouse.js';
import { startTestGateway } from '../support/gateway.js';

interface BodyRow {
  request_id: string;
  team: string;
  request_body: string;
  response_body: string;
  request_truncated: boolean;
  response_truncated: boolean;
}

const ANSWER = 'Sure, I will write to carol.jones@example.org about it today.';

describe('audit log of request and response bodies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bodies-'));
  // chDB: one data directory per process, so one client for the file, one database per gateway.
  let analytics: AnalyticsClient;

  before(() => {
    analytics = createAnalyticsClient({ data_dir: join(dir, 'chdb'), user: 'default', password: '' });
  });
  after(async () => {
    await analytics.close();
  });

  const query = async <T>(sql: string): Promise<T[]> =>
    (await (await analytics.client.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];

  const gatewayWith = (database: string, bodies: Record<string, unknown>) =>
    startTestGateway(
      {
        analytics: {
          data_dir: join(dir, 'chdb'),
          database,
          spool_dir: join(dir, `spool-${database}`),
          flush_ms: 50,
          bodies,
        },
        providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0, answer: ANSWER } },
        models: { 'sim-a': { provider: 'simulator' } },
      },
      { analyticsClient: analytics },
    );

  const chat = (url: string, body: unknown) =>
    fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.text());

  it('stores redacted bodies keyed by request id, streams assembled, long bodies cut and flagged', async () => {
    const gateway = await gatewayWith('audit', { enabled: true, max_bytes: 2048 });
    await chat(gateway.url, {
      model: 'sim-a',
      messages: [{ role: 'user', content: 'Please email alice.smith@example.com the report.' }],
    });
    await chat(gateway.url, {
      model: 'sim-a',
      stream: true,
      messages: [{ role: 'user', content: 'Stream it, then mail alice.smith@example.com' }],
    });
    await chat(gateway.url, { model: 'sim-a', messages: [{ role: 'user', content: 'é'.repeat(3000) }] });
    // Refused before parse accepted a body: no audit row.
    await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: 'not json' });
    // A grace period: the last request may still be between its answer and its record.
    await gateway.shutdown(2_000);

    const [plain, streamed, long] = gateway.records;
    assert.equal(gateway.records.length, 4);
    const rows = await query<BodyRow>('SELECT * FROM audit.request_bodies');
    assert.equal(rows.length, 3);
    const byId = new Map(rows.map((r) => [r.request_id, r]));

    const first = byId.get(plain!.request_id);
    assert.ok(first, 'row keyed by the request id');
    assert.doesNotMatch(first.request_body, /alice\.smith@example\.com/);
    assert.match(first.request_body, /Please email \[EMAIL_1\] the report\./);
    assert.equal(JSON.parse(first.request_body).model, 'sim-a', 'the request JSON as received');
    assert.doesNotMatch(first.response_body, /carol\.jones@example\.org/);
    assert.match(first.response_body, /write to \[EMAIL_2\] about it/);
    assert.equal(JSON.parse(first.response_body).object, 'chat.completion');
    assert.equal(first.request_truncated, false);
    assert.equal(first.response_truncated, false);

    const stream = byId.get(streamed!.request_id);
    assert.ok(stream);
    // The answer assembled from its deltas: the address, split over several frames, is still redacted.
    assert.equal(stream.response_body, ANSWER.replace('carol.jones@example.org', '[EMAIL_2]'));
    assert.equal(stream.response_truncated, false);

    const cut = byId.get(long!.request_id);
    assert.ok(cut);
    assert.equal(cut.request_truncated, true);
    assert.ok(Buffer.byteLength(cut.request_body) <= 2048, 'cut to max_bytes');
    assert.ok(Buffer.byteLength(cut.request_body) > 2040, 'and not much shorter');
    assert.ok(!cut.request_body.includes('\uFFFD'), 'cut on a character boundary');
    assert.equal(cut.response_truncated, false);
  });

  it('keeps bodies unredacted when redact is off', async () => {
    const gateway = await gatewayWith('audit_raw', { enabled: true, redact: false });
    await chat(gateway.url, {
      model: 'sim-a',
      messages: [{ role: 'user', content: 'to alice@example.com' }],
    });
    // A grace period: the last request may still be between its answer and its record.
    await gateway.shutdown(2_000);
    const rows = await query<BodyRow>('SELECT * FROM audit_raw.request_bodies');
    assert.equal(rows.length, 1);
    assert.match(rows[0]!.request_body, /alice@example\.com/);
    assert.match(rows[0]!.response_body, /carol\.jones@example\.org/);
  });

  it('a streamed answer shorter than max_bytes is stored whole, however many bytes its frames took', async () => {
    // 62 characters of answer arrive as a dozen frames of ≈ 150 bytes each: several times max_bytes.
    const gateway = await gatewayWith('audit_stream', { enabled: true, redact: false, max_bytes: 256 });
    const frames = await chat(gateway.url, {
      model: 'sim-a',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    // A grace period: the last request may still be between its answer and its record.
    await gateway.shutdown(2_000);
    assert.ok(Buffer.byteLength(frames) > 4 * 256, 'the frames outweigh the old 4x allowance');
    const rows = await query<BodyRow>('SELECT * FROM audit_stream.request_bodies');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.response_body, ANSWER);
    assert.equal(rows[0]!.response_truncated, false);
  });

  it('writes no body rows when the audit log is off (the default)', async () => {
    const gateway = await gatewayWith('no_audit', {});
    await chat(gateway.url, {
      model: 'sim-a',
      messages: [{ role: 'user', content: 'to alice@example.com' }],
    });
    // A grace period: the last request may still be between its answer and its record.
    await gateway.shutdown(2_000);
    assert.deepEqual(await query('SELECT toUInt32(count()) AS n FROM no_audit.requests'), [{ n: 1 }]);
    assert.deepEqual(await query('SELECT toUInt32(count()) AS n FROM no_audit.request_bodies'), [{ n: 0 }]);
  });
});
