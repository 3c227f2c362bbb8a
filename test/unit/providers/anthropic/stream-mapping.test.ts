// Stream translation both ways, on event sequences shaped like Anthropic's and OpenAI's real wire output.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AnthropicStreamEvent } from '../../../../dataplane/api/anthropic-messages.js';
import type { ChatChunk } from '../../../../dataplane/api/openai-chat.js';
import { isGatewayError } from '../../../../dataplane/errors/gateway-error.js';
import type { StreamItem } from '../../../../dataplane/providers/types.js';
import {
  anthropicEventsToChatChunks,
  chatChunksToAnthropicEvents,
} from '../../../../dataplane/providers/anthropic/stream-mapping.js';

async function* source<T>(items: T[]): AsyncGenerator<StreamItem<T>> {
  for (const data of items) yield { data, raw: JSON.stringify(data) };
}

async function collect<T>(stream: AsyncIterable<StreamItem<T>>): Promise<StreamItem<T>[]> {
  const out: StreamItem<T>[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

async function rejectsWith(promise: Promise<unknown>, code: string, type?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isGatewayError(error));
    assert.equal(error.code, code);
    if (type !== undefined) assert.equal(error.type, type);
    return true;
  });
}

const messageStart = (
  usage: Record<string, number> = { input_tokens: 472, output_tokens: 2 },
): AnthropicStreamEvent => ({
  type: 'message_start',
  message: {
    id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0, ...usage },
  },
});

// Text then a tool call, as Anthropic streams it (ping after the first block start, an empty first JSON delta).
const toolStream: AnthropicStreamEvent[] = [
  messageStart({
    input_tokens: 472,
    output_tokens: 2,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 100,
  }),
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay, let me' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' check.' } },
  { type: 'content_block_stop', index: 0 },
  {
    type: 'content_block_start',
    index: 1,
    content_block: { type: 'tool_use', id: 'toolu_01T1x', name: 'get_weather', input: {} },
  },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
  {
    type: 'content_block_delta',
    index: 1,
    delta: { type: 'input_json_delta', partial_json: '{"location":' },
  },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' "Paris"}' } },
  { type: 'content_block_stop', index: 1 },
  {
    type: 'content_block_start',
    index: 2,
    content_block: { type: 'tool_use', id: 'toolu_02', name: 'now', input: {} },
  },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
  { type: 'content_block_stop', index: 2 },
  {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 89 },
  },
  { type: 'message_stop' },
];

