// The simulator's tokenizer: words and punctuation as tokens. Deterministic, so simulated usage is exact
// for what the simulator itself emits (completion tokens = pieces streamed) and repeatable for prompts.
import type { ChatMessage } from '../../api/openai-chat.js';

const TOKEN = /\s*[\p{L}\p{N}_]+|\s*[^\s\p{L}\p{N}_]/gu;

export function splitTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function countTokens(text: string): number {
  let count = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text) !== null) count++;
  return count;
}

export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  return text;
}

/** Prompt tokens in the style of OpenAI's chat format: 3 per message, content, 3 to prime the reply. */
export function countPromptTokens(
  messages: readonly ChatMessage[],
  tools: readonly unknown[] | undefined,
): number {
  let total = 3;
  for (const message of messages) {
    total += 3 + countTokens(messageText(message));
    if (message.role === 'assistant' && message.tool_calls !== undefined) {
      for (const call of message.tool_calls)
        if (call.type === 'function') total += countTokens(call.function.name + call.function.arguments);
    }
  }
  if (tools !== undefined && tools.length > 0) total += countTokens(JSON.stringify(tools));
  return total;
}
