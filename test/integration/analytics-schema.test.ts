// The analytics schema on the real chDB engine: migrations apply once and only once, the rollups agree with the
// raw table, and the report reads them back in every format. With CLICKHOUSE_URL set, the migrations also run
// against that server (in a throwaway database).
//
// chDB binds one data directory per process, so this file opens ONE client on one temp dir and shares it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import { createAnalyticsClient, type AnalyticsClient } from '../../analytics/clickhouse.js';
import { analyticsConfigSchema } from '../../analytics/config-schema.js';
import { loadMigrationFiles, migrationsDir, renderMigration } from '../../analytics/migration-files.js';
import { runMigrations } from '../../analytics/migrate.js';
import { QUERY_NAMES, loadQuery, runNamedQuery, toClickHouseTime } from '../../analytics/queries/index.js';
import { REQUEST_COLUMNS, REQUESTS_INSERT_TABLE, type RequestRecord } from '../../analytics/record.js';
import { buildReport, type Report } from '../../analytics/report/build.js';
import { formatReport } from '../../analytics/report/format.js';
import { reportWindow } from '../../analytics/report/period.js';
import { createTableInsert } from '../../analytics/table-insert.js';
import { parseReportArgs } from '../../analytics/report.js';
import type { TeamsConfig } from '../../dataplane/config/auth-schema.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TABLES = [
  'request_bodies',
  'requests',
  'requests_1m',
  'requests_1m_mv',
  'requests_ingest',
  'requests_ingest_mv',
  'schema_migrations',
  'spend_daily',
];

/** The fields the record stage is about to add to RequestRecord; the schema already has them. */
interface SyntheticRecord extends RequestRecord {
  team: string | null;
  app: string | null;
  user: string | null;
  api_key_id: string | null;
  deployment: string | null;
  region: string | null;
  cache_status: 'none' | 'miss' | 'exact' | 'semantic';
  cache_similarity: number | null;
  cost_avoided_nano_usd: number;
  tags: Record<string, string>;
}

