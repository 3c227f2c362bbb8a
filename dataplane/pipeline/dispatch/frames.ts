// SSE framing for the two client dialects, and usage normalisation.
import type { Usage } from '../../api/openai-chat.js';
import type { AnthropicUsage } from '../../api/anthropic-messages.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { TokenUsage } from '../context.js';

export const OPENAI_DONE_FRAME = 'data: [DONE]\n\n';

export function openAIFrame(json: string): string {
  return `data: ${json}\n\n`;
}

/** OpenAI's own in-stream error shape; the openai SDK raises it as an APIError. */
export function openAIErrorFrame(error: GatewayError): string {
  return openAIFrame(JSON.stringify(error.toBody()));
}

export function anthropicFrame(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`;
}

export function anthropicErrorBody(error: GatewayError): {
  type: 'error';
  error: { type: string; message: string; code: string; param: string | null };
} {
  const body = error.toBody().error;
  return { type: 'error', error: { ...body, type: anthropicErrorType(error) } };
}

export function anthropicErrorFrame(error: GatewayError): string {
  return anthropicFrame('error', JSON.stringify(anthropicErrorBody(error)));
}

/**
 * Anthropic SDKs map error.type to exception classes; keep their vocabulary where ours differs (Anthropic's
 * types: invalid_request_error 400, authentication_error 401, billing_error 402, permission_error 403,
 * not_found_error 404, request_too_large 413, rate_limit_error 429, api_error 500, timeout_error 504,
 * overloaded_error 529).
 */
function anthropicErrorType(error: GatewayError): string {
  if (error.status === 401) return 'authentication_error';
  if (error.status === 402) return 'billing_error';
  if (error.status === 403) return 'permission_error';
  if (error.status === 429) return 'rate_limit_error';
  if (error.status === 529 || error.type === 'overloaded_error') return 'overloaded_error';
  if (error.status === 404) return 'not_found_error';
  if (error.status === 413) return 'request_too_large';
  if (error.status >= 500) return error.type === 'timeout_error' ? 'timeout_error' : 'api_error';
  // Other 4xx (400, 405, 415, 422 from an OpenAI-shaped upstream) are the request's fault.
  return 'invalid_request_error';
}

/** Most tokens one count may hold: the warehouse stores counts as UInt32. */
const MAX_TOKENS = 0xffff_ffff;

/**
 * A provider's token count as a count: a whole number from 0 to UInt32's max. Upstreams are not trusted to
 * send one (a -3, 2.5, "x" or 1e300 would be refused by the warehouse, losing the record, or wrap there).
 */
export function tokenCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(MAX_TOKENS, Math.round(value));
}

export function usageFromOpenAI(usage: Usage): TokenUsage {
  return {
    prompt: tokenCount(usage.prompt_tokens),
    completion: tokenCount(usage.completion_tokens),
    cached: tokenCount(usage.prompt_tokens_details?.cached_tokens),
    cacheWrite: tokenCount(usage.cache_creation_input_tokens),
    reasoning: tokenCount(usage.completion_tokens_details?.reasoning_tokens),
  };
}

/** Anthropic counts cache reads and writes apart from input_tokens; the prompt is their sum. */
export function usageFromAnthropic(usage: Partial<AnthropicUsage>): TokenUsage {
  const cached = tokenCount(usage.cache_read_input_tokens);
  const cacheWrite = tokenCount(usage.cache_creation_input_tokens);
  return {
    prompt: Math.min(MAX_TOKENS, tokenCount(usage.input_tokens) + cached + cacheWrite),
    completion: tokenCount(usage.output_tokens),
    cached,
    cacheWrite,
    reasoning: 0,
  };
}
