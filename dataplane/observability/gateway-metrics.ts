// The gateway's metric set, one instance per gateway (tests run several gateways in one process).
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, Registry } from './metrics.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter;
  readonly errors: Counter;
  readonly duration: Histogram;
  readonly upstreamFirstByte: Histogram;
  readonly clientFirstByte: Histogram;
  readonly inFlight: Gauge;
  readonly tokens: Counter;
  readonly configReloads: Counter;
  readonly clientAborts: Counter;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const started = Date.now() / 1000;
  registry.register(
    new Gauge('process_start_time_seconds', 'Start time of the process (Unix seconds).', [], () => started),
  );
  registry.register(
    new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [], () =>
      process.memoryUsage.rss(),
    ),
  );
  return {
    registry,
    requests: registry.register(
      new Counter('gateway_requests_total', 'Requests answered, by route, model and HTTP status.', [
        'route',
        'model',
        'status',
      ]),
    ),
    errors: registry.register(
      new Counter('gateway_request_errors_total', 'Requests that ended in an error, by error code.', [
        'route',
        'model',
        'code',
      ]),
    ),
    duration: registry.register(
      new Histogram(
        'gateway_request_duration_seconds',
        'Time from request received to response complete.',
        ['route', 'model', 'status'],
        LATENCY_BUCKETS,
      ),
    ),
    upstreamFirstByte: registry.register(
      new Histogram(
        'gateway_upstream_first_byte_seconds',
        'Time from upstream call start to upstream response headers.',
        ['route', 'model'],
        LATENCY_BUCKETS,
      ),
    ),
    clientFirstByte: registry.register(
      new Histogram(
        'gateway_time_to_first_byte_seconds',
        'Time from request received to the first response byte sent to the client.',
        ['route', 'model'],
        LATENCY_BUCKETS,
      ),
    ),
    inFlight: registry.register(new Gauge('gateway_in_flight_requests', 'Requests being handled now.')),
    tokens: registry.register(
      new Counter('gateway_tokens_total', 'Tokens used, by model and kind.', ['model', 'kind']),
    ),
    configReloads: registry.register(
      new Counter('gateway_config_reloads_total', 'Config reloads, by result.', ['result']),
    ),
    clientAborts: registry.register(
      new Counter('gateway_client_aborts_total', 'Requests whose client disconnected before the end.', [
        'route',
      ]),
    ),
  };
}
