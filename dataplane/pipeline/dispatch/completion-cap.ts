// The completion limit sent upstream is cut to the model's `max_output_tokens`: that bound is what the limits
// stage reserved against the budgets (analysis/tokens/completion-bound.ts), so an upstream told a larger limit
// (or none) could bill far past the reservation, and a non-streamed answer cannot be cut once it is made.
import type { ChatRequestBody } from '../../api/openai-chat.js';
import type { MessagesRequest } from '../../api/anthropic-messages.js';
import type { Provider } from '../../providers/types.js';
import type { RequestInput } from '../context.js';

const over = (value: number | null | undefined, cap: number): value is number =>
  typeof value === 'number' && value > cap;

/**
 * A chat request whose max_completion_tokens/max_tokens are at most `cap`. A request with neither gets `cap`
 * in the provider's field, except for Anthropic, whose provider already sends at most the model's max output
 * (its own default_max_tokens, capped).
 */
export function capChatCompletion(
  body: ChatRequestBody,
  cap: number | undefined,
  provider: Provider,
): ChatRequestBody {
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

/**
 * Whether the upstream will be told a completion limit no larger than the bound the limits stage reserved: a
 * Messages request always carries one (and embeddings generate nothing); a chat request its own, or the
 * model's `max_output_tokens` (sent or capped by capChatCompletion above), or the Anthropic provider's default.
 * Without any, the bound is the context window's remainder or a default, which an upstream with a larger
 * output limit could pass.
 */
export function sendsCompletionLimit(
  input: RequestInput,
  cap: number | undefined,
  provider: Provider,
): boolean {
  if (input.endpoint !== 'chat') return true;
  if (cap !== undefined || provider.type === 'anthropic') return true;
  const body = input.body;
  return typeof body.max_completion_tokens === 'number' || typeof body.max_tokens === 'number';
}

/** Anthropic's smallest extended-thinking budget. */
const MIN_THINKING_BUDGET = 1024;

/**
 * A Messages request (max_tokens is required there) whose max_tokens is at most `cap`. Extended thinking's
 * `budget_tokens` must stay below max_tokens, so it is cut to `cap - 1` with it (when that is still a budget
 * Anthropic accepts; below that the upstream's own 400 says why).
 */
export function capMessagesCompletion(body: MessagesRequest, cap: number | undefined): MessagesRequest {
  if (cap === undefined || body.max_tokens <= cap) return body;
  const capped: MessagesRequest = { ...body, max_tokens: cap };
  const thinking = (body as { thinking?: unknown }).thinking as
    { type?: unknown; budget_tokens?: unknown } | null | undefined;
  if (
    thinking?.type === 'enabled' &&
    typeof thinking.budget_tokens === 'number' &&
    thinking.budget_tokens >= cap &&
    cap - 1 >= MIN_THINKING_BUDGET
  ) {
    (capped as Record<string, unknown>).thinking = { ...thinking, budget_tokens: cap - 1 };
  }
  return capped;
}
