// Cached answers in both directions: streams accumulate into the non-streaming body, bodies replay as streams
// that both our own parser and the official SDKs read back to the same answer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Stream as OpenAIStream } from 'openai/streaming';
import { ChatCompletionStream } from 'openai/lib/ChatCompletionStream';
import { Stream as AnthropicStream } from '@anthropic-ai/sdk/streaming';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { ChatChunk, ChatCompletion } from '../../../dataplane/api/openai-chat.js';
import type {
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicStreamEvent,
} from '../../../dataplane/api/anthropic-messages.js';
import {
  ChatStreamAccumulator,
  MessagesStreamAccumulator,
  cacheableChatCompletion,
  cacheableMessage,
} from '../../../dataplane/cache/accumulate.js';
import { chunkText, replayChatFrames, replayMessagesFrames } from '../../../dataplane/cache/replay.js';
import { SseDecoder, type SseEvent } from '../../../dataplane/upstream/sse-parser.js';

function parseFrames(frames: string[]): SseEvent[] {
  const sse = new SseDecoder();
  const out = frames.flatMap((frame) => sse.push(frame));
  out.push(...sse.end());
  return out;
}

async function chatChunksOf(frames: string[]): Promise<ChatChunk[]> {
  const events = parseFrames(frames);
  assert.equal(events.at(-1)?.data, '[DONE]');
  return events.slice(0, -1).map((event) => JSON.parse(event.data) as ChatChunk);
}

async function anthropicEventsOf(frames: string[]): Promise<AnthropicStreamEvent[]> {
  return parseFrames(frames).map((event) => {
    const data = JSON.parse(event.data) as AnthropicStreamEvent;
    assert.equal(event.event, data.type);
    return data;
  });
}

function accumulateChat(chunks: ChatChunk[]): ChatCompletion | undefined {
  const accumulator = new ChatStreamAccumulator();
  for (const chunk of chunks) accumulator.add(chunk);
  return accumulator.result();
}

function accumulateMessages(events: AnthropicStreamEvent[]): AnthropicMessage | undefined {
  const accumulator = new MessagesStreamAccumulator();
  for (const event of events) accumulator.add(event);
  return accumulator.result();
}

function sseResponse(frames: string[]): Response {
  return new Response(frames.join(''), { headers: { 'content-type': 'text/event-stream' } });
}

const LONG_TEXT =
  'Paris is the capital of France. 🇫🇷 It sits on the Seine; 東京は日本の首都です。' +
  ' Supercalifragilisticexpialidocious-antidisestablishmentarianism!\n\n  - item one\n  - item two 👩‍👩‍👧‍👦 done.';

const completion = (content = LONG_TEXT): ChatCompletion => ({
  id: 'chatcmpl-CZ2fKx9Qw1',
  object: 'chat.completion',
  created: 1_764_180_000,
  model: 'gpt-4.1-mini-2025-04-14',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content, refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 25,
    completion_tokens: 61,
    total_tokens: 86,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_6f2eabb9a5',
});

const message = (
  content: AnthropicMessage['content'] = [{ type: 'text', text: LONG_TEXT }],
): AnthropicMessage => ({
  id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content,
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 472,
    output_tokens: 61,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 128,
  },
});

// An OpenAI stream as the wire carries it with include_usage: extra fields, a usage-only last chunk.
const chunkBase = {
  id: 'chatcmpl-CZ2fKx9Qw1',
  object: 'chat.completion.chunk' as const,
  created: 1_764_180_000,
  model: 'gpt-4.1-mini-2025-04-14',
  service_tier: 'default',
  system_fingerprint: 'fp_6f2eabb9a5',
};
const chunk = (
  delta: ChatChunk['choices'][number]['delta'],
  finish: ChatChunk['choices'][number]['finish_reason'] = null,
  index = 0,
): ChatChunk => ({
  ...chunkBase,
  choices: [{ index, delta, logprobs: null, finish_reason: finish }],
  usage: null,
  obfuscation: 'xYz',
});
const usageChunk: ChatChunk = {
  ...chunkBase,
  choices: [],
  usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
};
const wireChat: ChatChunk[] = [
  chunk({ role: 'assistant', content: '', refusal: null }),
  chunk({ content: 'Hello' }),
  chunk({ content: ' there' }),
  chunk({}, 'stop'),
  usageChunk,
];

