// Keeps the request and response bodies for the audit log (analytics.bodies), bounded per body. Sits just
// inside `respond`: after the inner stages it sees the final plan (dispatched or served from the cache)
// and wraps SSE frames before `respond` pulls them; the record stage hands the capture to the body sinks
// once the response is over. Request-path cost: one bounded decode of the body bytes the parse stage
// already read, and per SSE frame a byte count and an append until the bound. Redaction is the writer's.
import { FrameCapture, truncateUtf8, truncateUtf8Bytes } from '../../../analytics/bodies/capture.js';
import type { Stage } from '../compose.js';
import type { CapturedBodies, GatewayContext, ResponsePlan } from '../context.js';

export interface CaptureBodiesOptions {
  maxBytes: number;
}

/**
 * SSE framing costs tens of times the answer's own bytes (≈ 150–200 bytes of JSON around each delta of a few
 * characters: measured 40–50× on OpenAI-shaped streams), so the frames get this much more room and the answer
 * assembled from them later is cut to maxBytes. With 4× an answer was cut at a tenth of max_bytes. The price
 * is memory while a stream runs, only with the audit log on: up to 2 MB per stream at the default 32 KB.
 */
export const SSE_FRAME_ALLOWANCE = 64;

export function captureBodiesStage(options: CaptureBodiesOptions): Stage {
  const { maxBytes } = options;
  return {
    name: 'capture-bodies',
    async run(ctx, next) {
      try {
        await next();
      } finally {
        // Bodies the parse stage accepted: a request refused before (auth, size, JSON) has no body to audit.
        if (ctx.input !== undefined) ctx.bodies = await capture(ctx, maxBytes);
      }
    },
  };
}

async function capture(ctx: GatewayContext, maxBytes: number): Promise<CapturedBodies> {
  // Already read and memoised by the parse stage: no I/O here.
  const request = truncateUtf8Bytes(await ctx.exchange.body(), maxBytes);
  const bodies: CapturedBodies = {
    request: request.text,
    requestTruncated: request.truncated,
    response: '',
    responseTruncated: false,
  };
  const plan = ctx.response;
  if (plan?.kind === 'json') {
    const response = truncateUtf8(plan.body, maxBytes);
    bodies.response = response.text;
    bodies.responseTruncated = response.truncated;
  } else if (plan?.kind === 'sse') {
    const frames = new FrameCapture(maxBytes * SSE_FRAME_ALLOWANCE);
    bodies.frames = frames;
    ctx.response = { ...plan, frames: tee(plan.frames, frames) } satisfies ResponsePlan;
  }
  return bodies;
}

/** Passes every frame through unchanged; `return()` from `respond` (client gone) reaches the source. */
async function* tee(frames: AsyncIterable<string>, capture: FrameCapture): AsyncGenerator<string> {
  for await (const frame of frames) {
    capture.add(frame);
    yield frame;
  }
}
