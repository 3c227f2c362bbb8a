// Rate limits and budgets: reserve before the call (429 when it does not fit), reconcile with actual usage
// after it, and cut a stream with a final error event when it reaches what the budget allowed.
import type { Limiter } from '../../limits/limiter.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import { timed } from '../../observability/metrics.js';
import { costNanoUsd } from '../../pricing/cost.js';
import type { Stage } from '../compose.js';
import { completionUpperBound } from '../../analysis/tokens/completion-bound.js';
import { sendsCompletionLimit } from '../dispatch/completion-cap.js';
import { analysisRequestOf } from '../analysis-request.js';
import { choicesOf, promptReservation } from '../prompt-reservation.js';
import { abandonedAfterUpstream, promptTokensOf, settleUsage } from '../settled-usage.js';
import type { GatewayContext } from '../context.js';

export function limitsStage(deps: { limiter: Limiter; metrics: GatewayMetrics }): Stage {
  const { limiter, metrics } = deps;
  const observeWait = metrics.stageSeconds.bind({ stage: 'limits' });
  return {
    name: 'limits',
    async run(ctx, next) {
      const input = ctx.input;
      const route = ctx.route;
      if (input === undefined || route === undefined) return next();
      const scopes = ctx.runtime.scopes(ctx.identity);
      if (scopes.length === 0) return next();
      if (input.endpoint === 'count_tokens') {
        // A token count is free, but it is a request: it calls the provider (whose count quota the whole
        // organisation shares) or the analysis pool, so rpm and concurrency apply; budgets are not touched.
        const ticket = await timed(observeWait, () =>
          limiter.admit({
            requestId: ctx.id,
            scopes,
            promptTokens: 0,
            completionUpperBound: 0,
            pricing: route.config.pricing,
            partialAllowed: false,
            requestOnly: true,
          }),
        );
        Object.assign(ctx.responseHeaders, ticket.headers);
        try {
          return await next();
        } finally {
          void limiter.reconcile(ticket, ctx.id, { tokens: 0, costNano: 0 });
        }
      }
      const stream = input.endpoint !== 'embeddings' && (input.body as { stream?: unknown }).stream === true;
      const promptTokens = promptTokensOf(ctx);
      // With the analysis off, the same bound it would have given (the request's, the provider's default…).
      const upper =
        input.endpoint === 'embeddings'
          ? 0
          : (ctx.analysis?.tokens.completion_upper_bound ??
            completionUpperBound(analysisRequestOf(ctx), promptTokens));
      const reservedPrompt = promptReservation({
        counted: promptTokens,
        completionBound: upper,
        uncountedParts: ctx.analysis?.tokens.uncounted_parts ?? 0,
        contextWindow: route.config.context_window,
        choices: input.endpoint === 'chat' ? choicesOf(input.body) : 1,
      });
      // The prompt's share of the context window was reserved instead of its count (audio or files in it).
      const windowBound = reservedPrompt > promptTokens;
      const ticket = await timed(observeWait, () =>
        limiter.admit({
          requestId: ctx.id,
          scopes,
          promptTokens: reservedPrompt,
          ...(windowBound ? { promptIsContextWindow: true } : {}),
          completionUpperBound: upper,
          pricing: route.config.pricing,
          // A stream normally starts with what is left and is cut at its allowance; with a prompt of unknown
          // size that allowance would rest on a guess of the prompt, so such a stream needs its whole
          // reservation, like a non-streamed request.
          partialAllowed: stream && !windowBound,
        }),
      );
      Object.assign(ctx.responseHeaders, ticket.headers);
      const capped = sendsCompletionLimit(input, route.config.max_output_tokens, route.provider);
      // complete: the upstream's own usage is final. Otherwise (cut, failed or abandoned mid-way) the
      // usage is what was streamed, and the record is told the same.
      const settle = (complete: boolean) => {
        const usage = settleUsage(ctx, complete, promptTokens);
        void limiter.reconcile(ticket, ctx.id, {
          tokens: usage.prompt + usage.completion,
          costNano: costNanoUsd(usage, route.config.pricing),
        });
      };
      let deferred = false;
      try {
        await next();
        const plan = ctx.response;
        if (plan?.kind === 'sse') {
          deferred = true;
          // The stream's count is an estimate and can run above the true one (long words): a stream granted
          // its whole bound, which the upstream is told and cannot pass, is never cut on that estimate.
          const allowance = ticket.completionAllowance;
          const cutAt = allowance !== null && allowance >= upper && capped ? null : allowance;
          ctx.response = { ...plan, frames: metered(ctx, plan.frames, cutAt, settle) };
        }
      } finally {
        if (deferred) {
          // The stream reconciles when it ends.
        } else if (ctx.response !== undefined) {
          settle(true);
        } else if (abandonedAfterUpstream(ctx)) {
          // The client left while the upstream was answering: the upstream had the prompt and bills it.
          settle(false);
        } else {
          // Refused or failed before an answer (an upstream error status is not billed): release it all.
          void limiter.reconcile(ticket, ctx.id, { tokens: 0, costNano: 0 });
        }
      }
    },
  };
}

/**
 * Passes frames on until the stream's count passes `allowance` (null: never cut); reconciles when the stream
 * is over either way.
 */
async function* metered(
  ctx: GatewayContext,
  frames: AsyncIterable<string>,
  allowance: number | null,
  settle: (complete: boolean) => void,
): AsyncGenerator<string> {
  let complete = false;
  // Tokens in the frames the client got (a frame may carry several).
  let delivered = 0;
  try {
    for await (const frame of frames) {
      if (allowance !== null && ctx.streamedTokens > allowance) {
        // The frame that would pass the allowance is not sent; the usage recorded is what the client got.
        ctx.streamedTokens = delivered;
        // Set here too, not only where respond catches it: this generator's finally settles the usage first,
        // and a cut before the first frame is billed its prompt (settled-usage.ts).
        ctx.error = new GatewayError(
          'budget_exceeded',
          `Budget exhausted during the stream: stopped after about ${Math.ceil(delivered - 1e-9)} completion tokens.`,
          // Sent as a 429 when no frame went out yet: the budget is spent, a retry would meet the same.
          { headers: { 'x-should-retry': 'false' } },
        );
        throw ctx.error;
      }
      yield frame;
      delivered = ctx.streamedTokens;
    }
    complete = true;
  } finally {
    settle(complete);
  }
}