describe('anthropicEventsToChatChunks', () => {
  it('translates text and tool use, then ends with a finish chunk and a usage-only chunk', async () => {
    const items = await collect(anthropicEventsToChatChunks(source(toolStream)));
    for (const item of items) {
      assert.equal(item.raw, undefined);
      assert.equal(item.data.id, 'msg_014p7gG3wDgGV9EUtLvnow3U');
      assert.equal(item.data.model, 'claude-sonnet-4-5-20250929');
      assert.equal(item.data.object, 'chat.completion.chunk');
      assert.equal(item.data.created, items[0]!.data.created);
    }
    const deltas = items.map((i) => i.data.choices[0]?.delta);
    assert.deepEqual(deltas, [
      { role: 'assistant', content: '' },
      { content: 'Okay, let me' },
      { content: ' check.' },
      {
        tool_calls: [
          { index: 0, id: 'toolu_01T1x', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ' "Paris"}' } }] },
      {
        tool_calls: [
          { index: 1, id: 'toolu_02', type: 'function', function: { name: 'now', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
      {},
      undefined,
    ]);
    assert.deepEqual(
      items.map((i) => i.data.choices[0]?.finish_reason),
      [null, null, null, null, null, null, null, null, 'tool_calls', undefined],
    );
    const last = items.at(-1)!.data;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, {
      prompt_tokens: 572,
      completion_tokens: 89,
      total_tokens: 661,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });

  it('maps the stop reason and prefers cumulative counts restated in message_delta', async () => {
    const items = await collect(
      anthropicEventsToChatChunks(
        source<AnthropicStreamEvent>([
          messageStart({ input_tokens: 10, output_tokens: 1 }),
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
          { type: 'content_block_stop', index: 0 },
          {
            type: 'message_delta',
            delta: { stop_reason: 'max_tokens', stop_sequence: null },
            usage: { output_tokens: 5, input_tokens: 12, cache_read_input_tokens: null },
          },
          { type: 'message_stop' },
        ]),
      ),
    );
    assert.equal(items.at(-2)!.data.choices[0]!.finish_reason, 'length');
    assert.deepEqual(items.at(-1)!.data.usage, {
      prompt_tokens: 12,
      completion_tokens: 5,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('a tool call that streams no arguments gets "{}" when its block stops (OpenAI clients parse them)', async () => {
    const events: AnthropicStreamEvent[] = [
      messageStart(),
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_time', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 5 },
      },
      { type: 'message_stop' },
    ];
    const chunks = (await collect(anthropicEventsToChatChunks(source(events)))).map((c) => c.data);
    const args = chunks
      .flatMap((c) => c.choices.flatMap((choice) => choice.delta.tool_calls ?? []))
      .map((t) => t.function?.arguments ?? '')
      .join('');
    assert.equal(args, '{}');
    assert.deepEqual(JSON.parse(args), {});
  });

  it('skips thinking blocks', async () => {
    const items = await collect(
      anthropicEventsToChatChunks(
        source<AnthropicStreamEvent>([
          messageStart(),
          { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
          {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'thinking_delta', thinking: 'Let me think' },
          },
          { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQB' } },
          { type: 'content_block_stop', index: 0 },
          { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
          { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: '4' } },
          { type: 'content_block_stop', index: 1 },
          {
            type: 'message_delta',
            delta: { stop_reason: 'end_turn', stop_sequence: null },
            usage: { output_tokens: 30 },
          },
          { type: 'message_stop' },
        ]),
      ),
    );
    assert.deepEqual(
      items.map((i) => i.data.choices[0]?.delta),
      [{ role: 'assistant', content: '' }, { content: '4' }, {}, undefined],
    );
  });

  it('throws the upstream error of an error event', async () => {
    await rejectsWith(
      collect(
        anthropicEventsToChatChunks(
          source<AnthropicStreamEvent>([
            messageStart(),
            { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
          ]),
        ),
      ),
      'upstream_error',
      'overloaded_error',
    );
  });

  it('throws when the stream ends before message_stop', async () => {
    const cut = toolStream.slice(0, -1);
    await rejectsWith(collect(anthropicEventsToChatChunks(source(cut))), 'stream_interrupted');
  });
});

const chunk = (
  delta: ChatChunk['choices'][number]['delta'],
  finish: ChatChunk['choices'][number]['finish_reason'] = null,
): ChatChunk => ({
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion.chunk',
  created: 1_741_570_283,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  usage: null,
});
const usageChunk = (prompt: number, completion: number, cached = 0): ChatChunk => ({
  ...chunk({}),
  choices: [],
  usage: {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  },
});

describe('chatChunksToAnthropicEvents', () => {
  it('emits message_start, text and tool blocks, and ends once usage arrives', async () => {
    const items = await collect(
      chatChunksToAnthropicEvents(
        source([
          chunk({ role: 'assistant', content: '', refusal: null }),
          chunk({ content: 'Let me' }),
          chunk({ content: ' check.' }),
          chunk({
            tool_calls: [
              { index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } },
            ],
          }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
          chunk({
            tool_calls: [
              { index: 1, id: 'call_b', type: 'function', function: { name: 'now', arguments: '{}' } },
            ],
          }),
          chunk({}, 'tool_calls'),
          usageChunk(120, 33, 20),
        ]),
        'claude-alias',
      ),
    );
    for (const item of items) assert.equal(item.raw, undefined);
    assert.deepEqual(
      items.map((i) => i.data),
      [
        {
          type: 'message_start',
          message: {
            id: 'msg_chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
            type: 'message',
            role: 'assistant',
            // The upstream's model name from its chunks, as a non-streamed answer reports it.
            model: 'gpt-4o-2024-08-06',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' check.' } },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 'call_a', name: 'weather', input: {} },
        },
        {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: '{"city":' },
        },
        {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: '"Oslo"}' },
        },
        { type: 'content_block_stop', index: 1 },
        {
          type: 'content_block_start',
          index: 2,
          content_block: { type: 'tool_use', id: 'call_b', name: 'now', input: {} },
        },
        { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
        { type: 'content_block_stop', index: 2 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: {
            input_tokens: 100,
            output_tokens: 33,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 20,
          },
        },
        { type: 'message_stop' },
      ],
    );
  });

  it('still ends the message when the source ends without usage', async () => {
    const items = await collect(
      chatChunksToAnthropicEvents(
        source([chunk({ role: 'assistant', content: 'Hi' }), chunk({}, 'length')]),
        'm',
      ),
    );
    assert.deepEqual(
      items.map((i) => i.data.type),
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    assert.deepEqual(items.at(-2)!.data, {
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens', stop_sequence: null },
      usage: {
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it('ends at once when usage rides on the finish chunk', async () => {
    const last: ChatChunk = { ...chunk({}, 'stop'), usage: usageChunk(5, 2).usage! };
    const items = await collect(
      chatChunksToAnthropicEvents(source([chunk({ content: 'ok' }), last, chunk({ content: 'late' })]), 'm'),
    );
    assert.equal(items.at(-1)!.data.type, 'message_stop');
    assert.deepEqual((items.at(-2)!.data as { usage: unknown }).usage, {
      input_tokens: 5,
      output_tokens: 2,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    assert.equal(items.filter((i) => i.data.type === 'content_block_delta').length, 1);
  });

  it('refuses an empty source', async () => {
    await rejectsWith(
      collect(chatChunksToAnthropicEvents(source<ChatChunk>([]), 'm')),
      'upstream_invalid_response',
    );
  });

  it('round-trips Anthropic events through chat chunks back to the same content and usage', async () => {
    // With prompt-cache writes: they ride inside prompt_tokens one way and come back apart.
    const withWrites: AnthropicStreamEvent[] = [
      messageStart({
        input_tokens: 472,
        output_tokens: 2,
        cache_creation_input_tokens: 50,
        cache_read_input_tokens: 100,
      }),
      ...toolStream.slice(1),
    ];
    const back = await collect(
      chatChunksToAnthropicEvents(
        anthropicEventsToChatChunks(source(withWrites)),
        'claude-sonnet-4-5-20250929',
      ),
    );
    const withoutPing = toolStream.filter(
      (e) =>
        e.type !== 'ping' &&
        !(
          e.type === 'content_block_delta' &&
          e.delta.type === 'input_json_delta' &&
          e.delta.partial_json === ''
        ),
    );
    const data = back.map((i) => i.data);
    // Block structure and deltas survive; ids gain nothing since they already start with msg_.
    assert.deepEqual(data.slice(1, -2), withoutPing.slice(1, -2));
    assert.equal((data[0] as { message: { id: string } }).message.id, 'msg_014p7gG3wDgGV9EUtLvnow3U');
    assert.deepEqual(data.at(-2), {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 472,
        output_tokens: 89,
        cache_creation_input_tokens: 50,
        cache_read_input_tokens: 100,
      },
    });
  });
});

describe('stream translation: tool stops, empty ids, inputs given at start', () => {
  const chunk = (id: string, choices: ChatChunk['choices'], usage?: ChatChunk['usage']): ChatChunk => ({
    id,
    object: 'chat.completion.chunk',
    created: 1,
    model: id === '' ? '' : 'gpt-4o',
    choices,
    ...(usage === undefined ? {} : { usage }),
  });
  const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };

  it('a forced tool call finished with "stop" ends with tool_use; Azure\'s empty first id is skipped', async () => {
    const items = await collect(
      chatChunksToAnthropicEvents(
        source([
          chunk('', []),
          chunk('chatcmpl-1', [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{}' } }] },
              finish_reason: null,
            },
          ]),
          chunk('chatcmpl-1', [{ index: 0, delta: {}, finish_reason: 'stop' }]),
          chunk('chatcmpl-1', [], usage),
        ]),
        'gpt',
      ),
    );
    const start = items[0]!.data;
    assert.ok(start.type === 'message_start');
    assert.equal(start.message.id, 'msg_chatcmpl-1');
    const delta = items.find((i) => i.data.type === 'message_delta')!.data;
    assert.ok(delta.type === 'message_delta');
    assert.equal(delta.delta.stop_reason, 'tool_use');
  });

  it("vLLM's matched stop string streams as stop_sequence", async () => {
    const items = await collect(
      chatChunksToAnthropicEvents(
        source([
          chunk('c', [{ index: 0, delta: { content: 'x' }, finish_reason: null }]),
          chunk('c', [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: 'END' }]),
          chunk('c', [], usage),
        ]),
        'm',
      ),
    );
    const delta = items.find((i) => i.data.type === 'message_delta')!.data;
    assert.ok(delta.type === 'message_delta');
    assert.deepEqual(delta.delta, { stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it('a tool_use whose start already carries input reaches OpenAI clients with those arguments', async () => {
    const items = await collect(
      anthropicEventsToChatChunks(
        source<AnthropicStreamEvent>([
          messageStart(),
          {
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'tool_use', id: 'toolu_A', name: 'f', input: { city: 'Paris' } },
          },
          { type: 'content_block_stop', index: 0 },
          {
            type: 'message_delta',
            delta: { stop_reason: 'tool_use', stop_sequence: null },
            usage: { output_tokens: 3 },
          },
          { type: 'message_stop' },
        ]),
      ),
    );
    const args = items
      .flatMap((i) => i.data.choices.flatMap((c) => c.delta.tool_calls ?? []))
      .map((call) => call.function?.arguments ?? '')
      .join('');
    assert.deepEqual(JSON.parse(args), { city: 'Paris' });
  });
});
