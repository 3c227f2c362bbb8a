// The one place where a request's outcome becomes HTTP: a JSON body, an SSE stream with backpressure,
// or an error in the OpenAI shape (with Anthropic's `type: "error"` envelope on /v1/messages).
import { performance } from 'node:perf_hooks';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../observability/logger.js';
import type { Stage } from '../compose.js';
import type { GatewayContext, ResponsePlan } from '../context.js';
import { anthropicErrorBody } from '../dispatch/frames.js';

const JSON_TYPE = 'application/json';

export function respondStage(options: { logger: Logger }): Stage {
  const { logger } = options;
  return {
    name: 'respond',
    async run(ctx, next) {
      try {
        await next();
      } catch (error) {
        // A client that left makes the stages fail with its abort: not an error of ours (nor logged as one).
        if (!ctx.exchange.aborted) ctx.error = toGatewayError(error);
      }
      const plan = ctx.response;
      if (ctx.exchange.aborted) {
        if (plan?.kind === 'sse') await abandon(plan.frames);
        return;
      }
      if (ctx.error === undefined && plan === undefined) {
        ctx.error = new GatewayError('internal_error', 'No stage produced a response.');
      }
      if (ctx.error !== undefined) return sendError(ctx, ctx.error, logger);
      if (plan!.kind === 'json') {
        ctx.status = plan!.status;
        ctx.timings.firstByte = performance.now();
        ctx.exchange.send(plan!.status, headers(ctx, JSON_TYPE), plan!.body);
        return;
      }
      await stream(ctx, plan!, logger);
    },
  };
}

function headers(
  ctx: GatewayContext,
  contentType: string,
  extra?: Record<string, string>,
): Record<string, string> {
  const requestId = ctx.clientRequestId ?? ctx.id;
  return {
    'content-type': contentType,
    'x-request-id': requestId,
    // Anthropic's SDKs read their request id (`_request_id`, APIError.requestID) from `request-id`.
    ...(anthropicClient(ctx) ? { 'request-id': requestId } : {}),
    'x-gateway-request-id': ctx.id,
    ...ctx.responseHeaders,
    ...extra,
  };
}

/**
 * Anthropic's API: /v1/messages and /v1/messages/count_tokens, and for Anthropic's SDKs (they send
 * anthropic-version) the routes they call that are not OpenAI's own (/v1/models, unknown routes). The OpenAI
 * routes keep OpenAI's shape whoever calls them, streamed or not.
 */
const anthropicClient = (ctx: GatewayContext): boolean =>
  ctx.endpoint === 'messages' ||
  ctx.endpoint === 'count_tokens' ||
  ((ctx.endpoint === 'models' || ctx.endpoint === 'other') && ctx.headers['anthropic-version'] !== undefined);

function sendError(ctx: GatewayContext, error: GatewayError, logger: Logger): void {
  if (error.code === 'internal_error') {
    logger.error('internal error', { request_id: ctx.id, err: error.cause ?? error });
  }
  // Anthropic's envelope on its own routes, and wherever Anthropic's SDKs call (they send anthropic-version:
  // /v1/models, and routes the gateway does not have).
  const body = anthropicClient(ctx) ? anthropicErrorBody(error) : error.toBody();
  ctx.status = error.status;
  ctx.timings.firstByte = performance.now();
  // An unread oversized body leaves the connection unusable; the server closes it after the 413.
  const close = error.code === 'body_too_large' || error.code === 'shutting_down';
  ctx.exchange.send(error.status, headers(ctx, JSON_TYPE, error.headers), JSON.stringify(body), close);
}

/**
 * A stream the client left before its first frame: nobody will read it, but the stages that wrapped it settle
 * in their generators' `finally` (limits reconcile, the cache lets coalesced requests go), which only runs once
 * the generator has started. Pulling one frame starts them all without waiting on the upstream: the client's
 * abort has already cancelled the call, so the pull fails or returns at once.
 */
async function abandon(frames: AsyncIterable<string>): Promise<void> {
  const iterator = frames[Symbol.asyncIterator]();
  try {
    const step = await iterator.next();
    if (step.done !== true) await iterator.return?.();
  } catch {
    // The cancelled call's error: expected, and the record already says client_aborted.
  }
}

async function stream(
  ctx: GatewayContext,
  plan: Extract<ResponsePlan, { kind: 'sse' }>,
  logger: Logger,
): Promise<void> {
  const exchange = ctx.exchange;
  const frames = plan.frames[Symbol.asyncIterator]();
  let step: IteratorResult<string>;
  // The first frame is pulled before any byte is written, so a failure before it still gets its real
  // HTTP status instead of a 200 followed by an error event.
  try {
    step = await frames.next();
  } catch (error) {
    if (exchange.aborted) return;
    ctx.error = toGatewayError(error);
    return sendError(ctx, ctx.error, logger);
  }
  if (exchange.aborted) {
    await frames.return?.();
    return;
  }
  ctx.status = plan.status;
  ctx.timings.firstByte = performance.now();
  ctx.streamStarted = true;
  try {
    let drained = exchange.beginStream(
      plan.status,
      headers(ctx, 'text/event-stream; charset=utf-8', {
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      }),
      step.done === true ? '' : step.value,
    );
    while (step.done !== true) {
      if (drained !== undefined) await drained;
      if (exchange.aborted) {
        await frames.return?.();
        return;
      }
      step = await frames.next();
      if (step.done !== true) drained = exchange.write(step.value);
    }
    ctx.timings.upstreamEnd = performance.now();
  } catch (error) {
    ctx.timings.upstreamEnd = performance.now();
    if (exchange.aborted) return;
    ctx.error = toGatewayError(error);
    if (ctx.error.code === 'internal_error')
      logger.error('internal error in stream', { request_id: ctx.id, err: ctx.error.cause });
    // Never a silent clean end: the client sees an error event, and no [DONE].
    const drained = exchange.write(plan.errorFrame(ctx.error));
    if (drained !== undefined) await drained;
  }
  exchange.end();
}
