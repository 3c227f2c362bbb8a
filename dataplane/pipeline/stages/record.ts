// Outermost stage: once the response is over (sent, failed or abandoned by the client), every request
// becomes one RequestRecord, counted in metrics and handed to the record sinks.
import { performance } from 'node:perf_hooks';
import type { BodyRecord, BodySink } from '../../../analytics/bodies/record.js';
import type { RecordSink, RequestRecord } from '../../../analytics/record.js';
import type { PiiFinding } from '../../analysis/types.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import type { Logger } from '../../observability/logger.js';
import { createUpstreamFailureLog, isUpstreamFailure } from '../../observability/upstream-failure-log.js';
import { formatAddress } from '../../net/format-address.js';
import { costNanoUsd } from '../../pricing/cost.js';
import { createIsoFormatter, type IsoFormatter } from '../iso-time.js';
import type { Stage } from '../compose.js';
import { abandonedAfterUpstream, endedEarly, promptTokensOf, settleUsage } from '../settled-usage.js';
import { NO_USAGE, type GatewayContext } from '../context.js';

export interface RecordStageOptions {
  metrics: GatewayMetrics;
  logger: Logger;
  sinks: readonly RecordSink[];
  /** Audit-log sinks of the captured bodies (analytics.bodies); called only for requests with a capture. */
  bodySinks?: readonly BodySink[];
}

