// The named SQL queries of analytics/queries/, shared by the report CLI and dashboards. Each file is one
// SELECT with ClickHouse query parameters ({name:Type}); `db` is always the analytics database (Identifier).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { findSqlDir } from '../sql-dir.js';

export const QUERY_NAMES = [
  'usage_by_team',
  'usage_by_app',
  'usage_by_model',
  'usage_by_user',
  'top_users',
  'latency_by_model',
  'error_rates',
  'cache_hits',
  'budget_spend',
  'cost_by_app',
] as const;

export type QueryName = (typeof QUERY_NAMES)[number];

export type QueryParams = Record<string, string | number>;

export function isQueryName(name: string): name is QueryName {
  return (QUERY_NAMES as readonly string[]).includes(name);
}

/** The SQL text of a named query, as a dashboard would paste it. */
export function loadQuery(name: QueryName, dir = findSqlDir('queries')): string {
  return readFileSync(join(dir, `${name}.sql`), 'utf8');
}

/** Runs a named query against `database`; 64-bit integers arrive as strings in JSON, so callers use Number(). */
export async function runNamedQuery<Row>(
  client: ClickHouseClient,
  name: QueryName,
  database: string,
  params: QueryParams,
): Promise<Row[]> {
  const result = await client.query({
    query: loadQuery(name),
    query_params: { ...params, db: database },
    format: 'JSONEachRow',
  });
  return result.json<Row>();
}

/** `Date` → the text form ClickHouse parses for DateTime64(3, 'UTC') parameters. */
export function toClickHouseTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
