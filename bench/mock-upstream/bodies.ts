// Response bodies of the mock, built once per behaviour so serving a request costs no JSON work:
// OpenAI chat completions and chunks, Anthropic messages and stream events, and the error bodies.
import type { Behaviour } from './behaviour.js';

export interface Bodies {
  openaiJson: string;
  /** `data: {...}\n\n` frames, one per content chunk. */
  openaiChunks: string[];
  openaiUsageChunk: string;
  openaiDone: string;
  openaiError: string;
  anthropicJson: string;
  /** message_start and content_block_start. */
  anthropicHead: string;
  anthropicDeltas: string[];
  /** content_block_stop, message_delta, message_stop. */
  anthropicTail: string;
  anthropicError: string;
}

const CREATED = 1_700_000_000;
const PROMPT_TOKENS = 12;

/** The content of every non-streamed answer: n words, known to the generator so it can check answers. */
export function answerText(n: number): string {
  return words(n);
}

function words(n: number): string {
  return Array.from({ length: n }, (_, i) => (i === 0 ? 'tok' : ' tok')).join('');
}

function sse(data: unknown, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;
}

export function buildBodies(behaviour: Behaviour): Bodies {
  const usage = {
    prompt_tokens: PROMPT_TOKENS,
    completion_tokens: behaviour.answerWords,
    total_tokens: PROMPT_TOKENS + behaviour.answerWords,
  };
  const chunkBase = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'gpt-4o-mini',
  };
  const n = behaviour.chunks;
  const openaiChunks = Array.from({ length: n }, (_, i) =>
    sse({
      ...chunkBase,
      choices: [
        {
          index: 0,
          delta: i === 0 ? { role: 'assistant', content: 'tok' } : { content: ' tok' },
          logprobs: null,
          finish_reason: i === n - 1 ? 'stop' : null,
        },
      ],
    }),
  );
  const streamUsage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: n, total_tokens: PROMPT_TOKENS + n };
  const message = { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-bench' };
  return {
    openaiJson: JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: CREATED,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: words(behaviour.answerWords), refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage,
    }),
    openaiChunks,
    openaiUsageChunk: sse({ ...chunkBase, choices: [], usage: streamUsage }),
    openaiDone: 'data: [DONE]\n\n',
    openaiError: JSON.stringify({
      error: {
        message: 'Injected failure from the bench mock.',
        type: 'server_error',
        param: null,
        code: null,
      },
    }),
    anthropicJson: JSON.stringify({
      ...message,
      content: [{ type: 'text', text: words(behaviour.answerWords) }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: PROMPT_TOKENS, output_tokens: behaviour.answerWords },
    }),
    anthropicHead:
      sse(
        {
          type: 'message_start',
          message: {
            ...message,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: PROMPT_TOKENS, output_tokens: 1 },
          },
        },
        'message_start',
      ) +
      sse(
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        'content_block_start',
      ),
    anthropicDeltas: Array.from({ length: n }, (_, i) =>
      sse(
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: i === 0 ? 'tok' : ' tok' },
        },
        'content_block_delta',
      ),
    ),
    anthropicTail:
      sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop') +
      sse(
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: n },
        },
        'message_delta',
      ) +
      sse({ type: 'message_stop' }, 'message_stop'),
    anthropicError: JSON.stringify({
      type: 'error',
      error: { type: 'api_error', message: 'Injected failure from the bench mock.' },
    }),
  };
}
