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

/** Anthropic SDKs map error.type to exception classes; keep their vocabulary where ours differs. */
function anthropicErrorType(error: GatewayError): string {
  if (error.status === 429) return 'rate_limit_error';
  if (error.status === 529 || error.type === 'overloaded_error') return 'overloaded_error';
  if (error.status === 404) return 'not_found_error';
  if (error.status === 413) return 'request_too_large';
  if (error.status >= 500) return error.type === 'timeout_error' ? 'timeout_error' : 'api_error';
  return error.type;
}

export function usageFromOpenAI(usage: Usage): TokenUsage {
  return {
    prompt: usage.prompt_tokens ?? 0,
    completion: usage.completion_tokens ?? 0,
    cached: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
    reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** Anthropic counts cache reads and writes apart from input_tokens; the prompt is their sum. */
export function usageFromAnthropic(usage: Partial<AnthropicUsage>): TokenUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  return {
    prompt: (usage.input_tokens ?? 0) + cached + (usage.cache_creation_input_tokens ?? 0),
    completion: usage.output_tokens ?? 0,
    cached,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
    reasoning: 0,
  };
}
