// Most completion tokens a request can be billed for, reserved against budgets before the call.
import type { AnalysisRequest } from '../types.js';
import { asPositiveInt, isObject } from './json.js';

/** Used when neither the request nor the config bounds the output: OpenAI's and Anthropic's common default cap. */
export const DEFAULT_COMPLETION_BOUND = 4096;

function requestedMax(request: AnalysisRequest): number | undefined {
  const body = isObject(request.body) ? request.body : {};
  if (request.endpoint === 'messages') return asPositiveInt(body.max_tokens);
  // max_completion_tokens supersedes the deprecated max_tokens (and includes reasoning tokens).
  return asPositiveInt(body.max_completion_tokens) ?? asPositiveInt(body.max_tokens);
}

function choices(request: AnalysisRequest): number {
  if (request.endpoint !== 'chat' || !isObject(request.body)) return 1;
  // Each of the n choices is billed its own completion tokens.
  return asPositiveInt(request.body.n) ?? 1;
}

/**
 * The request's max_completion_tokens/max_tokens, capped by the model's configured max output; without one,
 * the limit the provider itself sends (Anthropic requires one), likewise capped; else the configured max
 * output, else what the context window leaves after the prompt, else the default.
 */
export function completionUpperBound(request: AnalysisRequest, promptTokens: number): number {
  const configured = asPositiveInt(request.maxOutputTokens);
  const requested = requestedMax(request) ?? asPositiveInt(request.providerDefaultMax);
  let bound: number;
  if (requested !== undefined) bound = configured === undefined ? requested : Math.min(requested, configured);
  else if (configured !== undefined) bound = configured;
  else if (request.contextWindow !== undefined) bound = request.contextWindow - promptTokens;
  else bound = DEFAULT_COMPLETION_BOUND;
  return Math.max(0, Math.floor(bound)) * choices(request);
}
