// Config of the analytics store (`analytics:`): where request records go (a ClickHouse server, or chDB embedded
// in the gateway process when no URL is set), how long audit bodies are kept, and how the writer batches.
import { z } from 'zod';

const positiveInt = (fallback: number) => z.number().int().positive().default(fallback);

export const analyticsTlsSchema = z.strictObject({
  /** PEM CA bundle that signed the server certificate (private CAs). */
  ca_file: z.string().min(1).optional(),
  /** Client certificate and key, PEM, for mutual TLS. */
  cert_file: z.string().min(1).optional(),
  key_file: z.string().min(1).optional(),
});

/**
 * The audit log of bodies (`request_bodies`). Off by default: keeping prompts and answers is a privacy and
 * storage decision for the deployment. Bodies are cut to max_bytes (UTF-8) when captured, so that a queued
 * row is bounded, and PII is redacted in the writer's flush before the row reaches ClickHouse or the spool.
 */
export const analyticsBodiesSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Per body (request and response each); longer ones are cut and flagged `*_truncated`. */
  max_bytes: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .default(32 * 1024),
  /** Replace PII and secrets found by the analysis detectors with placeholders ([EMAIL_1]). */
  redact: z.boolean().default(true),
  /** Rows held in memory; beyond, batches go to the spool, and past twice this many rows are dropped (counted). */
  max_queue_rows: positiveInt(1_000),
  /** Rows per INSERT. */
  batch_rows: positiveInt(500),
});

export const clientIpModes = ['full', 'truncate', 'hash', 'drop'] as const;

export const analyticsConfigSchema = z
  .strictObject({
    /** Record requests at all; false keeps the gateway free of any analytics I/O. */
    enabled: z.boolean().default(true),
    /** ClickHouse HTTP(S) endpoint, e.g. https://ch.internal:8443; absent = embedded chDB under `data_dir`. */
    url: z.url().optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    /**
     * How long one request to the ClickHouse server may take (insert, migration, query). A server that hangs
     * then fails the insert, whose batch goes to the spool; keep it below the orchestrator's stop timeout.
     */
    request_timeout_ms: z.number().int().positive().default(10_000),
    /** Database that holds every analytics table; created by the migrations. */
    database: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, underscore)')
      .default('ai_gateway'),
    tls: analyticsTlsSchema.optional(),
    /** chDB data directory (embedded backend only); created when missing. */
    data_dir: z.string().min(1).default('.data/chdb'),
    /** Cluster name: DDL runs `ON CLUSTER` and tables use Replicated* engines with {shard}/{replica} macros. */
    on_cluster: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be a cluster name from remote_servers')
      .optional(),
    /** TTL of `request_bodies`; applied when the table is created (later changes need an ALTER, see docs). */
    bodies_retention_days: z.number().int().positive().default(30),
    bodies: analyticsBodiesSchema.prefault({}),
    /** Client address anonymisation: truncate = /24 IPv4, /48 IPv6; hash = keyed digest; drop = empty. */
    client_ip: z.enum(clientIpModes).default('truncate'),
    /**
     * The key of `client_ip: hash` (HMAC-SHA-256). Without a secret key a digest of an address is reversed by
     * hashing the 2^32 IPv4 addresses; the same key on every replica keeps one client one digest.
     */
    client_ip_hash_key: z.string().min(16).optional(),
    /** Writer: rows per INSERT. */
    batch_rows: positiveInt(10_000),
    /** Writer: longest wait before a partial batch is flushed, milliseconds. */
    flush_ms: positiveInt(1_000),
    /**
     * Writer: rows held in memory (waiting, or while ClickHouse is unavailable); beyond, batches are spooled
     * to disk. 50k rows ≤ 62 MB even as record objects (≈ 1.24 KB each); encoded batches take ≈ 0.5 KB a row.
     */
    max_queue_rows: positiveInt(50_000),
    /** Writer: directory for rows that could not be inserted yet. */
    spool_dir: z.string().min(1).default('.data/spool'),
  })
  .superRefine((config, ctx) => {
    if (config.client_ip === 'hash' && config.client_ip_hash_key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['client_ip_hash_key'],
        message:
          'client_ip: hash needs a secret client_ip_hash_key (16+ characters, e.g. ${CLIENT_IP_HASH_KEY})',
      });
    }
    // chDB is one process, not a cluster: ON CLUSTER would fail at the first migration, so refuse it here.
    if (config.on_cluster !== undefined && config.url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['on_cluster'],
        message: 'on_cluster needs a ClickHouse server (url)',
      });
    }
    if ((config.tls?.cert_file === undefined) !== (config.tls?.key_file === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'set both cert_file and key_file, or neither' });
    }
    // @clickhouse/client takes a client certificate only together with the CA that verifies the server.
    if (config.tls?.cert_file !== undefined && config.tls.ca_file === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'ca_file'], message: 'mutual TLS needs ca_file as well' });
    }
  });

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
export type AnalyticsBodiesConfig = z.infer<typeof analyticsBodiesSchema>;
export type ClientIpMode = (typeof clientIpModes)[number];
