// The uWS application: routes to pipelines, plus the probes and /metrics. Headers, method and URL are read
// synchronously here because uWS's request object is only valid inside the handler.
import { performance } from 'node:perf_hooks';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Runtime } from '../config/runtime.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { Endpoint, GatewayContext } from '../pipeline/context.js';
import type { Pipeline, Pipelines } from '../pipeline/pipelines.js';
import { HttpExchange, endHead } from './exchange.js';
import type { Uws } from './uws.js';

export interface ServerState {
  draining: boolean;
  /** The exchanges of the requests in flight (their number, and the end of a drain stops them with a reason). */
  readonly live: Set<HttpExchange>;
  /** Called whenever a request finishes, so shutdown can wait for zero. */
  onIdle: (() => void) | undefined;
}

export interface AppDependencies {
  uws: Uws;
  runtime: () => Runtime;
  pipelines: Pipelines;
  metrics: GatewayMetrics;
  logger: Logger;
  newId: () => string;
  /**
   * Whether any record sink listens (analytics, access log): reading the peer's address is a native call and
   * an allocation per request (≈ 3 µs, 3% of a pass-through request), wasted when nothing records it.
   */
  recordsClientAddress: () => boolean;
  state: ServerState;
  /** Extra readiness checks (dependencies added by later stages: Redis, ClickHouse...). */
  /** `required: false`: a dependency the gateway serves without (reported as degraded, still ready). */
  readinessChecks: readonly (() => { name: string; ok: boolean; required: boolean })[];
}

const SANE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

const INFERENCE_ROUTES: readonly [string, Endpoint][] = [
  ['/v1/chat/completions', 'chat'],
  ['/v1/messages', 'messages'],
  ['/v1/embeddings', 'embeddings'],
];

/**
 * Copies the request's headers into `into` and says why the body cannot be framed safely, if it cannot: uWS
 * frames it by the first Content-Length (a second one, RFC 9112 §6.3, is unrecoverable) and reads any
 * Transfer-Encoding as chunked; a proxy in front of us that reads another end of the body would let a request
 * be smuggled past it. And uWS reads at most nine digits of Content-Length: with more (1 GB and up) it closes
 * the connection once the handler returns, dropping any answer. Such a connection is closed inside the
 * handler, before uWS parses what follows the body.
 */
function readHeaders(req: HttpRequest, into?: Record<string, string>): string | undefined {
  let lengths = 0;
  let longLength = false;
  let encodings = 0;
  let chunkedOnly = true;
  req.forEach((key, value) => {
    if (key === 'content-length') {
      lengths += 1;
      if (value.length > 9) longLength = true;
    } else if (key === 'transfer-encoding') {
      encodings += 1;
      if (value.trim().toLowerCase() !== 'chunked') chunkedOnly = false;
    }
    if (into === undefined) return;
    // A repeated credential is kept whole, joined as a list (RFC 9110 §5.3), which no credential parses as:
    // a proxy in front that checked the first one must not have us honour the last.
    into[key] = CREDENTIAL_HEADERS.has(key) && into[key] !== undefined ? `${into[key]}, ${value}` : value;
  });
  if (lengths > 1) return 'The request had more than one Content-Length header';
  if (encodings > 1) return 'The request had more than one Transfer-Encoding header';
  if (!chunkedOnly) return 'The request had a Transfer-Encoding other than chunked';
  if (longLength)
    return 'The request had a Content-Length of more than nine digits, which the server cannot read';
  return undefined;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'api-key']);

/** The Allow header of the read-only routes (RFC 9110 §9.1: HEAD wherever GET). */
const GET_OR_HEAD = 'GET, HEAD';

