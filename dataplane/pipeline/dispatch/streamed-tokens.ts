import type { ChatCompletion } from '../../api/openai-chat.js';

// Completion tokens of a stream counted as it passes, before the upstream's own usage (which comes last, if at
// all): a budget's allowance is in tokens, and a stream cut short is billed what it delivered. Tokenizing on the
// event loop would cost more than the rest of the hop, so this is an estimate: the larger of the number of
// deltas (OpenAI streams about a token a delta) and their text's share, about four ASCII characters a token
// (English, code) and one and a half others (accented letters, CJK), which covers Anthropic's deltas of several
// words. Deltas are a few characters long, so the loop is short.

/** The running count of a stream; `streamedTokens` is what budgets check and a cut stream is billed. */
export interface StreamCount {
  streamedTokens: number;
  streamedDeltas: number;
  /** The deltas' text share, fractional. */
  streamedText: number;
}

/** A text's token share: four ASCII characters or one and a half others a token. */
export function textTokens(text: string): number {
  let ascii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
  return ascii / 4 + (text.length - ascii) / 1.5;
}

/** Counts one delta of the stream (an empty one counts nothing). */
export function countDelta(count: StreamCount, text: string): void {
  if (text.length === 0) return;
  count.streamedDeltas += 1;
  count.streamedText += textTokens(text);
  count.streamedTokens = Math.max(count.streamedDeltas, count.streamedText);
}

/**
 * A non-streamed chat answer's completion tokens, estimated like a stream's (for an upstream that sent no usage):
 * each choice's text, refusal, reasoning and tool-call arguments, and at least one token per choice with any of
 * them. Reasoning (vLLM's and DeepSeek's `reasoning_content`, newer vLLM's and OpenRouter's `reasoning`) is
 * output the upstream generated and bills, as its streamed deltas are counted (dispatch/chat.ts).
 */
export function answerTokens(body: ChatCompletion): number {
  let tokens = 0;
  for (const choice of Array.isArray(body.choices) ? body.choices : []) {
    const message = choice?.message;
    if (message === undefined || message === null) continue;
    const text = generatedText(message);
    if (text.length > 0) tokens += Math.max(1, Math.ceil(textTokens(text)));
  }
  return tokens;
}

/** What the fields of a chat message or stream delta that carry generated text may hold (untrusted). */
interface GeneratedParts {
  content?: unknown;
  refusal?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: unknown;
}

/**
 * The text a model generated in one chat message or stream delta, which a completion estimate counts: content,
 * refusal, reasoning (vLLM's and DeepSeek's `reasoning_content`, newer vLLM's and OpenRouter's `reasoning`), and
 * tool calls' names and arguments (a custom tool's free-form input). Used per streamed delta (dispatch/chat.ts)
 * and per answer (answerTokens), so that both count the same fields.
 */
export function generatedText(part: GeneratedParts): string {
  let text = '';
  if (typeof part.content === 'string') text += part.content;
  if (typeof part.refusal === 'string') text += part.refusal;
  if (typeof part.reasoning_content === 'string') text += part.reasoning_content;
  if (typeof part.reasoning === 'string') text += part.reasoning;
  if (!Array.isArray(part.tool_calls)) return text;
  for (const call of part.tool_calls as unknown[]) {
    if (typeof call !== 'object' || call === null) continue;
    const { function: fn, custom } = call as {
      function?: { name?: unknown; arguments?: unknown } | null;
      custom?: { name?: unknown; input?: unknown } | null;
    };
    if (typeof fn?.name === 'string') text += fn.name;
    if (typeof fn?.arguments === 'string') text += fn.arguments;
    if (typeof custom?.name === 'string') text += custom.name;
    if (typeof custom?.input === 'string') text += custom.input;
  }
  return text;
}
