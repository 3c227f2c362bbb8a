// Starts a real gateway (native uWS, port 0) in the test process from a config document.
import { parseConfig } from '../../dataplane/config/load.js';
import { startGateway, type Gateway } from '../../dataplane/gateway.js';
import type { RecordSink, RequestRecord } from '../../analytics/record.js';
import type { AnalyticsClient } from '../../analytics/clickhouse.js';
import { startEmbeddingService, type EmbeddingService } from '../../dataplane/cache/embeddings/service.js';
import { createGatewayMetrics } from '../../dataplane/observability/gateway-metrics.js';
import { createLogger } from '../../dataplane/observability/logger.js';

// Loading the model takes about a second per embeddings worker, so the gateways of a test file share one
// embeddings service, started by the first gateway whose cache needs it and kept until the process exits.
let sharedEmbeddings: Promise<EmbeddingService> | undefined;
/** The shared embeddings service's metrics (model calls, batch sizes): not any one gateway's. */
export const sharedEmbeddingsMetrics = createGatewayMetrics();

function needsEmbeddings(config: ReturnType<typeof parseConfig>): boolean {
  return config.cache.enabled && config.cache.semantic.enabled;
}

export interface TestGateway extends Gateway {
  /** Every record the gateway produced, in order. */
  readonly records: RequestRecord[];
  /** POSTs `body` as JSON to `path` (10 s timeout). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/**
 * The warehouse is off unless the document configures `analytics` (then pass the process's one shared chDB
 * client as `analyticsClient`).
 */
export async function startTestGateway(
  document: Record<string, unknown> = {},
  options: {
    analyticsClient?: AnalyticsClient;
    embeddingSpace?: string;
    /** The file the gateway watches and reloads from (the config itself still comes from `document`). */
    configPath?: string;
    watchConfig?: boolean;
  } = {},
): Promise<TestGateway> {
  const records: RequestRecord[] = [];
  const sink: RecordSink = (record) => records.push(record);
  const config = parseConfig(
    { logging: { level: 'error' }, analytics: { enabled: false }, ...document },
    process.env,
    'test config',
  );
  if (needsEmbeddings(config)) {
    sharedEmbeddings ??= startEmbeddingService(config.cache.embeddings, {
      metrics: sharedEmbeddingsMetrics,
      logger: createLogger('error'),
    });
  }
  const shared = needsEmbeddings(config) ? await sharedEmbeddings : undefined;
  // The shared service under another identity stands for a gateway on another model build (embeddings/space.ts).
  const { embeddingSpace, ...gatewayOptions } = options;
  const embeddings =
    shared === undefined || embeddingSpace === undefined ? shared : { ...shared, space: embeddingSpace };
  const gateway = await startGateway({
    config,
    port: 0,
    sinks: [sink],
    ...gatewayOptions,
    ...(embeddings === undefined ? {} : { embeddings }),
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  return Object.assign(gateway, { records, post });
}
