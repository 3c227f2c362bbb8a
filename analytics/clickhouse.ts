// One @clickhouse/client instance over either backend: a ClickHouse server (HTTP/HTTPS) or chDB embedded in
// this process. Everything above this file (migrations, writer, queries, reports) only sees ClickHouseClient.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import {
  createClient,
  parseError,
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
} from '@clickhouse/client';
import type * as ChdbConnection from 'chdb/connection';
import type { AnalyticsConfig } from './config-schema.js';

/**
 * chDB is loaded only for the embedded backend: its engine library adds ≈ 160 MB of resident memory and ≈ 0.1 s
 * of start-up when merely imported, which a gateway with analytics off or on a ClickHouse server never needs.
 * `chdb/connection` is CommonJS, so a synchronous require keeps createAnalyticsClient synchronous.
 */
const loadChdb = (): typeof ChdbConnection =>
  createRequire(import.meta.url)('chdb/connection') as typeof ChdbConnection;

export type AnalyticsBackend = 'chdb' | 'server';

/**
 * chDB's own insert: the payload goes to the engine as bytes, without the client's detour (stream to string,
 * the data appended to the SQL text). ≈ 30% less CPU per row than `client.exec` (bench/README.md).
 */
export type RawInsert = (params: {
  table: string;
  columns: readonly string[];
  format: 'JSONCompactEachRow';
  values: Buffer;
  settings: Record<string, string | number>;
}) => Promise<void>;

export interface AnalyticsClient {
  client: ClickHouseClient;
  kind: AnalyticsBackend;
  /** chDB only. */
  rawInsert?: RawInsert;
  /** Closes the client and, for chDB, this handle's session on the data directory. */
  close(): Promise<void>;
}

export interface AnalyticsClientOptions {
  /** Overrides `config.data_dir` (tests use a temp dir). */
  chdbPath?: string;
}

type ConnectionConfig = Pick<AnalyticsConfig, 'url' | 'user' | 'password' | 'tls' | 'data_dir'> &
  Partial<Pick<AnalyticsConfig, 'request_timeout_ms'>>;

/**
 * chDB binds ONE data directory per process: a second connection at the same path shares the engine, a
 * connection at another path is refused while the first is open. There is deliberately no registry here:
 * the process (gateway main, CLI, test file) creates one AnalyticsClient and passes it to the writer,
 * migrations and reports. Opening two at the same path also works, because chDB refcounts same-path sessions.
 * Tables are always addressed as `db.table`, because the chDB connection ignores the client's `database`.
 */
export function createAnalyticsClient(
  config: ConnectionConfig,
  options: AnalyticsClientOptions = {},
): AnalyticsClient {
  if (config.url === undefined) {
    const path = resolve(options.chdbPath ?? config.data_dir);
    mkdirSync(path, { recursive: true });
    // chdb types the Connection against its own copy of @clickhouse/client-common (1.23.0 vs the client's
    // bundled 1.23.1): the shapes are the same at runtime, only the declarations are distinct types.
    const chdb = loadChdb().createChdbConnection({ path });
    const connection = chdb as unknown as ClickHouseClientConfigOptions['connection'];
    const client = createClient({ connection, application: 'ai-gateway' });
    const rawInsert: RawInsert = async ({ columns, ...params }) => {
      try {
        await chdb.chdb.rawInsert({ ...params, columns: [...columns] });
      } catch (err) {
        // The same error shape (code, type) as the client's, so that data errors are recognised alike.
        throw parseError(err instanceof Error ? err.message : String(err));
      }
    };
    return { client, kind: 'chdb', rawInsert, close: () => client.close() };
  }
  const client = createClient({
    url: config.url,
    username: config.user,
    password: config.password,
    application: 'ai-gateway',
    tls: tlsOptions(config.tls),
    // The client's default is 30 s: a hanging server would hold startup (migrations) and shutdown that long.
    request_timeout: config.request_timeout_ms ?? 10_000,
  });
  return { client, kind: 'server', close: () => client.close() };
}

function tlsOptions(tls: AnalyticsConfig['tls']) {
  // Without ca_file an https URL is verified against the system CAs, which needs no client option at all.
  if (tls?.ca_file === undefined) return undefined;
  const ca_cert = readFileSync(tls.ca_file);
  if (tls.cert_file === undefined || tls.key_file === undefined) return { ca_cert };
  return { ca_cert, cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file) };
}