/** Small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const WEEK_START = Date.parse('2026-11-16T00:00:00.000Z'); // a Monday
const IDENTITIES = [
  { team: 'acme', app: 'search', users: ['alice', 'josé', '用户一'] },
  { team: 'acme', app: 'chat', users: ['bob', ''] },
  { team: 'globex', app: 'support', users: ['carol', 'dave'] },
  { team: null, app: null, users: [null] },
] as const;
const MODELS = [
  { requested: 'gpt-4o', routed: 'gpt-4o-2024-08-06', provider: 'openai' },
  { requested: 'claude', routed: 'claude-sonnet-4-20250514', provider: 'anthropic' },
  { requested: 'sim-1', routed: 'sim-1', provider: 'simulator' },
] as const;
const STATUSES = [200, 200, 200, 200, 200, 200, 200, 429, 400, 500, 502, 0] as const;
const CACHE = ['none', 'miss', 'exact', 'semantic'] as const;

function syntheticRecords(count: number): SyntheticRecord[] {
  const random = prng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // Streams that failed after their 200 went out (own sequence, so the rest of the data is unchanged).
  const midRandom = prng(7);
  const MID_STREAM = [null, null, null, 'stream_interrupted', 'budget_exceeded', 'client_aborted'] as const;
  const records: SyntheticRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const identity = pick(IDENTITIES);
    const model = pick(MODELS);
    const status = pick(STATUSES);
    const routed = status !== 400;
    const cache = pick(CACHE);
    const started = WEEK_START + Math.floor(random() * 7 * 86_400_000);
    const latency = Math.round((20 + random() * random() * 4_000) * 1000) / 1000;
    const prompt = status === 200 ? Math.floor(random() * 5_000) : 0;
    const completion = status === 200 ? Math.floor(random() * 1_000) : 0;
    const hasFirstByte = status !== 0 && status !== 400;
    const midStream = status === 200 ? MID_STREAM[Math.floor(midRandom() * MID_STREAM.length)]! : null;
    records.push({
      request_id: randomUUID(),
      client_request_id: random() < 0.3 ? `client-${i}-é` : null,
      started_at: new Date(started).toISOString(),
      first_byte_at: hasFirstByte ? new Date(started + latency / 2).toISOString() : null,
      ended_at: new Date(started + latency).toISOString(),
      endpoint: pick(['chat.completions', 'messages', 'embeddings']),
      method: 'POST',
      path: '/v1/chat/completions',
      model_requested: model.requested,
      model_routed: routed ? model.routed : null,
      provider: routed ? model.provider : null,
      route_reason: routed ? 'static' : null,
      status,
      error_code: status === 200 ? midStream : status === 0 ? 'client_aborted' : `code_${status}`,
      error_message: status === 200 ? null : 'Ünïcödé failure — “quoted”, with\nnewline',
      stream: random() < 0.5,
      client_aborted: status === 0 || midStream === 'client_aborted',
      prompt_tokens: prompt,
      completion_tokens: completion,
      cached_tokens: Math.floor(prompt / 4),
      cache_write_tokens: Math.floor(prompt / 8),
      reasoning_tokens: Math.floor(completion / 3),
      prompt_tokens_counted: routed ? prompt : null,
      prompt_tokens_exact: routed ? random() < 0.8 : null,
      pii_findings: random() < 0.2 ? { EMAIL: 2, 'SECRET:aws_access_key': 1 } : {},
      injection_score: routed ? Math.round(random() * 1000) / 1000 : null,
      injection_signals: random() < 0.1 ? ['ignore_previous', 'role_play'] : [],
      complexity_score: routed ? Math.round(random() * 100) / 100 : null,
      complexity_class: routed ? pick(['simple', 'moderate', 'complex']) : null,
      cost_nano_usd: prompt * 2_500 + completion * 10_000,
      latency_ms: latency,
      upstream_latency_ms: hasFirstByte ? latency - 1.5 : null,
      upstream_ttfb_ms: hasFirstByte ? latency / 2 - 1 : null,
      ttfb_ms: hasFirstByte ? latency / 2 : null,
      gateway_overhead_ms: hasFirstByte ? 1.5 : null,
      bytes_in: 100 + i,
      bytes_out: 1_000 + i,
      client_ip: '203.0.113.0',
      user_agent: 'openai-python/1.0 (测试)',
      team: identity.team,
      app: identity.app,
      user: pick(identity.users),
      api_key_id: identity.team === null ? null : `${identity.app}-key`,
      deployment: routed ? model.provider : null,
      region: routed ? 'eu-west' : null,
      cache_status: cache,
      cache_similarity: cache === 'semantic' ? 0.93 : null,
      cost_avoided_nano_usd: cache === 'exact' || cache === 'semantic' ? 5_000_000 : 0,
      tags: random() < 0.5 ? { feature: 'search', env: 'prod', ключ: 'значение' } : {},
    });
  }
  return records;
}

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}

async function showCreateAll(client: ClickHouseClient, db: string): Promise<Map<string, string>> {
  const tables = await rows<{ name: string }>(
    client,
    `SELECT name FROM system.tables WHERE database = '${db}' ORDER BY name`,
  );
  const out = new Map<string, string>();
  for (const { name } of tables) {
    const [row] = await rows<{ statement: string }>(client, `SHOW CREATE TABLE ${db}.${name}`);
    out.set(name, row!.statement);
  }
  return out;
}

describe('analytics schema (chDB)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'analytics-schema-'));
  const config = analyticsConfigSchema.parse({ data_dir: join(dataDir, 'chdb'), database: 'gw_test' });
  const db = config.database;
  let handle: AnalyticsClient;
  let client: ClickHouseClient;
  let records: SyntheticRecord[];

  before(async () => {
    handle = createAnalyticsClient(config);
    client = handle.client;
    records = syntheticRecords(2_000);
  });
  after(async () => {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses the embedded backend when no url is set', () => {
    assert.equal(handle.kind, 'chdb');
  });

  it('applies every numbered migration once and records each in schema_migrations', async () => {
    const onDisk = readdirSync(migrationsDir()).filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name));
    const files = loadMigrationFiles();
    assert.equal(files.length, onDisk.length);
    assert.equal(files.length, 18);
    const result = await runMigrations(client, config);
    assert.deepEqual(
      result.applied,
      files.map((file) => file.name),
    );
    assert.deepEqual(result.skipped, []);
    const recorded = await rows<{ n: string }>(client, `SELECT count() AS n FROM ${db}.schema_migrations`);
    assert.equal(Number(recorded[0]!.n), files.length);
    assert.deepEqual([...(await showCreateAll(client, db)).keys()], [...TABLES, 'spend_daily_mv'].sort());
  });

  it('is idempotent: a second run applies nothing and changes no table', async () => {
    const before = await showCreateAll(client, db);
    const result = await runMigrations(client, config);
    assert.deepEqual(result.applied, []);
    assert.equal(result.skipped.length, loadMigrationFiles().length);
    assert.deepEqual(await showCreateAll(client, db), before);
    const recorded = await rows<{ n: string }>(client, `SELECT count() AS n FROM ${db}.schema_migrations`);
    assert.equal(Number(recorded[0]!.n), loadMigrationFiles().length);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const files = loadMigrationFiles();
    const edited = files.map((file, i) => (i === 1 ? { ...file, checksum: 'f'.repeat(64) } : file));
    await assert.rejects(runMigrations(client, config, edited), /append-only/);
  });

  it('sets the bodies TTL from config and compresses bodies with ZSTD', async () => {
    const [row] = await rows<{ statement: string }>(client, `SHOW CREATE TABLE ${db}.request_bodies`);
    assert.match(row!.statement, /TTL toDateTime\(started_at\) \+ toIntervalDay\(30\)/);
    assert.match(row!.statement, /CODEC\(ZSTD\(3\)\)/);
  });

  it('renders ON CLUSTER and Replicated engines for a cluster', () => {
    const sql = loadMigrationFiles()[2]!.sql;
    const rendered = renderMigration(sql, { database: 'gw', on_cluster: 'main', bodies_retention_days: 7 });
    assert.match(rendered, /CREATE TABLE IF NOT EXISTS `gw`\.requests_1m ON CLUSTER `main`/);
    assert.match(
      rendered,
      /ENGINE = ReplicatedAggregatingMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'\)/,
    );
    assert.throws(() => analyticsConfigSchema.parse({ on_cluster: 'main' }), /needs a ClickHouse server/);
  });

  it('stores every field of a record, with nulls, maps and non-ASCII text intact', async () => {
    // The writer's own insert (JSONCompactEachRow, into requests_ingest): what the gateway stores is checked.
    await createTableInsert(client, { database: db, columns: REQUEST_COLUMNS }).insert(
      REQUESTS_INSERT_TABLE,
      records,
      'schema-test-batch',
    );
    const [count] = await rows<{ n: string }>(client, `SELECT count() AS n FROM ${db}.requests`);
    assert.equal(Number(count!.n), records.length);
    const sample = records.find((r) => r.user === '用户一' && r.pii_findings.EMAIL === 2 && r.status === 200);
    assert.ok(sample, 'the synthetic set has a non-ASCII user with PII findings');
    const [stored] = await rows<Record<string, unknown>>(
      client,
      `SELECT *, status_class FROM ${db}.requests WHERE request_id = '${sample.request_id}'`,
    );
    assert.ok(stored);
    assert.equal(stored.user, '用户一');
    assert.deepEqual(stored.pii_findings, { EMAIL: 2, 'SECRET:aws_access_key': 1 });
    assert.equal(stored.user_agent, 'openai-python/1.0 (测试)');
    assert.equal(stored.status_class, '2xx');
    assert.equal(stored.started_at, sample.started_at.replace('T', ' ').replace('Z', ''));
    assert.equal(Number(stored.cost_nano_usd), sample.cost_nano_usd);
    // Through requests_ingest_mv too (added by 0014–0016: the view had to re-read its source's columns).
    assert.ok(sample.cache_write_tokens > 0);
    assert.equal(Number(stored.cache_write_tokens), sample.cache_write_tokens);
    assert.deepEqual(stored.tags, sample.tags);
    for (const field of Object.keys(sample)) assert.ok(field in stored, `column ${field} exists`);
    const [anonymous] = await rows<Record<string, unknown>>(
      client,
      `SELECT team, app, user, model_routed, error_message FROM ${db}.requests WHERE team = '' AND status = 400 LIMIT 1`,
    );
    assert.ok(anonymous, 'null team/app/user are stored as empty strings');
    assert.equal(anonymous.model_routed, null);
    assert.equal(anonymous.error_message, 'Ünïcödé failure — “quoted”, with\nnewline');
  });

  it('requests_ingest has the columns, defaults and order of requests, without LowCardinality', async () => {
    const columns = (table: string) =>
      rows<{ name: string; type: string; default_kind: string; default_expression: string }>(
        client,
        `SELECT name, type, default_kind, default_expression FROM system.columns
         WHERE database = '${db}' AND table = '${table}' AND default_kind != 'MATERIALIZED' ORDER BY position`,
      );
    const plain = (type: string) => type.replace(/LowCardinality\((.*)\)/, '$1');
    const target = await columns('requests');
    const ingest = await columns(REQUESTS_INSERT_TABLE);
    assert.deepEqual(
      ingest,
      target.map((c) => ({ ...c, type: plain(c.type) })),
    );
    assert.ok(ingest.every((c) => !c.type.includes('LowCardinality')));
    assert.deepEqual(
      ingest.map((c) => c.name),
      [...REQUEST_COLUMNS],
    );
  });

  it('a retried batch (same token) counts once in requests and in every rollup', async () => {
    // The writer resends a batch whose acknowledgement was lost, with the same insert_deduplication_token.
    const totals = () =>
      rows<{ raw: number; minute: number; daily: number }>(
        client,
        `SELECT (SELECT toUInt32(count()) FROM ${db}.requests) AS raw, (SELECT toUInt32(sum(requests)) FROM ${db}.requests_1m) AS minute,
          (SELECT toUInt32(sum(requests)) FROM ${db}.spend_daily) AS daily`,
      );
    const before = await totals();
    const n = records.length;
    assert.deepEqual(before, [{ raw: n, minute: n, daily: n }]);
    await createTableInsert(client, { database: db, columns: REQUEST_COLUMNS }).insert(
      REQUESTS_INSERT_TABLE,
      records,
      'schema-test-batch',
    );
    assert.deepEqual(await totals(), before);
  });

  it('per-minute rollups agree with the raw table', async () => {
    type Sums = Record<string, string | number>;
    const key =
      "team, app, ifNull(model_routed, ifNull(model_requested, '')) AS model, ifNull(provider, '') AS provider";
    const raw = await rows<Sums>(
      client,
      `SELECT ${key}, count() AS requests, sum(toUInt64(prompt_tokens)) AS p, sum(toUInt64(completion_tokens)) AS c,
        sum(cost_nano_usd) AS cost,
        countIf(status >= 500 OR (status = 200 AND error_code IN ('stream_interrupted'))) AS e5,
        countIf((status >= 400 AND status < 500) OR (status = 200 AND error_code = 'budget_exceeded')) AS e4,
        countIf(cache_status IN ('exact', 'semantic')) AS hits,
        quantileExactLow(0.4)(latency_ms) AS p50_low, quantileExactHigh(0.6)(latency_ms) AS p50_high,
        quantileExactLow(0.9)(latency_ms) AS p95_low, max(latency_ms) AS p95_high
       FROM ${db}.requests GROUP BY team, app, model, provider ORDER BY team, app, model, provider`,
    );
    const rolled = await rows<Sums>(
      client,
      `SELECT team, app, model, provider, sum(r.requests) AS requests, sum(r.prompt_tokens) AS p,
        sum(r.completion_tokens) AS c, sum(r.cost_nano_usd) AS cost, sum(r.server_errors) AS e5,
        sum(r.client_errors) AS e4, sum(r.cache_hits) AS hits, quantileTDigestMerge(0.5)(r.latency_ms) AS p50,
        quantileTDigestMerge(0.95)(r.latency_ms) AS p95
       FROM ${db}.requests_1m AS r GROUP BY team, app, model, provider ORDER BY team, app, model, provider`,
    );
    assert.equal(rolled.length, raw.length);
    assert.ok(raw.length >= 12);
    for (const [i, expected] of raw.entries()) {
      const actual = rolled[i]!;
      for (const column of [
        'team',
        'app',
        'model',
        'provider',
        'requests',
        'p',
        'c',
        'cost',
        'e5',
        'e4',
        'hits',
      ]) {
        assert.equal(
          String(actual[column]),
          String(expected[column]),
          `${column} of ${JSON.stringify(expected)}`,
        );
      }
      // t-digest is approximate in rank, not in value (a group has ~50 heavy-tailed latencies): the rolled-up
      // p50 must fall between the exact p40 and p60, the p95 between the exact p90 and the maximum.
      for (const column of ['p50', 'p95']) {
        const value = Number(actual[column]);
        const [low, high] = [Number(expected[`${column}_low`]), Number(expected[`${column}_high`])];
        assert.ok(value >= low && value <= high, `${column}: ${value} not in [${low}, ${high}]`);
      }
    }
    // Each endpoint has rows of its own (a model's token counts are not averaged into its completions).
    const byEndpoint = (sql: string) => rows<{ model: string; endpoint: string; n: string }>(client, sql);
    const rawEndpoints = await byEndpoint(
      `SELECT ifNull(model_routed, ifNull(model_requested, '')) AS model, endpoint, toString(count()) AS n
       FROM ${db}.requests GROUP BY model, endpoint ORDER BY model, endpoint`,
    );
    const rolledEndpoints = await byEndpoint(
      `SELECT model, endpoint, toString(sum(r.requests)) AS n FROM ${db}.requests_1m AS r
       GROUP BY model, endpoint ORDER BY model, endpoint`,
    );
    assert.deepEqual(rolledEndpoints, rawEndpoints);
    assert.ok(new Set(rawEndpoints.map((r) => r.endpoint)).size >= 3);
    const daily = await rows<{ n: string; cost: string; tokens: string }>(
      client,
      `SELECT sum(requests) AS n, sum(cost_nano_usd) AS cost, sum(prompt_tokens + completion_tokens) AS tokens
       FROM ${db}.spend_daily`,
    );
    const total = records.reduce((sum, r) => sum + r.cost_nano_usd, 0);
    const tokens = records.reduce((sum, r) => sum + r.prompt_tokens + r.completion_tokens, 0);
    assert.deepEqual(
      { n: Number(daily[0]!.n), cost: Number(daily[0]!.cost), tokens: Number(daily[0]!.tokens) },
      { n: records.length, cost: total, tokens },
    );
  });

  it('rollup queries count every minute that overlaps the window, as the raw table does over whole minutes', async () => {
    const [first] = await rows<{ t: string }>(
      client,
      `SELECT toString(min(started_at)) AS t FROM ${db}.requests`,
    );
    const start = new Date(`${first!.t.replace(' ', 'T')}Z`).getTime();
    const minute = 60_000;
    // Bounds inside a minute on both sides.
    const from = new Date(Math.floor(start / minute) * minute + 30_500);
    const to = new Date(from.getTime() + 4 * minute);
    const chTime = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
    const teams = await runNamedQuery<{ requests: string }>(client, 'usage_by_team', db, {
      from: chTime(from),
      to: chTime(to),
    });
    const [raw] = await rows<{ n: string }>(
      client,
      `SELECT count() AS n FROM ${db}.requests
       WHERE started_at >= toStartOfMinute(toDateTime64('${chTime(from)}', 3, 'UTC'))
         AND started_at < toStartOfMinute(toDateTime64('${chTime(to)}', 3, 'UTC')) + INTERVAL 1 MINUTE`,
    );
    assert.ok(Number(raw!.n) > 0);
    assert.equal(
      teams.reduce((sum, row) => sum + Number(row.requests), 0),
      Number(raw!.n),
    );
  });

  it('every named query runs', async () => {
    const range = { from: '2026-11-16 00:00:00.000', to: '2026-11-23 00:00:00.000' };
    for (const name of QUERY_NAMES) {
      const params: Record<string, string | number> =
        name === 'cost_by_app' ? { from_day: '2026-11-16', to_day: '2026-11-23' } : { ...range, limit: 5 };
      const result = await runNamedQuery<Record<string, unknown>>(client, name, db, params);
      assert.ok(result.length > 0, `${name} returns rows`);
      assert.match(loadQuery(name), /\{db:Identifier\}/);
    }
  });

  describe('report for the synthetic week', () => {
    const teams = {
      acme: {
        models: ['*'],
        roles: [],
        limits: { tokens: { week: 1_000_000 }, cost_usd: { week: 10 } },
        apps: { search: { keys: [], limits: { cost_usd: { week: 5 } } }, chat: { keys: [] } },
      },
      globex: { models: ['*'], roles: [], apps: {} },
    } as unknown as TeamsConfig;
    // Thursday noon: half of the week has elapsed.
    const now = new Date('2026-11-19T12:00:00.000Z');
    let report: Report;

    before(async () => {
      const window = reportWindow({ period: 'week', now, timeZone: 'UTC' });
      report = await buildReport(client, { database: db, teams, window, by: 'app', topUsers: 3 });
    });

    it('covers the calendar week so far and adds up to the raw table', () => {
      assert.equal(report.from, '2026-11-16T00:00:00.000Z');
      assert.equal(report.to, now.toISOString());
      assert.equal(report.elapsed, 0.5);
      const inWindow = records.filter((r) => Date.parse(r.started_at) < now.getTime());
      const acmeSearch = inWindow.filter((r) => r.team === 'acme' && r.app === 'search');
      const row = report.usage.find((u) => u.group.team === 'acme' && u.group.app === 'search');
      assert.ok(row);
      assert.equal(row.requests, acmeSearch.length);
      assert.equal(
        row.total_tokens,
        acmeSearch.reduce((s, r) => s + r.prompt_tokens + r.completion_tokens, 0),
      );
      assert.ok(Math.abs(row.cost_usd - acmeSearch.reduce((s, r) => s + r.cost_nano_usd, 0) / 1e9) < 1e-6);
      // A stream that failed after its 200 counts as an error; a client that left does not.
      const failed = (r: SyntheticRecord) =>
        r.status >= 400 || (r.status === 200 && r.error_code !== null && r.error_code !== 'client_aborted');
      assert.ok(acmeSearch.some((r) => r.status === 200 && r.error_code === 'stream_interrupted'));
      const errors = acmeSearch.filter(failed).length / acmeSearch.length;
      assert.ok(Math.abs(row.error_rate - errors) < 1e-9);
      assert.equal(
        report.usage.reduce((s, u) => s + u.requests, 0),
        inWindow.length,
      );
    });

    it('computes budget burn and the end-of-week projection', () => {
      const inWindow = records.filter((r) => Date.parse(r.started_at) < now.getTime() && r.team === 'acme');
      const cost = inWindow.reduce((s, r) => s + r.cost_nano_usd, 0) / 1e9;
      const teamCost = report.budgets.find(
        (b) => b.scope === 'team' && b.team === 'acme' && b.metric === 'cost_usd',
      );
      assert.ok(teamCost);
      assert.ok(Math.abs(teamCost.used - cost) < 1e-6);
      assert.ok(Math.abs(teamCost.used_ratio - cost / 10) < 1e-9);
      assert.ok(Math.abs(teamCost.projected! - cost * 2) < 1e-6);
      assert.ok(report.budgets.some((b) => b.scope === 'app' && b.app === 'search' && b.limit === 5));
      assert.equal(
        report.budgets.length,
        3,
        'acme tokens, acme cost, acme/search cost; globex has no budget',
      );
    });

    it('lists top users by spend', () => {
      assert.equal(report.top_users.length, 3);
      const costs = report.top_users.map((u) => u.cost_usd);
      assert.deepEqual(
        costs,
        [...costs].sort((a, b) => b - a),
      );
      assert.ok(report.top_users.every((u) => u.user !== ''));
    });

    it('renders Markdown, CSV and JSON that parse back', () => {
      const md = formatReport(report, 'md');
      assert.match(md, /^# AI gateway report: week by app/);
      const usageHeader = md.split('\n').find((line) => line.startsWith('| team | app | requests'));
      assert.ok(usageHeader);
      const mdRows = md.split('\n').filter((line) => line.startsWith('| acme | search |'));
      assert.equal(mdRows.length, 1);
      // A cost below a cent reads as one (three significant digits), not as $0.00.
      const cheap = formatReport(
        { ...report, usage: report.usage.map((u) => ({ ...u, cost_usd: 0.001528 })) },
        'md',
      );
      assert.match(cheap, /\| \$0\.00153 \|/);
      assert.doesNotMatch(
        cheap.split('\n').find((l) => l.startsWith('| acme | search |'))!,
        /\$0\.00 /,
      );

      const csv = formatReport(report, 'csv');
      const sections = csv.split('\n\n');
      assert.deepEqual(
        sections.map((s) => s.split('\n')[0]),
        ['# usage', '# budgets', '# top_users'],
      );
      const [header, ...lines] = sections[0]!.trim().split('\n').slice(1);
      const columns = header!.split(',');
      assert.equal(lines.length, report.usage.length);
      const first = lines[0]!.split(',');
      assert.equal(first.length, columns.length);
      assert.equal(Number(first[columns.indexOf('requests')]), report.usage[0]!.requests);

      const json = JSON.parse(formatReport(report, 'json')) as Report;
      assert.deepEqual(json, JSON.parse(JSON.stringify(report)));
      assert.ok(json.usage.every((u) => u.p95_latency_ms === null || u.p95_latency_ms > 0));
    });

    it('parses the CLI flags', () => {
      const args = parseReportArgs([
        '--period',
        'month',
        '--by',
        'model',
        '--format',
        'csv',
        '--from',
        '2026-11-01',
      ]);
      assert.equal(args.period, 'month');
      assert.equal(args.by, 'model');
      assert.equal(args.format, 'csv');
      assert.equal(args.from?.toISOString(), '2026-11-01T00:00:00.000Z');
      assert.throws(() => parseReportArgs(['--by', 'planet']), /--by must be one of/);
    });

    it('a custom window has no budget section', async () => {
      const window = reportWindow({
        period: 'week',
        now,
        timeZone: 'UTC',
        from: new Date(WEEK_START),
        to: new Date(WEEK_START + 7 * 86_400_000),
      });
      const custom = await buildReport(client, { database: db, teams, window, by: 'model' });
      assert.equal(custom.period, 'custom');
      assert.deepEqual(custom.budgets, []);
      assert.equal(
        custom.usage.reduce((s, u) => s + u.requests, 0),
        records.length,
      );
      assert.equal(toClickHouseTime(window.to), '2026-11-23 00:00:00.000');
    });
  });

  it('the migrate CLI applies, then finds nothing to do (separate process, own data dir)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'analytics-cli-'));
    try {
      const configPath = join(dir, 'gateway.yaml');
      writeFileSync(configPath, `analytics:\n  data_dir: ${JSON.stringify(join(dir, 'chdb'))}\n`);
      const env = { ...process.env, GATEWAY_CONFIG: configPath };
      const cli = ['--import', 'tsx', 'analytics/migrate.ts'];
      const first = await run(process.execPath, cli, { cwd: ROOT, env });
      const n = loadMigrationFiles().length;
      assert.match(first.stdout, new RegExp(`^${n} applied, 0 already applied \\(chdb, ai_gateway\\)`, 'm'));
      const second = await run(process.execPath, cli, { cwd: ROOT, env });
      assert.match(second.stdout, new RegExp(`^0 applied, ${n} already applied`, 'm'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(
  'analytics schema (ClickHouse server, CLICKHOUSE_URL)',
  { skip: !process.env.CLICKHOUSE_URL },
  () => {
    const config = analyticsConfigSchema.parse({
      url: process.env.CLICKHOUSE_URL,
      user: process.env.CLICKHOUSE_USER ?? 'default',
      password: process.env.CLICKHOUSE_PASSWORD ?? '',
      database: `gw_test_${randomUUID().replaceAll('-', '')}`,
    });
    let handle: AnalyticsClient;
    before(() => {
      handle = createAnalyticsClient(config);
    });
    after(async () => {
      await handle.client.command({ query: `DROP DATABASE IF EXISTS ${config.database}` });
      await handle.close();
    });

    it('migrates once, then is idempotent', async () => {
      assert.equal(handle.kind, 'server');
      const first = await runMigrations(handle.client, config);
      assert.equal(first.applied.length, loadMigrationFiles().length);
      const before = await showCreateAll(handle.client, config.database);
      const second = await runMigrations(handle.client, config);
      assert.deepEqual(second.applied, []);
      assert.deepEqual(await showCreateAll(handle.client, config.database), before);
    });

    it('rolls up inserted records', async () => {
      const records = syntheticRecords(200);
      await handle.client.insert({
        table: `${config.database}.requests`,
        values: records,
        format: 'JSONEachRow',
        clickhouse_settings: { date_time_input_format: 'best_effort' },
      });
      const [row] = await rows<{ n: string }>(
        handle.client,
        `SELECT sum(requests) AS n FROM ${config.database}.requests_1m`,
      );
      assert.equal(Number(row!.n), records.length);
    });
  },
);
