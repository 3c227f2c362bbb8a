// Collects a report from the named queries: usage per team/app/model/user, budget burn and top users.
// Pure data; rendering to Markdown, CSV or JSON is format.ts's job.
import type { ClickHouseClient } from '@clickhouse/client';
import type { TeamsConfig } from '../../dataplane/config/auth-schema.js';
import { runNamedQuery, toClickHouseTime, type QueryName } from '../queries/index.js';
import { budgetBurn, type BudgetBurn, type SpendRow } from './budgets.js';
import type { ReportWindow } from './period.js';

export const GROUPINGS = ['team', 'app', 'model', 'user'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** The columns that name a group, per grouping (apps and users are named within their team). */
export const GROUP_COLUMNS: Record<Grouping, readonly string[]> = {
  team: ['team'],
  app: ['team', 'app'],
  model: ['model', 'provider', 'endpoint'],
  user: ['team', 'app', 'user'],
};

const USAGE_QUERY: Record<Grouping, QueryName> = {
  team: 'usage_by_team',
  app: 'usage_by_app',
  model: 'usage_by_model',
  user: 'usage_by_user',
};

export interface UsageRow {
  group: Record<string, string>;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  cost_avoided_usd: number;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
  error_rate: number;
  cache_hit_rate: number;
}

export interface TopUser {
  team: string;
  app: string;
  user: string;
  requests: number;
  total_tokens: number;
  cost_usd: number;
}

export interface Report {
  period: string;
  from: string;
  to: string;
  time_zone: string;
  /** Share of the calendar period elapsed; 1 for an explicit --from/--to window. */
  elapsed: number;
  by: Grouping;
  usage: UsageRow[];
  budgets: BudgetBurn[];
  top_users: TopUser[];
}

export interface ReportOptions {
  database: string;
  teams: TeamsConfig;
  window: ReportWindow;
  by: Grouping;
  topUsers?: number;
}

type RawRow = Record<string, string | number | null>;

const NANO = 1e9;

export async function buildReport(client: ClickHouseClient, options: ReportOptions): Promise<Report> {
  const { window, database } = options;
  const range = { from: toClickHouseTime(window.from), to: toClickHouseTime(window.to) };
  const [usage, spend, top] = await Promise.all([
    runNamedQuery<RawRow>(client, USAGE_QUERY[options.by], database, range),
    window.calendar ? runNamedQuery<SpendRow>(client, 'budget_spend', database, range) : Promise.resolve([]),
    runNamedQuery<RawRow>(client, 'top_users', database, { ...range, limit: options.topUsers ?? 10 }),
  ]);
  return {
    period: window.calendar ? window.period : 'custom',
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    time_zone: window.timeZone,
    elapsed: window.elapsed,
    by: options.by,
    usage: usage.map((row) => usageRow(row, GROUP_COLUMNS[options.by])),
    budgets: window.calendar ? budgetBurn(options.teams, window.period, spend, window.elapsed) : [],
    top_users: top.map((row) => ({
      team: String(row.team),
      app: String(row.app),
      user: String(row.user),
      requests: Number(row.requests),
      total_tokens: Number(row.total_tokens),
      cost_usd: Number(row.cost_nano_usd) / NANO,
    })),
  };
}

function usageRow(row: RawRow, groupColumns: readonly string[]): UsageRow {
  const group: Record<string, string> = {};
  for (const column of groupColumns) group[column] = String(row[column] ?? '');
  return {
    group,
    requests: Number(row.requests),
    prompt_tokens: Number(row.prompt_tokens),
    completion_tokens: Number(row.completion_tokens),
    total_tokens: Number(row.total_tokens),
    cost_usd: Number(row.cost_nano_usd) / NANO,
    cost_avoided_usd: Number(row.cost_avoided_nano_usd) / NANO,
    p50_latency_ms: finiteOrNull(row.p50_latency_ms),
    p95_latency_ms: finiteOrNull(row.p95_latency_ms),
    error_rate: Number(row.error_rate),
    cache_hit_rate: Number(row.cache_hit_rate),
  };
}

// An empty t-digest yields NaN, which JSON cannot carry.
function finiteOrNull(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