// An Anthropic stream as the wire carries it: ping after message_start, cumulative usage in message_delta.
const start: AnthropicStreamEvent = {
  type: 'message_start',
  message: { ...message([]), stop_reason: null, usage: { input_tokens: 472, output_tokens: 2 } },
};
const blockStart = (index = 0): AnthropicStreamEvent => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'text', text: '' },
});
const textDelta = (text: string, index = 0): AnthropicStreamEvent => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'text_delta', text },
});
const blockStop = (index = 0): AnthropicStreamEvent => ({ type: 'content_block_stop', index });
const messageDelta = (stopReason: AnthropicStopReason = 'end_turn'): AnthropicStreamEvent => ({
  type: 'message_delta',
  delta: { stop_reason: stopReason, stop_sequence: null },
  usage: { output_tokens: 12, input_tokens: 472, cache_read_input_tokens: null },
});
const stop: AnthropicStreamEvent = { type: 'message_stop' };
const wireMessages: AnthropicStreamEvent[] = [
  start,
  blockStart(),
  { type: 'ping' },
  textDelta('Hello'),
  textDelta(' there'),
  blockStop(),
  messageDelta(),
  stop,
];

describe('chunkText', () => {
  // Every piece boundary must be a grapheme boundary of the whole text.
  const graphemeBoundaries = (text: string): Set<number> => {
    const boundaries = new Set<number>([text.length]);
    for (const { index } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
      boundaries.add(index);
    }
    return boundaries;
  };

  const cases: Record<string, string> = {
    ascii: 'The quick brown fox jumps over the lazy dog, again and again, until the sun goes down.',
    emoji: '🙂🙃😉 family 👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦 flags 🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸 skin 👍🏽👍🏽👍🏽',
    cjk: '東京は日本の首都です。人口は約千四百万人で、世界最大級の都市圏を形成しています。😀𠮷野家へ行きました。',
    combining: 'e\u0301'.repeat(40) + ' Zalgo: ' + 'a\u0300\u0301\u0302\u0303'.repeat(10),
    longWord: 'x'.repeat(200) + ' and ' + 'https://example.com/' + 'path/'.repeat(30),
    whitespaceRuns: '   leading\n\n\n\t\ttabs' + ' '.repeat(100) + 'gap\r\n\r\nCRLF   trailing   ',
    onlySpaces: ' '.repeat(70),
    single: 'a',
    mixed: LONG_TEXT,
  };

  for (const [name, text] of Object.entries(cases)) {
    it(`reassembles ${name} exactly, at grapheme boundaries, in small pieces`, () => {
      const pieces = chunkText(text);
      assert.equal(pieces.join(''), text);
      const boundaries = graphemeBoundaries(text);
      let offset = 0;
      for (const piece of pieces) {
        assert.ok(piece.length > 0);
        // A single grapheme can exceed the target size, nothing else can.
        assert.ok(piece.length <= 32 || [...new Intl.Segmenter().segment(piece)].length === 1, piece);
        offset += piece.length;
        assert.ok(boundaries.has(offset), `piece ends inside a grapheme at ${offset} in ${name}`);
        assert.doesNotMatch(piece, /^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
      }
    });
  }

  it('returns no pieces for the empty string', () => {
    assert.deepEqual(chunkText(''), []);
  });

  it('breaks after whitespace when words allow it', () => {
    const pieces = chunkText(cases.ascii!);
    assert.ok(pieces.length > 1);
    for (const piece of pieces.slice(0, -1)) assert.match(piece, /\s$/);
  });
});

describe('replayChatFrames', () => {
  it('frames chunks as OpenAI does, with a usage chunk and [DONE]', () => {
    const frames = replayChatFrames(completion('Hi there.'), { includeUsage: true });
    assert.equal(frames.length, 5);
    for (const frame of frames) assert.match(frame, /^data: [^\n]+\n\n$/);
    assert.equal(frames.at(-1), 'data: [DONE]\n\n');
    const parsed = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice('data: '.length)) as ChatChunk);
    assert.deepEqual(parsed[0], {
      id: 'chatcmpl-CZ2fKx9Qw1',
      object: 'chat.completion.chunk',
      created: 1_764_180_000,
      model: 'gpt-4.1-mini-2025-04-14',
      service_tier: 'default',
      system_fingerprint: 'fp_6f2eabb9a5',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
      usage: null,
    });
    assert.deepEqual(parsed[1]!.choices[0]!.delta, { content: 'Hi there.' });
    assert.equal(parsed[1]!.usage, null);
    assert.deepEqual(parsed[2]!.choices, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    assert.equal(parsed[2]!.usage, null);
    assert.deepEqual(parsed[3]!.choices, []);
    assert.deepEqual(parsed[3]!.usage, completion().usage);
  });

  it('leaves usage out entirely when the client did not ask for it', async () => {
    const chunks = await chatChunksOf(replayChatFrames(completion(), { includeUsage: false }));
    for (const c of chunks) assert.equal('usage' in c, false);
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'stop');
  });

  it('round-trips through the accumulator to the original completion', async () => {
    for (const content of [LONG_TEXT, '', 'ok']) {
      const original = completion(content);
      const chunks = await chatChunksOf(replayChatFrames(original, { includeUsage: true }));
      assert.deepEqual(accumulateChat(chunks), original);
      assert.equal(cacheableChatCompletion(original), true);
    }
  });

  it('is read back by the openai SDK as the same completion', async () => {
    const original = completion();
    const response = sseResponse(replayChatFrames(original, { includeUsage: true }));
    const stream = OpenAIStream.fromSSEResponse(response, new AbortController());
    const final = await ChatCompletionStream.fromReadableStream(
      stream.toReadableStream(),
    ).finalChatCompletion();
    assert.equal(final.id, original.id);
    assert.equal(final.model, original.model);
    assert.equal(final.choices.length, 1);
    assert.equal(final.choices[0]!.message.content, LONG_TEXT);
    assert.equal(final.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(final.usage, original.usage);
  });
});

