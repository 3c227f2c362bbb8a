// Applies the numbered migrations of analytics/migrations/ in order, once each, recording them in
// `schema_migrations`. Run at gateway start and by `npm run migrate`; running it again applies nothing.
import type { ClickHouseClient } from '@clickhouse/client';
import { createAnalyticsClient } from './clickhouse.js';
import { isMainModule, loadCliConfig } from './cli-config.js';
import type { AnalyticsConfig } from './config-schema.js';
import {
  engineClause,
  loadMigrationFiles,
  onClusterClause,
  quoteIdentifier,
  renderMigration,
  type MigrationFile,
  type RenderConfig,
} from './migration-files.js';

export interface MigrationResult {
  /** Names applied by this run, in order. */
  applied: string[];
  /** Names that were already applied (checksum verified). */
  skipped: string[];
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function runMigrations(
  client: ClickHouseClient,
  config: RenderConfig,
  files: MigrationFile[] = loadMigrationFiles(),
): Promise<MigrationResult> {
  const db = quoteIdentifier(config.database);
  const onCluster = onClusterClause(config);
  // ON CLUSTER DDL waits until every host ran it (up to this many seconds), so the next migration finds the
  // previous one's tables everywhere. Only sent on a cluster: read-only users and chDB need no extra settings.
  const settings =
    config.on_cluster === undefined ? {} : { clickhouse_settings: { distributed_ddl_task_timeout: '300' } };
  const command = (query: string) => client.command({ query, ...settings });
  await command(`CREATE DATABASE IF NOT EXISTS ${db} ${onCluster}`);
  await command(
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations ${onCluster}
      (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = ${engineClause('MergeTree', config)} ORDER BY version`,
  );
  const applied = await readApplied(client, db);
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const file of files) {
    const done = applied.get(file.version);
    if (done !== undefined) {
      // An edited migration would leave this deployment's schema different from a fresh one's.
      if (done.checksum !== file.checksum) {
        throw new MigrationError(
          `migration ${file.name} was applied as ${done.name} with another checksum; ` +
            'migrations are append-only: restore the file and add a new one',
        );
      }
      result.skipped.push(file.name);
      continue;
    }
    await command(renderMigration(file.sql, config));
    // Recorded after the statement succeeded; every statement is IF NOT EXISTS, so a crash in between only
    // means the next run repeats a harmless no-op.
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: file.version, name: file.name, checksum: file.checksum }],
      format: 'JSONEachRow',
    });
    result.applied.push(file.name);
  }
  return result;
}

async function readApplied(client: ClickHouseClient, db: string): Promise<Map<number, AppliedRow>> {
  // Two processes migrating at once may both record a version; the first record wins.
  const rows = await client.query({
    query: `SELECT version, argMin(name, applied_at) AS name, argMin(checksum, applied_at) AS checksum
      FROM ${db}.schema_migrations GROUP BY version ORDER BY version`,
    format: 'JSONEachRow',
  });
  const list = await rows.json<AppliedRow>();
  return new Map(list.map((row) => [Number(row.version), row]));
}

async function main(): Promise<void> {
  const config = await loadCliConfig(process.env);
  const analytics: AnalyticsConfig = config.analytics;
  const handle = createAnalyticsClient(analytics);
  try {
    const result = await runMigrations(handle.client, analytics);
    for (const name of result.applied) process.stdout.write(`applied ${name}\n`);
    process.stdout.write(
      `${result.applied.length} applied, ${result.skipped.length} already applied (${handle.kind}, ${analytics.database})\n`,
    );
  } finally {
    await handle.close();
  }
}

if (isMainModule(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
