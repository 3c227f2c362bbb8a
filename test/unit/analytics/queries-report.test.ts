// Report arithmetic without a database: calendar windows in the budgets' time zone, budget burn and projection,
// placeholder rendering of migrations, and that every named query file exists and takes the `db` parameter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadMigrationFiles, renderMigration } from '../../../analytics/migration-files.js';
import { QUERY_NAMES, loadQuery } from '../../../analytics/queries/index.js';
import { budgetBurn } from '../../../analytics/report/budgets.js';
import { calendarPeriod, reportWindow } from '../../../analytics/report/period.js';
import type { TeamsConfig } from '../../../dataplane/config/auth-schema.js';

describe('report periods', () => {
  const now = new Date('2026-03-04T10:30:00.000Z'); // a Wednesday

  it('day, week from Monday and month, in UTC', () => {
    const iso = (p: { start: Date; end: Date }) => [p.start.toISOString(), p.end.toISOString()];
    assert.deepEqual(iso(calendarPeriod('day', now, 'UTC')), [
      '2026-03-04T00:00:00.000Z',
      '2026-03-05T00:00:00.000Z',
    ]);
    assert.deepEqual(iso(calendarPeriod('week', now, 'UTC')), [
      '2026-03-02T00:00:00.000Z',
      '2026-03-09T00:00:00.000Z',
    ]);
    assert.deepEqual(iso(calendarPeriod('month', now, 'UTC')), [
      '2026-03-01T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
    ]);
  });

  it('follows the time zone, across a daylight-saving change', () => {
    // Berlin is UTC+1 in winter and UTC+2 from 29 March 2026.
    const march = calendarPeriod('month', new Date('2026-03-31T12:00:00.000Z'), 'Europe/Berlin');
    assert.equal(march.start.toISOString(), '2026-02-28T23:00:00.000Z');
    assert.equal(march.end.toISOString(), '2026-03-31T22:00:00.000Z');
    const sunday = calendarPeriod('week', new Date('2026-03-01T23:30:00.000Z'), 'Europe/Berlin');
    assert.equal(sunday.start.toISOString(), '2026-03-01T23:00:00.000Z', 'already Monday in Berlin');
    const tokyo = calendarPeriod('day', new Date('2026-03-04T20:00:00.000Z'), 'Asia/Tokyo');
    assert.equal(tokyo.start.toISOString(), '2026-03-04T15:00:00.000Z');
  });

  it('reports the elapsed share of a calendar period, and 1 for an explicit range', () => {
    const week = reportWindow({ period: 'week', now, timeZone: 'UTC' });
    assert.equal(week.calendar, true);
    assert.ok(Math.abs(week.elapsed - (2 * 24 + 10.5) / (7 * 24)) < 1e-12);
    const custom = reportWindow({
      period: 'week',
      now,
      timeZone: 'UTC',
      from: new Date('2026-01-01T00:00:00Z'),
    });
    assert.equal(custom.calendar, false);
    assert.equal(custom.elapsed, 1);
    assert.throws(() => reportWindow({ period: 'day', now, timeZone: 'UTC', from: now, to: now }), /before/);
    // Explicit bounds widen to whole minutes, as the per-minute rollups can only answer those.
    const unaligned = reportWindow({
      period: 'day',
      now,
      timeZone: 'UTC',
      from: new Date('2026-11-16T10:01:30.500Z'),
      to: new Date('2026-11-16T10:05:30.250Z'),
    });
    assert.equal(unaligned.from.toISOString(), '2026-11-16T10:01:00.000Z');
    assert.equal(unaligned.to.toISOString(), '2026-11-16T10:06:00.000Z');
    const aligned = reportWindow({
      period: 'day',
      now,
      timeZone: 'UTC',
      from: new Date('2026-11-16T10:01:00Z'),
      to: new Date('2026-11-16T10:05:00Z'),
    });
    assert.equal(aligned.to.toISOString(), '2026-11-16T10:05:00.000Z');
  });
});

describe('budget burn', () => {
  const teams = {
    acme: {
      models: ['*'],
      roles: [],
      limits: { tokens: { month: 1_000 }, cost_usd: { day: 1 } },
      apps: { a: { keys: [], limits: { tokens: { month: 100 } } }, b: { keys: [] } },
    },
  } as unknown as TeamsConfig;
  const spend = [
    { team: 'acme', app: 'a', total_tokens: '60', cost_nano_usd: '2000000000' },
    { team: 'acme', app: 'b', total_tokens: 140, cost_nano_usd: 0 },
    { team: 'other', app: 'x', total_tokens: 5, cost_nano_usd: 5 },
  ];

  it('adds apps up to their team and projects at the current pace', () => {
    const rows = budgetBurn(teams, 'month', spend, 0.25);
    assert.deepEqual(
      rows.map((r) => [
        r.scope,
        r.app,
        r.metric,
        r.used,
        r.limit,
        r.used_ratio,
        r.projected,
        r.projected_ratio,
      ]),
      [
        ['team', '', 'tokens', 200, 1_000, 0.2, 800, 0.8],
        ['app', 'a', 'tokens', 60, 100, 0.6, 240, 2.4],
      ],
    );
  });

  it('uses only the budget of the reported period, and no projection at the very start', () => {
    const rows = budgetBurn(teams, 'day', spend, 0);
    assert.deepEqual(
      rows.map((r) => [r.metric, r.used, r.projected]),
      [['cost_usd', 2, null]],
    );
  });
});

describe('named queries and migrations', () => {
  it('every named query exists and is scoped to the analytics database', () => {
    for (const name of QUERY_NAMES) assert.match(loadQuery(name), /FROM \{db:Identifier\}\.\w+/, name);
  });

  it('migrations render without leftover placeholders', () => {
    for (const file of loadMigrationFiles()) {
      const sql = renderMigration(file.sql, { database: 'ai_gateway', bodies_retention_days: 30 });
      assert.doesNotMatch(sql, /\{(db|on_cluster|engine:\w+|bodies_retention_days)\}/, file.name);
      assert.doesNotMatch(sql, /ON CLUSTER|Replicated/, file.name);
      // Creations and added columns say IF NOT EXISTS; a setting or view-query change is idempotent by nature.
      assert.match(
        sql,
        /IF NOT EXISTS `ai_gateway`\.|^ALTER TABLE `ai_gateway`\.\S+ +MODIFY (SETTING|QUERY)|ADD COLUMN IF NOT EXISTS/m,
        `${file.name} is safe to repeat`,
      );
    }
  });
});