export function recordStage(options: RecordStageOptions): Stage {
  const { metrics, logger, sinks } = options;
  const bodySinks = options.bodySinks ?? [];
  const iso = createIsoFormatter();
  const logUpstreamFailure = createUpstreamFailureLog(logger);
  const deliver = (ctx: GatewayContext) => {
    const record = toRecord(ctx, iso);
    for (const sink of sinks) {
      try {
        sink(record);
      } catch (error) {
        logger.error('record sink failed', { request_id: record.request_id, err: error });
      }
    }
    if (ctx.bodies === undefined || bodySinks.length === 0) return;
    const body = toBodyRecord(ctx, record);
    for (const sink of bodySinks) {
      try {
        sink(body);
      } catch (error) {
        logger.error('body sink failed', { request_id: record.request_id, err: error });
      }
    }
  };
  return {
    name: 'record',
    async run(ctx, next) {
      try {
        await next();
      } finally {
        ctx.timings.end ??= performance.now();
        // A cut or abandoned stream has no (final) usage from the upstream; without a limit that reconciled
        // it, nothing settled it yet (an upstream error status is not billed: there is no response plan then).
        // A token count generates nothing and is free: its upstream call is not a prompt to bill.
        const billable = ctx.endpoint !== 'count_tokens';
        if (billable && ctx.response !== undefined && ctx.timings.upstreamHeaders !== undefined)
          settleUsage(ctx, !endedEarly(ctx), promptTokensOf(ctx));
        else if (billable && abandonedAfterUpstream(ctx)) settleUsage(ctx, false, promptTokensOf(ctx));
        observe(metrics, ctx);
        const code = ctx.error?.code;
        // An upstream error mirrors the upstream's status; the simulator's never reaches upstream headers.
        const upstreamStatus =
          ctx.upstreamStatus ?? (code === 'upstream_error' ? ctx.error?.status : undefined);
        if (code !== undefined && !ctx.exchange.aborted && isUpstreamFailure(code, upstreamStatus)) {
          logUpstreamFailure({
            requestId: ctx.id,
            code,
            status: statusOf(ctx),
            upstreamStatus,
            provider: ctx.route?.provider.id,
            model: ctx.route?.id,
            message: ctx.error?.message,
          });
        }
        // Nothing listens (analytics off, no access log): the metrics have counted it, no record is built.
        if (sinks.length > 0 || (ctx.bodies !== undefined && bodySinks.length > 0)) deliver(ctx);
      }
    },
  };
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * The client left before the answer was complete. Not a request the end of a drain stopped: its connection
 * is closed under it when the stop's error could not reach a client that reads too slowly, which is still the
 * gateway's shutdown, not the client's abort.
 */
const clientLeft = (ctx: GatewayContext): boolean => ctx.exchange.aborted && !ctx.exchange.stopped;
/** Stopped at the end of a drain and not answered whole (a stream stopped on backpressure may still end well). */
const stoppedByDrain = (ctx: GatewayContext): boolean =>
  ctx.exchange.stopped && (ctx.error !== undefined || ctx.exchange.aborted);

// The fields the metrics share with the record, computed one way for both.
const statusOf = (ctx: GatewayContext) =>
  ctx.exchange.aborted && !ctx.exchange.headersSent ? 0 : ctx.status;
const STOPPED_MESSAGE =
  'The gateway shut down before this request finished (the end of its drain period); the client read too slowly to be told.';
const errorCodeOf = (ctx: GatewayContext) =>
  clientLeft(ctx)
    ? 'client_aborted'
    : stoppedByDrain(ctx)
      ? 'shutting_down'
      : (ctx.error?.upstreamCode ?? ctx.error?.code ?? null);
const latencyOf = (ctx: GatewayContext) => round3((ctx.timings.end ?? performance.now()) - ctx.timings.start);
const ttfbOf = (ctx: GatewayContext) =>
  ctx.timings.firstByte === undefined ? null : round3(ctx.timings.firstByte - ctx.timings.start);
const upstreamTtfbOf = ({ timings: t }: GatewayContext) =>
  t.upstreamStart !== undefined && t.upstreamHeaders !== undefined
    ? round3(t.upstreamHeaders - t.upstreamStart)
    : null;

export function toRecord(ctx: GatewayContext, iso: IsoFormatter): RequestRecord {
  const t = ctx.timings;
  const scanned = ctx.endpoint === 'count_tokens' ? undefined : ctx.analysis;
  const end = t.end ?? performance.now();
  const toEpoch = (mark: number) => ctx.receivedAt + (mark - t.start);
  const usage = ctx.usage ?? NO_USAGE;
  // A router's provisional target is not where the request went: the route counts once it was chosen.
  const route = ctx.routeReason === undefined ? undefined : ctx.route;
  const analysis = ctx.analysis;
  const identity = ctx.identity ?? ctx.refusedIdentity;
  const upstreamLatency =
    t.upstreamStart !== undefined && t.upstreamEnd !== undefined ? t.upstreamEnd - t.upstreamStart : null;
  const latency = end - t.start;
  return {
    request_id: ctx.id,
    client_request_id: ctx.clientRequestId ?? null,
    started_at: iso(ctx.receivedAt),
    first_byte_at: t.firstByte === undefined ? null : iso(toEpoch(t.firstByte)),
    ended_at: iso(toEpoch(end)),
    team: identity?.team ?? null,
    app: identity?.app ?? null,
    user: identity?.user ?? null,
    api_key_id: identity?.keyId ?? null,
    endpoint: ctx.endpoint,
    method: ctx.method,
    path: ctx.path.includes('?') ? redactQuery(ctx.path) : ctx.path,
    model_requested: ctx.input?.body.model ?? ctx.claimed?.model ?? null,
    model_routed: route?.upstreamModel ?? null,
    provider: route?.provider.id ?? null,
    route_reason: route === undefined ? null : (ctx.routeReason ?? null),
    deployment: route?.provider.id ?? null,
    region: route === undefined ? null : (ctx.runtime.config.providers[route.provider.id]?.region ?? null),
    status: statusOf(ctx),
    error_code: errorCodeOf(ctx),
    error_message: clientLeft(ctx)
      ? 'The client closed the connection before the answer was complete.'
      : stoppedByDrain(ctx) && ctx.error?.code !== 'shutting_down'
        ? STOPPED_MESSAGE
        : (ctx.error?.message ?? null),
    // Asked to stream, or answered as a stream: a stream refused or failed before its first frame counts.
    stream: ctx.response?.kind === 'sse' || ctx.claimed?.stream === true,
    client_aborted: clientLeft(ctx),
    prompt_tokens: usage.prompt,
    completion_tokens: usage.completion,
    cached_tokens: usage.cached,
    cache_write_tokens: usage.cacheWrite,
    reasoning_tokens: usage.reasoning,
    prompt_tokens_counted: analysis?.tokens.prompt ?? null,
    prompt_tokens_exact: analysis?.tokens.exact ?? null,
    // A count's prompt is scanned again when it is sent: its findings belong to that request, not counted twice.
    pii_findings: piiCounts(scanned?.pii),
    injection_score: scanned?.injection.score ?? null,
    injection_signals: scanned?.injection.signals ?? [],
    // An embeddings input is analysed for its tokens and PII only: it has no complexity to report.
    complexity_score: ctx.endpoint === 'embeddings' ? null : (analysis?.complexity.score ?? null),
    complexity_class: ctx.endpoint === 'embeddings' ? null : (analysis?.complexity.class ?? null),
    cost_nano_usd: route === undefined ? 0 : costNanoUsd(usage, route.config.pricing),
    cache_status: ctx.cache?.status ?? 'none',
    cache_similarity: ctx.cache?.similarity ?? null,
    cost_avoided_nano_usd: ctx.cache?.costAvoidedNano ?? 0,
    latency_ms: latencyOf(ctx),
    upstream_latency_ms: upstreamLatency === null ? null : round3(upstreamLatency),
    upstream_ttfb_ms: upstreamTtfbOf(ctx),
    ttfb_ms: ttfbOf(ctx),
    gateway_overhead_ms: upstreamLatency === null ? null : round3(Math.max(0, latency - upstreamLatency)),
    bytes_in: ctx.exchange.bytesIn,
    bytes_out: ctx.exchange.bytesOut,
    client_ip: typeof ctx.clientAddress === 'string' ? ctx.clientAddress : formatAddress(ctx.clientAddress),
    user_agent: ctx.headers['user-agent'] ?? '',
    tags: tagsOf(ctx),
  };
}

/** The capture, keyed like the record; a stream's frames are read now that the response is over. */
function toBodyRecord(ctx: GatewayContext, record: RequestRecord): BodyRecord {
  const bodies = ctx.bodies!;
  const frames = bodies.frames;
  return {
    request_id: record.request_id,
    started_at: record.started_at,
    team: record.team,
    app: record.app,
    request_body: bodies.request,
    response_body: frames === undefined ? bodies.response : frames.text(),
    request_truncated: bodies.requestTruncated,
    response_truncated: frames === undefined ? bodies.responseTruncated : frames.truncated,
    response_stream: frames !== undefined,
  };
}

const MAX_TAGS = 32;
const MAX_TAG_LENGTH = 256;

/** Tags for cost attribution: `x-gateway-tags: feature=search, env=prod` and the request's `metadata` map. */
function tagsOf(ctx: GatewayContext): Record<string, string> {
  // No prototype: a tag named `__proto__` is a tag like any other, not a prototype assignment (lost).
  const tags = Object.create(null) as Record<string, string>;
  let count = 0;
  const add = (key: string, value: string) => {
    if (count >= MAX_TAGS || key === '') return;
    tags[key.slice(0, MAX_TAG_LENGTH)] = value.slice(0, MAX_TAG_LENGTH);
    count += 1;
  };
  const header = ctx.headers['x-gateway-tags'];
  if (header !== undefined) {
    for (const pair of header.split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) add(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  const metadata = (ctx.input?.body as { metadata?: unknown } | undefined)?.metadata;
  if (ctx.input?.endpoint === 'chat' && metadata !== null && typeof metadata === 'object') {
    for (const [key, value] of Object.entries(metadata)) if (typeof value === 'string') add(key, value);
  }
  return tags;
}

function piiCounts(findings: readonly PiiFinding[] | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  if (findings === undefined) return counts;
  for (const f of findings) {
    const key = f.subtype ? `${f.type}:${f.subtype}` : f.type;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Query parameters whose names say they carry a secret: a client that puts its key in the URL. */
const SECRET_PARAMETER = /key|token|secret|pass|pwd|auth|sig|credential|session|jwt|code/i;
/** Parameters looked at: a query of thousands would otherwise cost milliseconds per record on the event loop. */
const MAX_QUERY_PARAMETERS = 64;

/**
 * The path with the values of secret-looking query parameters replaced: the record (warehouse, access log)
 * keeps the query, which some clients use for credentials (`?api-key=…`, Azure-style).
 */
export function redactQuery(path: string): string {
  const mark = path.indexOf('?');
  const parts = path.slice(mark + 1).split('&', MAX_QUERY_PARAMETERS + 1);
  // Past the parameters looked at, the rest of the query is not kept: it could hold anything.
  const cut = parts.length > MAX_QUERY_PARAMETERS;
  if (cut) parts.length = MAX_QUERY_PARAMETERS;
  let changed = cut;
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i]!.indexOf('=');
    if (eq <= 0) continue;
    let name = parts[i]!.slice(0, eq);
    if (name.includes('%') || name.includes('+')) {
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // Malformed escapes: matched as written.
      }
    }
    if (SECRET_PARAMETER.test(name)) {
      parts[i] = `${parts[i]!.slice(0, eq)}=REDACTED`;
      changed = true;
    }
  }
  return changed ? `${path.slice(0, mark)}?${parts.join('&')}${cut ? '&…' : ''}` : path;
}

function observe(metrics: GatewayMetrics, ctx: GatewayContext): void {
  const route = ctx.endpoint;
  // The record's model_requested, for requests that reached a route.
  const requested = ctx.input?.body.model ?? null;
  const model = requested !== null && ctx.route !== undefined ? requested : '';
  const status = String(statusOf(ctx));
  metrics.requests.inc({ route, model, status });
  metrics.duration.observe(latencyOf(ctx) / 1000, { route, model, status });
  const errorCode = errorCodeOf(ctx);
  if (errorCode !== null) metrics.errors.inc({ route, model, code: metrics.errorCodeLabel(errorCode) });
  if (clientLeft(ctx)) metrics.clientAborts.inc({ route });
  const ttfb = ttfbOf(ctx);
  if (ttfb !== null) metrics.clientFirstByte.observe(ttfb / 1000, { route, model });
  // The upstream's latency and the tokens belong to the model that answered: a router's chosen target, not
  // the router's id the client sent (requests, durations and errors keep that one).
  const served = ctx.routeReason !== undefined && ctx.route !== undefined ? ctx.route.id : model;
  const upstreamTtfb = upstreamTtfbOf(ctx);
  if (upstreamTtfb !== null) metrics.upstreamFirstByte.observe(upstreamTtfb / 1000, { route, model: served });
  const usage = ctx.usage ?? NO_USAGE;
  if (usage.prompt > 0) metrics.tokens.inc({ model: served, kind: 'prompt' }, usage.prompt);
  if (usage.completion > 0) metrics.tokens.inc({ model: served, kind: 'completion' }, usage.completion);
}
