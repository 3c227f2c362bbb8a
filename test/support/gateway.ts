// Starts a real gateway (native uWS, port 0) in the test process from a config document.
import { parseConfig } from '../../dataplane/config/load.js';
import { startGateway, type Gateway } from '../../dataplane/gateway.js';
import type { RecordSink, RequestRecord } from '../../analytics/record.js';
import type { AnalyticsClient } from '../../analytics/clickhouse.js';

export interface TestGateway extends Gateway {
  /** Every record the gateway produced, in order. */
  readonly records: RequestRecord[];
}

/**
 * The warehouse is off unless the document configures `analytics` (then pass the process's one shared chDB
 * client as `analyticsClient`).
 */
export async function startTestGateway(
  document: Record<string, unknown> = {},
  options: { analyticsClient?: AnalyticsClient } = {},
): Promise<TestGateway> {
  const records: RequestRecord[] = [];
  const sink: RecordSink = (record) => records.push(record);
  const config = parseConfig(
    { logging: { level: 'error' }, analytics: { enabled: false }, ...document },
    process.env,
    'test config',
  );
  const gateway = await startGateway({ config, port: 0, sinks: [sink], ...options });
  return Object.assign(gateway, { records });
}
