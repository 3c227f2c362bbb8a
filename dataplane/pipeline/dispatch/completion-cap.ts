// The completion limit sent upstream is cut to the model's `max_output_tokens`: that bound is what the limits
// stage reserved against the budgets (analysis/tokens/completion-bound.ts), so an upstream told a larger limit
// (or none) could bill far past the reservation, and a non-streamed answer cannot be cut once it is made.
import type { ChatRequest } from '../../api/openai-chat.js';
import type { MessagesRequest } from '../../api/anthropic-messages.js';
import type { Provider } from '../../providers/types.js';

const over = (value: number | null | undefined, cap: number): value is number =>
  typeof value === 'number' && value > cap;

/**
 * A chat request whose max_completion_tokens/max_tokens are at most `cap`. A request with neither gets `cap`
 * in the provider's field, except for Anthropic, whose provider already sends at most the model's max output
 * (its own default_max_tokens, capped).
 */
export function capChatCompletion(
  body: ChatRequest,
  cap: number | undefined,
  provider: Provider,
): ChatRequest {
  if (cap === undefined) return body;
  const hasLimit = typeof body.max_completion_tokens === 'number' || typeof body.max_tokens === 'number';
  if (!hasLimit) {
    return provider.type === 'anthropic' ? body : { ...body, [provider.completionLimitField]: cap };
  }
  if (!over(body.max_completion_tokens, cap) && !over(body.max_tokens, cap)) return body;
  const capped = { ...body };
  if (over(capped.max_completion_tokens, cap)) capped.max_completion_tokens = cap;
  if (over(capped.max_tokens, cap)) capped.max_tokens = cap;
  return capped;
}

/** A Messages request (max_tokens is required there) whose max_tokens is at most `cap`. */
export function capMessagesCompletion(body: MessagesRequest, cap: number | undefined): MessagesRequest {
  return cap !== undefined && body.max_tokens > cap ? { ...body, max_tokens: cap } : body;
}
