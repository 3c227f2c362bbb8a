// A request's usage once it is over, when the upstream's own count is missing or partial: a stream cut by a
// budget, broken by the upstream or left by the client ends without the usage chunk. What was streamed is
// then what is billed: the prompt (counted by the analysis, else estimated from the body's size) and the
// completion tokens estimated as the deltas passed (dispatch/streamed-tokens.ts). Used by the limits stage (to
// reconcile) and by the record stage (so the record does not depend on whether any limit applies).
import { embeddingInputs } from '../api/embedding-inputs.js';
import { NO_USAGE, type GatewayContext, type TokenUsage } from './context.js';

/**
 * Whether a request's answer ended before its end: a stream cut by a budget, broken by the upstream or left by
 * the client (then the upstream's usage, if any arrived, counts only what it had reported so far).
 */
export function endedEarly(ctx: GatewayContext): boolean {
  return ctx.exchange.aborted || ctx.error !== undefined;
}

/**
 * A request whose client went away (or that the end of a drain stopped) after the upstream had started
 * answering (its headers arrived, with a success status) and before there was an answer to send: the upstream
 * had the prompt and bills it, so the budget and the record do too. An error status is not billed, whether or
 * not the client waited for its body.
 */
export function abandonedAfterUpstream(ctx: GatewayContext): boolean {
  return (
    ctx.response === undefined &&
    (ctx.exchange.aborted || ctx.exchange.stopped) &&
    ctx.upstreamStatus !== undefined &&
    ctx.upstreamStatus < 400
  );
}

/**
 * The prompt's tokens as the request's budget sees them: the analysis' exact count, else an estimate (bytes / 4;
 * an embeddings request's token arrays count exactly, its texts by their own bytes).
 */
export function promptTokensOf(ctx: GatewayContext): number {
  if (ctx.analysis !== undefined) return ctx.analysis.tokens.prompt;
  if (ctx.input?.endpoint === 'embeddings') return embeddingInputTokens(ctx.input.body.input);
  return Math.ceil(ctx.exchange.bytesIn / 4);
}

function embeddingInputTokens(input: unknown): number {
  let tokens = 0;
  for (const item of embeddingInputs(input))
    tokens += typeof item === 'string' ? Math.ceil(Buffer.byteLength(item) / 4) : item.length;
  return tokens;
}

/**
 * `complete`: the upstream's answer ran to its end, so its own usage (when it sent one) is final. Otherwise,
 * or without one, usage is estimated from what was streamed; when the upstream was reached, the estimate
 * also becomes the request's usage (ctx.usage), which the record reports. A prompt of 0 tokens is no count
 * at all: a stream translated to Anthropic's events opens with a message_start of 0/0 that only the
 * upstream's own usage, at the end, replaces (and a self-hosted upstream may never send one).
 */
export function settleUsage(ctx: GatewayContext, complete: boolean, promptTokens: number): TokenUsage {
  let usage = ctx.usage;
  // The upstream's own final count stands, even if the stream then broke (say, before [DONE]).
  if (usage !== undefined && ctx.usageFinal === true && usage.prompt > 0) return usage;
  // A stream that failed before its first frame answered the client with an error status: not billed, as an
  // upstream error status is not (a client that left is: the upstream had its prompt; so is a stream whose
  // first frame the budget cut: the upstream had answered, and billing nothing let it be asked again forever).
  if (
    !complete &&
    ctx.response?.kind === 'sse' &&
    ctx.streamStarted !== true &&
    !ctx.exchange.aborted &&
    !ctx.exchange.stopped &&
    ctx.error?.code !== 'budget_exceeded'
  )
    return NO_USAGE;
  if (!complete || usage === undefined || usage.prompt === 0) {
    const reached = ctx.timings.upstreamHeaders !== undefined;
    // The estimate runs high for long words: never past what the upstream was allowed to generate.
    const estimated = Math.ceil(ctx.streamedTokens - 1e-9);
    usage = {
      prompt: usage?.prompt || (reached ? promptTokens : 0),
      completion: Math.max(
        usage?.completion ?? 0,
        ctx.completionCap === undefined ? estimated : Math.min(estimated, ctx.completionCap),
      ),
      cached: usage?.cached ?? 0,
      cacheWrite: usage?.cacheWrite ?? 0,
      reasoning: usage?.reasoning ?? 0,
    };
    if (reached) ctx.usage = usage;
  }
  return usage;
}