export function createApp(deps: AppDependencies): TemplatedApp {
  const { uws, pipelines, metrics, logger, state } = deps;
  const app = uws.App();

  const handle =
    (endpoint: Endpoint, pipeline: Pipeline, readsBody: boolean, allow?: string) =>
    (res: HttpResponse, req: HttpRequest) => {
      const method = req.getCaseSensitiveMethod();
      const exchange = new HttpExchange(res, method === 'HEAD');
      const headers: Record<string, string> = {};
      const framing = readHeaders(req, headers);
      const ambiguous = framing !== undefined;
      const query = req.getQuery();
      const path = query ? `${req.getUrl()}?${query}` : req.getUrl();
      const runtime = deps.runtime();
      const draining = state.draining;
      if (readsBody && !draining && !ambiguous) {
        const declared = headers['content-length'];
        exchange.readBody(
          runtime.config.server.max_body_bytes,
          declared === undefined ? undefined : Number(declared),
        );
      }
      const clientRequestId = headers['x-request-id'];
      const forwarded = runtime.config.server.trust_proxy
        ? headers['x-forwarded-for']?.split(',')[0]?.trim()
        : undefined;
      const ctx: GatewayContext = {
        id: deps.newId(),
        clientRequestId:
          clientRequestId !== undefined && SANE_REQUEST_ID.test(clientRequestId)
            ? clientRequestId
            : undefined,
        endpoint,
        method,
        path,
        headers,
        clientAddress: forwarded || (deps.recordsClientAddress() ? exchange.remoteAddressBytes() : ''),
        receivedAt: Date.now(),
        timings: { start: performance.now() },
        runtime,
        exchange,
        signal: exchange.signal,
        status: 0,
        streamedTokens: 0,
        streamedDeltas: 0,
        streamedText: 0,
        // A 405 names the methods the route does take (RFC 9110 §15.5.6).
        responseHeaders: allow === undefined ? {} : { allow },
      };
      // Closed before this handler returns: uWS goes on to parse the bytes after the body it framed as the
      // next request as soon as it does (even after an answer that asks to close), and those may be a
      // smuggled request. No answer can be written first. The pipeline still runs, to record the refusal.
      if (ambiguous) exchange.closeNow();
      state.live.add(exchange);
      metrics.inFlight.add(1);
      runtime.acquire();
      if (framing !== undefined) ctx.framingProblem = framing;
      (ambiguous ? pipelines.ambiguousFraming : draining ? pipelines.shuttingDown : pipeline)(ctx)
        .catch((error: unknown) => logger.error('pipeline failed', { request_id: ctx.id, err: error }))
        .finally(() => {
          runtime.release();
          state.live.delete(exchange);
          metrics.inFlight.add(-1);
          if (state.live.size === 0) state.onIdle?.();
        });
    };

  const wrongMethod = (allow: string, endpoint: Endpoint = 'other') =>
    handle(endpoint, pipelines.methodNotAllowed, false, allow);
  for (const [pattern, endpoint] of INFERENCE_ROUTES) {
    app.post(pattern, handle(endpoint, pipelines.inference, true));
    // Anthropic's clients expect its error envelope on every answer of /v1/messages, a 405 included.
    app.any(pattern, wrongMethod('POST', endpoint === 'messages' ? 'messages' : 'other'));
  }
  app.post('/v1/messages/count_tokens', handle('count_tokens', pipelines.countTokens, true));
  app.any('/v1/messages/count_tokens', wrongMethod('POST', 'count_tokens'));
  app.post('/v1/analyze', handle('analyze', pipelines.analyze, true));
  app.any('/v1/analyze', wrongMethod('POST'));
  // HEAD is answered wherever GET is (RFC 9110 §9.3.2): the same pipeline, the body left out.
  const readOnly = (pattern: string, endpoint: Endpoint, pipeline: Pipeline) => {
    app.get(pattern, handle(endpoint, pipeline, false));
    app.head(pattern, handle(endpoint, pipeline, false));
    app.any(pattern, wrongMethod(GET_OR_HEAD));
  };
  readOnly('/v1/models', 'models', pipelines.models);
  readOnly('/v1/models/*', 'models', pipelines.models);
  readOnly('/v1/budgets', 'budgets', pipelines.budgets);
  readOnly('/admin/usage', 'admin', pipelines.adminUsage);
  app.del('/admin/cache', handle('admin', pipelines.cachePurge, false));
  app.any('/admin/cache', wrongMethod('DELETE'));

  // The probes answer directly, without a pipeline, to GET and HEAD; they refuse ambiguous framing the same way.
  const probe = (path: string, answer: () => { status: string; type: string; body: string }) => {
    const reply =
      (head: boolean) =>
      (res: HttpResponse, req: HttpRequest): void => {
        if (readHeaders(req) !== undefined) return void res.close();
        const { status, type, body } = answer();
        res.cork(() => {
          res.writeStatus(status).writeHeader('content-type', type);
          if (head) endHead(res, body);
          else res.end(body);
        });
      };
    app.get(path, reply(false));
    app.head(path, reply(true));
    app.any(path, wrongMethod(GET_OR_HEAD));
  };
  const JSON_TYPE = 'application/json';
  probe('/healthz', () => ({ status: '200 OK', type: JSON_TYPE, body: '{"status":"ok"}' }));
  probe('/readyz', () => {
    const down = deps.readinessChecks.map((check) => check()).filter((c) => !c.ok);
    const failed = down.filter((c) => c.required);
    const degraded = down.filter((c) => !c.required);
    const ready = !state.draining && failed.length === 0;
    const body = JSON.stringify({
      status: ready ? 'ready' : 'not_ready',
      ...(state.draining ? { reason: 'draining' } : {}),
      ...(failed.length > 0 ? { failing: failed.map((c) => c.name) } : {}),
      ...(degraded.length > 0 ? { degraded: degraded.map((c) => c.name) } : {}),
    });
    return { status: ready ? '200 OK' : '503 Service Unavailable', type: JSON_TYPE, body };
  });
  probe('/metrics', () => ({
    status: '200 OK',
    type: 'text/plain; version=0.0.4; charset=utf-8',
    body: metrics.registry.render(),
  }));
  app.any('/*', handle('other', pipelines.notFound, false));
  return app;
}
