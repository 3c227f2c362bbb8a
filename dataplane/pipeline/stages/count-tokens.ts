// Terminal stage of POST /v1/messages/count_tokens (Anthropic's API, the SDKs' `messages.countTokens`): the
// input tokens a Messages body would be billed, without generating anything. The routed provider counts when
// it has a count of its own (Anthropic's endpoint; the simulator's, which is what it bills; vLLM's /tokenize
// for the chat translation, when configured); for the others the analysis counts with the model's tokenizer. `x-gateway-token-count` says which kind of count it is.
import { performance } from 'node:perf_hooks';
import type { CountTokensResult } from '../../providers/types.js';
import { chatRequestFor } from '../dispatch/messages.js';
import type { Stage } from '../compose.js';
import type { GatewayContext } from '../context.js';
import { callOptions } from './dispatch.js';

export const TOKEN_COUNT_HEADER = 'x-gateway-token-count';

/** Whether the request's current route counts for itself (no analysis needed for the answer). */
export const providerCounts = (ctx: GatewayContext): boolean =>
  ctx.route?.provider.countTokens !== undefined || ctx.route?.provider.countChatTokens !== undefined;

export function countTokensStage(): Stage {
  return {
    name: 'count-tokens',
    async run(ctx) {
      const input = ctx.input;
      const route = ctx.route;
      // The parse and route stages before this one leave both, or throw.
      if (input?.endpoint !== 'count_tokens' || route === undefined)
        throw new Error('count-tokens stage reached without a routed count request');
      const provider = route.provider;
      if (provider.countTokens !== undefined) {
        await answerWithProviderCount(ctx, () => provider.countTokens!(input.body, callOptions(ctx)));
        return;
      }
      // What /v1/messages to this model would refuse in its translation to chat (content blocks and tools
      // only Anthropic has) is refused here too: a count says what the call would bill, and it would fail.
      // A limit changes no prompt: a count, which has none, is translated with a placeholder.
      const chat = chatRequestFor({ ...input.body, max_tokens: 1 }, route);
      if (provider.countChatTokens !== undefined) {
        await answerWithProviderCount(ctx, () => provider.countChatTokens!(chat, callOptions(ctx)));
        return;
      }
      // The analyze stage ran for every route that does not count for itself (pipelines.ts).
      const tokens = ctx.analysis!.tokens;
      // Parts the analysis does not decode (audio, files) make the count a lower bound.
      ctx.responseHeaders[TOKEN_COUNT_HEADER] =
        tokens.exact && tokens.uncounted_parts === 0 ? 'exact' : 'estimate';
      ctx.response = { kind: 'json', status: 200, body: JSON.stringify({ input_tokens: tokens.prompt }) };
    },
  };
}

/** The provider's own count as the answer (its upstream's body when it has one), timed as an upstream call. */
async function answerWithProviderCount(
  ctx: GatewayContext,
  count: () => Promise<CountTokensResult>,
): Promise<void> {
  ctx.timings.upstreamStart = performance.now();
  const result = await count();
  ctx.timings.upstreamEnd = performance.now();
  ctx.responseHeaders[TOKEN_COUNT_HEADER] = 'provider';
  ctx.response = {
    kind: 'json',
    status: 200,
    body: result.raw ?? JSON.stringify({ input_tokens: result.inputTokens }),
  };
}
