// What the analysis of a chat, Messages or embeddings request needs to know of its route: the analyze stage hands
// it to the worker pool, and the limits stage bounds the completion with it when the analysis is off.
import type { AnalysisRequest } from '../analysis/types.js';
import type { GatewayContext } from './context.js';

export function analysisRequestOf(ctx: GatewayContext): AnalysisRequest {
  const input = ctx.input!;
  const route = ctx.route!;
  const config = route.config;
  const provider = ctx.runtime.config.providers[route.provider.id];
  return {
    endpoint: input.endpoint,
    body: input.body,
    upstreamModel: route.upstreamModel,
    provider: route.provider.type,
    ...(config.max_output_tokens === undefined ? {} : { maxOutputTokens: config.max_output_tokens }),
    ...(config.context_window === undefined ? {} : { contextWindow: config.context_window }),
    // Anthropic requires max_tokens: a request without one is sent the provider's default.
    ...(provider?.type === 'anthropic' ? { providerDefaultMax: provider.default_max_tokens } : {}),
  };
}
