// What the analysis of a chat, Messages or embeddings request needs to know of its route: the analyze stage hands
// it to the worker pool, and the limits stage bounds the completion with it when the analysis is off.
import type { AnalysisRequest } from '../analysis/types.js';
import { analysisTargetOf } from '../routing/analysis-target.js';
import type { GatewayContext } from './context.js';

export function analysisRequestOf(ctx: GatewayContext): AnalysisRequest {
  const input = ctx.input!;
  const target = analysisTargetOf(ctx.route!, ctx.runtime.config.providers);
  const routing = ctx.router?.routing;
  return {
    // A token count's body is a Messages body (without max_tokens).
    endpoint: input.endpoint === 'count_tokens' ? 'messages' : input.endpoint,
    body: input.body,
    ...target,
    ...(routing === undefined ? {} : { routing }),
  };
}