describe('replayMessagesFrames', () => {
  it('frames events as Anthropic does', () => {
    const frames = replayMessagesFrames(message([{ type: 'text', text: 'Hi there.' }]));
    for (const frame of frames) assert.match(frame, /^event: [a-z_]+\ndata: [^\n]+\n\n$/);
    assert.deepEqual(
      frames.map((frame) => /^event: ([a-z_]+)\n/.exec(frame)![1]),
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    const start = JSON.parse(frames[0]!.split('\ndata: ')[1]!) as AnthropicStreamEvent;
    assert.deepEqual(start, {
      type: 'message_start',
      message: {
        ...message([]),
        stop_reason: null,
        usage: { ...message().usage, output_tokens: 1 },
      },
    });
    assert.equal(
      frames[4],
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":61}}\n\n',
    );
    assert.equal(frames[5], 'event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });

  it('round-trips through the accumulator to the original message', async () => {
    const variants: AnthropicMessage[] = [
      message(),
      message([]),
      message([
        { type: 'text', text: 'First block. ' },
        { type: 'text', text: '' },
        { type: 'text', text: LONG_TEXT },
      ]),
      {
        ...message([{ type: 'text', text: 'Stopped at' }]),
        stop_reason: 'stop_sequence',
        stop_sequence: '###',
      },
    ];
    for (const original of variants) {
      const events = await anthropicEventsOf(replayMessagesFrames(original));
      assert.deepEqual(accumulateMessages(events), original);
      assert.equal(cacheableMessage(original), true);
    }
  });

  it('is read back by the Anthropic SDK as the same message', async () => {
    const original = message([
      { type: 'text', text: 'Intro. ' },
      { type: 'text', text: LONG_TEXT },
    ]);
    const response = sseResponse(replayMessagesFrames(original));
    const stream = AnthropicStream.fromSSEResponse(response, new AbortController());
    const final = await MessageStream.fromReadableStream(stream.toReadableStream()).finalMessage();
    assert.equal(final.id, original.id);
    assert.deepEqual(
      final.content.map((block) => (block.type === 'text' ? block.text : block.type)),
      ['Intro. ', LONG_TEXT],
    );
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.input_tokens, 472);
    assert.equal(final.usage.output_tokens, 61);
    assert.equal(final.usage.cache_read_input_tokens, 128);
  });
});

describe('ChatStreamAccumulator', () => {
  it('accumulates a wire-shaped stream, keeping ids and dropping per-chunk noise', () => {
    assert.deepEqual(accumulateChat(wireChat), {
      id: 'chatcmpl-CZ2fKx9Qw1',
      object: 'chat.completion',
      created: 1_764_180_000,
      model: 'gpt-4.1-mini-2025-04-14',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello there', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: usageChunk.usage,
      service_tier: 'default',
      system_fingerprint: 'fp_6f2eabb9a5',
    });
  });

  it('takes ids from the first real chunk after an Azure prompt-filter chunk', () => {
    const filter: ChatChunk = {
      id: '',
      object: 'chat.completion.chunk',
      created: 0,
      model: '',
      choices: [],
      prompt_filter_results: [],
    };
    const result = accumulateChat([filter, ...wireChat]);
    assert.equal(result?.id, 'chatcmpl-CZ2fKx9Qw1');
    assert.equal(result?.model, 'gpt-4.1-mini-2025-04-14');
  });

  it('accepts usage on the finishing chunk itself', () => {
    const finish = { ...chunk({}, 'stop'), usage: usageChunk.usage };
    assert.deepEqual(accumulateChat([...wireChat.slice(0, 3), finish])?.usage, usageChunk.usage);
  });

  const uncacheable: Record<string, ChatChunk[]> = {
    'a tool call': [
      wireChat[0]!,
      chunk({
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      }),
      chunk({}, 'stop'),
      usageChunk,
    ],
    'a legacy function_call': [
      wireChat[0]!,
      chunk({ function_call: { name: 'f', arguments: '{}' } } as ChatChunk['choices'][number]['delta']),
      chunk({}, 'stop'),
      usageChunk,
    ],
    'a second choice': [...wireChat.slice(0, 3), chunk({ content: 'other' }, null, 1), ...wireChat.slice(3)],
    'a refusal': [wireChat[0]!, chunk({ refusal: "I can't help with that." }), chunk({}, 'stop'), usageChunk],
    'finish_reason length': [...wireChat.slice(0, 3), chunk({}, 'length'), usageChunk],
    'finish_reason content_filter': [...wireChat.slice(0, 3), chunk({}, 'content_filter'), usageChunk],
    'no finish_reason': [...wireChat.slice(0, 3), usageChunk],
    'no usage': wireChat.slice(0, 4),
    // Azure's asynchronous content filter annotates the stream with chunks whose choice has no delta.
    'a choice without a delta (Azure content-filter annotation)': [
      ...wireChat.slice(0, 3),
      {
        ...wireChat[1]!,
        choices: [
          {
            index: 0,
            finish_reason: null,
            content_filter_results: {},
          } as unknown as ChatChunk['choices'][number],
        ],
      },
      ...wireChat.slice(3),
    ],
    logprobs: [
      wireChat[0]!,
      {
        ...chunk({ content: 'Hi' }),
        choices: [{ index: 0, delta: { content: 'Hi' }, logprobs: { content: [] }, finish_reason: null }],
      },
      chunk({}, 'stop'),
      usageChunk,
    ],
    'no chunks': [],
  };
  for (const [name, chunks] of Object.entries(uncacheable)) {
    it(`refuses a stream with ${name}`, () => {
      assert.equal(accumulateChat(chunks), undefined);
    });
  }
});

describe('cacheableChatCompletion', () => {
  const base = completion('fine');
  const choice = base.choices[0]!;
  const cases: Record<string, ChatCompletion> = {
    'a tool call': {
      ...base,
      choices: [
        {
          ...choice,
          message: {
            ...choice.message,
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    },
    'two choices': { ...base, choices: [choice, { ...choice, index: 1 }] },
    'finish_reason length': { ...base, choices: [{ ...choice, finish_reason: 'length' }] },
    'a refusal': {
      ...base,
      choices: [{ ...choice, message: { role: 'assistant', content: null, refusal: 'No.' } }],
    },
    'no usage': { ...base, usage: undefined },
    logprobs: { ...base, choices: [{ ...choice, logprobs: { content: [] } }] },
  };
  it('accepts a plain single-choice answer', () => {
    assert.equal(cacheableChatCompletion(base), true);
  });
  for (const [name, body] of Object.entries(cases)) {
    it(`refuses ${name}`, () => {
      assert.equal(cacheableChatCompletion(body), false);
    });
  }
});

describe('MessagesStreamAccumulator', () => {
  it('accumulates a wire-shaped stream, merging cumulative usage', () => {
    assert.deepEqual(accumulateMessages(wireMessages), {
      ...message([{ type: 'text', text: 'Hello there' }]),
      usage: { input_tokens: 472, output_tokens: 12 },
    });
  });

  const uncacheable: Record<string, AnthropicStreamEvent[]> = {
    'a tool_use block': [
      start,
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } },
      blockStop(),
      messageDelta('tool_use'),
      stop,
    ],
    'a thinking block before the text': [
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } },
      blockStop(0),
      blockStart(1),
      textDelta('Answer.', 1),
      blockStop(1),
      messageDelta(),
      stop,
    ],
    'an error event': [
      start,
      blockStart(),
      textDelta('Hel'),
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ],
    'an error event after message_stop': [
      ...wireMessages,
      { type: 'error', error: { type: 'api_error', message: 'x' } },
    ],
    'no message_stop': wireMessages.slice(0, -1),
    'no message_start': wireMessages.slice(1),
    'an unclosed block': [start, blockStart(), textDelta('Hello'), messageDelta(), stop],
    'a delta for a block never started': [start, textDelta('Hello'), blockStop(), messageDelta(), stop],
    'a missing block index': [
      start,
      blockStart(1),
      textDelta('Hello', 1),
      blockStop(1),
      messageDelta(),
      stop,
    ],
    'stop_reason max_tokens': [
      start,
      blockStart(),
      textDelta('Hello'),
      blockStop(),
      messageDelta('max_tokens'),
      stop,
    ],
    'stop_reason refusal': [
      start,
      blockStart(),
      textDelta('Hello'),
      blockStop(),
      messageDelta('refusal'),
      stop,
    ],
    'no message_delta': [start, blockStart(), textDelta('Hello'), blockStop(), stop],
  };
  for (const [name, events] of Object.entries(uncacheable)) {
    it(`refuses a stream with ${name}`, () => {
      assert.equal(accumulateMessages(events), undefined);
    });
  }
});

describe('cacheableMessage', () => {
  it('accepts text-only answers that ended on their own', () => {
    assert.equal(cacheableMessage(message()), true);
    assert.equal(
      cacheableMessage({ ...message(), stop_reason: 'stop_sequence', stop_sequence: '###' }),
      true,
    );
  });
  const cases: Record<string, AnthropicMessage> = {
    'a tool_use block': {
      ...message([
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
      ]),
      stop_reason: 'tool_use',
    },
    'a thinking block': message([
      { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
      { type: 'text', text: 'Answer.' },
    ]),
    citations: message([{ type: 'text', text: 'Cited.', citations: [{ type: 'char_location' }] }]),
    'stop_reason max_tokens': { ...message(), stop_reason: 'max_tokens' },
    'stop_reason pause_turn': { ...message(), stop_reason: 'pause_turn' },
  };
  for (const [name, body] of Object.entries(cases)) {
    it(`refuses ${name}`, () => {
      assert.equal(cacheableMessage(body), false);
    });
  }
});
