// Reads the numbered migration files and renders their placeholders for one deployment.
//
// A migration is one SQL statement in `NNNN_snake_name.sql` (a trailing `;` is allowed). Files are append-only:
// once applied anywhere, editing one is refused by its checksum; change the schema with a new number instead.
// Placeholders, replaced before the statement is sent:
//   {db}                     the analytics database (config `database`)
//   {on_cluster}             `ON CLUSTER <name>` when `on_cluster` is set, else nothing
//   {engine:Name}            `Name` on one node; `ReplicatedName('/clickhouse/tables/{shard}/{database}/{table}',
//                            '{replica}')` on a cluster (those three are ClickHouse's own macros, left as is)
//   {bodies_retention_days}  config `bodies_retention_days`
// The checksum covers the file as written, so a different database, cluster or retention does not count as an edit.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyticsConfig } from './config-schema.js';
import { findSqlDir } from './sql-dir.js';

export interface MigrationFile {
  /** The number in the file name, e.g. 1 for 0001_create_requests.sql. */
  version: number;
  /** The file name without its extension. */
  name: string;
  sql: string;
  /** SHA-256 of the file, hex. */
  checksum: string;
}

export type RenderConfig = Pick<AnalyticsConfig, 'database' | 'on_cluster' | 'bodies_retention_days'>;

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;
const ENGINE = /\{engine:([A-Za-z]+)\}/g;

export function migrationsDir(): string {
  return findSqlDir('migrations');
}

export function loadMigrationFiles(dir = migrationsDir()): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (!entry.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(entry);
    if (match === null) throw new Error(`migration ${entry}: name must be NNNN_snake_case.sql`);
    const sql = readFileSync(join(dir, entry), 'utf8');
    files.push({
      version: Number(match[1]),
      name: entry.slice(0, -'.sql'.length),
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  files.forEach((file, i) => {
    // Gaps or duplicates mean a merge went wrong; applying around them would make deployments diverge.
    if (file.version !== i + 1) throw new Error(`migration ${file.name}: expected number ${i + 1}`);
  });
  return files;
}

/** The clause that makes a statement run on every host of the cluster (empty on one node). */
export function onClusterClause(config: Pick<AnalyticsConfig, 'on_cluster'>): string {
  return config.on_cluster === undefined ? '' : `ON CLUSTER ${quoteIdentifier(config.on_cluster)}`;
}

/** A MergeTree-family engine, replicated when the tables live on a cluster. */
export function engineClause(engine: string, config: Pick<AnalyticsConfig, 'on_cluster'>): string {
  if (config.on_cluster === undefined) return engine;
  return `Replicated${engine}('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')`;
}

export function renderMigration(sql: string, config: RenderConfig): string {
  const rendered = sql
    .replaceAll('{db}', quoteIdentifier(config.database))
    .replaceAll('{on_cluster}', onClusterClause(config))
    .replaceAll('{bodies_retention_days}', String(config.bodies_retention_days))
    .replace(ENGINE, (_match, engine: string) => engineClause(engine, config));
  return rendered.trim().replace(/;\s*$/, '');
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
}
