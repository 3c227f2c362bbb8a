// Serves a cached non-streaming answer to a streaming request: the SSE frames the upstream would have sent.
// Only answers that accumulate.ts accepts (one plain-text choice, text-only blocks) can be replayed.
import type { ChatChunk, ChatCompletion } from '../api/openai-chat.js';
import type { AnthropicMessage, AnthropicStreamEvent } from '../api/anthropic-messages.js';
import { OPENAI_DONE_FRAME, anthropicFrame, openAIFrame } from '../pipeline/dispatch/frames.js';

/** Piece sizes in UTF-16 code units: about what an upstream sends per chunk, a few words each. */
const MIN_PIECE = 16;
const MAX_PIECE = 32;

/** Stateless once built; shared so each replay does not pay for a new ICU segmenter. */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Splits text into pieces of a few words whose concatenation is exactly the input. Breaks fall after
 * whitespace; a run with no whitespace longer than MAX_PIECE (a long word, CJK prose) is cut between
 * graphemes, so no surrogate pair, combining sequence or emoji is ever split.
 */
export function chunkText(text: string): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const token of text.match(/\s+|\S+\s*/gu) ?? []) {
    if (piece !== '' && piece.length + token.length > MAX_PIECE) {
      pieces.push(piece);
      piece = '';
    }
    if (token.length <= MAX_PIECE) {
      piece += token;
    } else {
      for (const { segment } of graphemes.segment(token)) {
        if (piece !== '' && piece.length + segment.length > MAX_PIECE) {
          pieces.push(piece);
          piece = '';
        }
        piece += segment;
      }
    }
    if (piece.length >= MIN_PIECE) {
      pieces.push(piece);
      piece = '';
    }
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

type ChunkChoice = ChatChunk['choices'][number];

export function replayChatFrames(completion: ChatCompletion, options: { includeUsage: boolean }): string[] {
  if (completion.choices.length !== 1) throw new Error('Only single-choice completions can be replayed.');
  const choice = completion.choices[0]!;
  if (choice.message.tool_calls !== undefined && choice.message.tool_calls.length > 0) {
    throw new Error('Completions with tool calls cannot be replayed.');
  }

  // Key order follows OpenAI's own chunks, so byte-comparing clients and logs see the familiar shape.
  const head: Record<string, unknown> = {
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
  };
  if (completion.service_tier !== undefined) head.service_tier = completion.service_tier;
  if (completion.system_fingerprint !== undefined) head.system_fingerprint = completion.system_fingerprint;

  const frame = (choices: ChunkChoice[], usage: ChatCompletion['usage'] | null): string =>
    openAIFrame(JSON.stringify({ ...head, choices, ...(options.includeUsage ? { usage } : {}) }));
  const choiceOf = (
    delta: ChunkChoice['delta'],
    finish: ChunkChoice['finish_reason'] = null,
  ): ChunkChoice => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });

  const frames = [frame([choiceOf({ role: 'assistant', content: '' })], null)];
  for (const piece of chunkText(choice.message.content ?? ''))
    frames.push(frame([choiceOf({ content: piece })], null));
  frames.push(frame([choiceOf({}, choice.finish_reason ?? 'stop')], null));
  // OpenAI sends usage in a chunk of its own with no choices, and only when stream_options asked for it.
  if (options.includeUsage) frames.push(frame([], completion.usage ?? null));
  frames.push(OPENAI_DONE_FRAME);
  return frames;
}

export function replayMessagesFrames(message: AnthropicMessage): string[] {
  const frames: string[] = [];
  const emit = (event: AnthropicStreamEvent): void => {
    frames.push(anthropicFrame(event.type, JSON.stringify(event)));
  };

  // Anthropic's message_start carries the input counts and a token or so of output; message_delta the total.
  emit({
    type: 'message_start',
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...message.usage, output_tokens: Math.min(1, message.usage.output_tokens) },
    },
  });
  message.content.forEach((block, index) => {
    if (block.type !== 'text') throw new Error(`A ${block.type} block cannot be replayed.`);
    emit({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const text of chunkText(block.text)) {
      emit({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    }
    emit({ type: 'content_block_stop', index });
  });
  emit({
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
    usage: { output_tokens: message.usage.output_tokens },
  });
  emit({ type: 'message_stop' });
  return frames;
}
