// Whole-response translation between an Anthropic Message and an OpenAI chat completion, plus the stop-reason
// and usage conversions the stream translation shares.
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../../api/openai-chat.js';
import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicUsage,
} from '../../api/anthropic-messages.js';
import { anthropicMessageId } from './message-id.js';
import { checkAnthropicMessage, checkChatCompletion } from './response-shape.js';

export function finishReasonOf(stop: AnthropicStopReason | string): FinishReason {
  switch (stop) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn and any reason added later: the turn simply ended.
      return 'stop';
  }
}

export function stopReasonOf(finish: FinishReason | null): Exclude<AnthropicStopReason, null> {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** OpenAI prompt tokens include cached ones, while Anthropic counts cache reads and writes apart. */
export function chatUsageOf(usage: Partial<AnthropicUsage>): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completion = usage.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
    ...(cacheWrite > 0 && { cache_creation_input_tokens: cacheWrite }),
  };
}

export function anthropicUsageOf(usage: Usage | null | undefined): AnthropicUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const written = usage?.cache_creation_input_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached - written),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

/** A chat answer's stop in Anthropic's terms: the reason, and the stop sequence that matched (if known). */
export interface AnthropicStop {
  stop_reason: Exclude<AnthropicStopReason, null>;
  stop_sequence: string | null;
}

/**
 * `hasToolCalls`: the answer carries tool calls. OpenAI finishes a forced tool call (named or `required`
 * tool_choice) with "stop" rather than "tool_calls", while Anthropic clients run tools on "tool_use" only.
 * `matched`: vLLM's `stop_reason`, the stop string that matched (a number is a stop token id: a plain end).
 */
export function anthropicStopOf(
  finish: FinishReason | null,
  hasToolCalls: boolean,
  matched: string | number | null | undefined,
): AnthropicStop {
  if (hasToolCalls && (finish === 'stop' || finish === 'tool_calls')) {
    return { stop_reason: 'tool_use', stop_sequence: null };
  }
  if (finish === 'stop' && typeof matched === 'string') {
    return { stop_reason: 'stop_sequence', stop_sequence: matched };
  }
  return { stop_reason: stopReasonOf(finish), stop_sequence: null };
}

export function messageToChatCompletion(upstream: unknown): ChatCompletion {
  const msg = checkAnthropicMessage(upstream);
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of msg.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
    // Thinking blocks are dropped: OpenAI's chat shape has no place for them.
  }
  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: msg.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: msg.model,
    choices: [
      {
        index: 0,
        message,
        finish_reason: msg.stop_reason === null ? null : finishReasonOf(msg.stop_reason),
        logprobs: null,
      },
    ],
    usage: chatUsageOf(msg.usage),
  };
}

export function chatCompletionToMessage(upstream: ChatCompletion, model: string): AnthropicMessage {
  const c = checkChatCompletion(upstream);
  // The check guarantees a first choice.
  const choice = c.choices[0]!;
  const content: AnthropicContentBlock[] = [];
  const reasoning = reasoningOf(choice.message);
  // Anthropic puts a turn's thinking before its text. A chat upstream has no signature to give, and the
  // Anthropic SDKs type it as a string: an empty one (the request mapping drops thinking blocks sent back).
  if (reasoning !== '') content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  const text = typeof choice.message.content === 'string' ? choice.message.content : '';
  const refusal = typeof choice.message.refusal === 'string' ? choice.message.refusal : '';
  // A refusal arrives in its own field with empty content; Anthropic clients only read text blocks.
  if (text !== '' || refusal !== '') content.push({ type: 'text', text: text !== '' ? text : refusal });
  for (const call of choice.message.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseInput(call.function.arguments),
    });
  }
  return {
    id: anthropicMessageId(c.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    ...anthropicStopOf(
      choice.finish_reason,
      content.some((b) => b.type === 'tool_use'),
      choice.stop_reason,
    ),
    usage: anthropicUsageOf(c.usage),
  };
}

/**
 * The reasoning of a chat message or delta: vLLM's (`--reasoning-parser`) and DeepSeek's `reasoning_content`, or
 * `reasoning`, the name newer vLLM and OpenRouter use; '' when there is none.
 */
export function reasoningOf(message: object): string {
  const { reasoning_content: content, reasoning } = message as {
    reasoning_content?: unknown;
    reasoning?: unknown;
  };
  if (typeof content === 'string' && content !== '') return content;
  return typeof reasoning === 'string' ? reasoning : '';
}

/** Models sometimes emit broken JSON arguments; an empty input keeps the message well-formed for the client. */
function parseInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
