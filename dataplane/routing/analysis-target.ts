// What the analysis must know of a model to count its tokens and bound its completion: the tokenizer (its
// upstream name and provider) and the limits from config.
import type { AnalysisTarget } from '../analysis/types.js';
import type { GatewayConfig } from '../config/schema.js';
import type { RoutableModel } from '../config/runtime.js';

export function analysisTargetOf(
  model: RoutableModel,
  providers: GatewayConfig['providers'],
): AnalysisTarget {
  const config = model.config;
  const provider = providers[model.provider.id];
  return {
    upstreamModel: model.upstreamModel,
    provider: model.provider.type,
    ...(config.max_output_tokens === undefined ? {} : { maxOutputTokens: config.max_output_tokens }),
    ...(config.context_window === undefined ? {} : { contextWindow: config.context_window }),
    // Anthropic requires max_tokens: a request without one is sent the provider's default.
    ...(provider?.type === 'anthropic' ? { providerDefaultMax: provider.default_max_tokens } : {}),
  };
}

/** Two models count a prompt's tokens and bound its completion alike. */
export function sameTokenization(a: AnalysisTarget, b: AnalysisTarget): boolean {
  return (
    a.upstreamModel === b.upstreamModel &&
    a.provider === b.provider &&
    a.maxOutputTokens === b.maxOutputTokens &&
    a.contextWindow === b.contextWindow &&
    a.providerDefaultMax === b.providerDefaultMax
  );
}
