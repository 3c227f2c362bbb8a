// Starts a real gateway (native uWS, port 0) in the test process from a config document.
import { parseConfig } from '../../dataplane/config/load.js';
import { startGateway, type Gateway } from '../../dataplane/gateway.js';
import type { RecordSink, RequestRecord } from '../../analytics/record.js';

export interface TestGateway extends Gateway {
  /** Every record the gateway produced, in order. */
  readonly records: RequestRecord[];
}

export async function startTestGateway(document: Record<string, unknown> = {}): Promise<TestGateway> {
  const records: RequestRecord[] = [];
  const sink: RecordSink = (record) => records.push(record);
  const config = parseConfig({ logging: { level: 'error' }, ...document }, process.env, 'test config');
  const gateway = await startGateway({ config, port: 0, sinks: [sink] });
  return Object.assign(gateway, { records });
}
