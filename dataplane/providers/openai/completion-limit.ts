// A client's completion limit in the one field a self-hosted server is sure to know (see completionLimitFieldOf):
// vLLM before 0.6.4 refuses `max_completion_tokens` (400 extra_forbidden) and Ollama ignores it, which would
// leave the answer unbounded past the model's max_output_tokens, the bound its budgets reserved.
import type { ChatRequestBody } from '../../api/openai-chat.js';

/** `request` with its limit as `max_tokens` (the smaller of the two when both are set), without the newer name. */
export function withMaxTokensOnly(request: ChatRequestBody): ChatRequestBody {
  const newer = request.max_completion_tokens;
  if (newer === undefined) return request;
  const { max_completion_tokens: _newer, ...rest } = request;
  const older = request.max_tokens;
  if (typeof newer !== 'number') return rest;
  return { ...rest, max_tokens: typeof older === 'number' ? Math.min(older, newer) : newer };
}
