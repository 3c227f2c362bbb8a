// Whole-response translation Anthropic Message ⇄ OpenAI chat completion: content, tools, stop reasons, usage.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AnthropicMessage, AnthropicStopReason } from '../../../../dataplane/api/anthropic-messages.js';
import { isGatewayError } from '../../../../dataplane/errors/gateway-error.js';
import type { ChatCompletion, FinishReason } from '../../../../dataplane/api/openai-chat.js';
import {
  chatCompletionToMessage,
  messageToChatCompletion,
} from '../../../../dataplane/providers/anthropic/response-mapping.js';

function message(overrides: Partial<AnthropicMessage> = {}): AnthropicMessage {
  return {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'text', text: 'Hello!' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    ...overrides,
  };
}

function completion(
  overrides: Partial<ChatCompletion['choices'][number]> = {},
  usage?: ChatCompletion['usage'],
) {
  const c: ChatCompletion = {
    id: 'chatcmpl-abc',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hi there', refusal: null },
        finish_reason: 'stop',
        ...overrides,
      },
    ],
  };
  if (usage !== undefined) c.usage = usage;
  return c;
}

describe('messageToChatCompletion', () => {
  it('concatenates text, keeps the id and model, and sets created to now', () => {
    const before = Math.floor(Date.now() / 1000);
    const c = messageToChatCompletion(
      message({
        content: [
          { type: 'text', text: 'Hello' },
          { type: 'thinking', thinking: 'secret', signature: 's' },
          { type: 'text', text: ' world' },
        ],
      }),
    );
    assert.equal(c.id, 'msg_01XFDUDYJgAACzvnptvVoYEL');
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.model, 'claude-sonnet-4-5');
    assert.ok(c.created >= before && c.created <= Math.floor(Date.now() / 1000));
    assert.equal(c.choices.length, 1);
    assert.equal(c.choices[0]!.message.content, 'Hello world');
    assert.equal(c.choices[0]!.message.tool_calls, undefined);
    assert.equal(c.choices[0]!.finish_reason, 'stop');
  });

  it('maps tool_use blocks to tool_calls with JSON arguments', () => {
    const c = messageToChatCompletion(
      message({
        content: [
          { type: 'tool_use', id: 'toolu_01A', name: 'weather', input: { city: 'Paris', days: 2 } },
          { type: 'tool_use', id: 'toolu_01B', name: 'now', input: {} },
        ],
        stop_reason: 'tool_use',
      }),
    );
    assert.equal(c.choices[0]!.message.content, null);
    assert.deepEqual(c.choices[0]!.message.tool_calls, [
      {
        id: 'toolu_01A',
        type: 'function',
        function: { name: 'weather', arguments: '{"city":"Paris","days":2}' },
      },
      { id: 'toolu_01B', type: 'function', function: { name: 'now', arguments: '{}' } },
    ]);
    assert.equal(c.choices[0]!.finish_reason, 'tool_calls');
  });

  it('maps every stop reason', () => {
    const cases: [AnthropicStopReason, FinishReason | null][] = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['pause_turn', 'stop'],
      ['max_tokens', 'length'],
      ['tool_use', 'tool_calls'],
      ['refusal', 'content_filter'],
      [null, null],
    ];
    for (const [stop, finish] of cases) {
      assert.equal(
        messageToChatCompletion(message({ stop_reason: stop })).choices[0]!.finish_reason,
        finish,
        String(stop),
      );
    }
  });

  it('counts cache reads and writes in prompt tokens and reports cached tokens', () => {
    const c = messageToChatCompletion(
      message({
        usage: {
          input_tokens: 10,
          output_tokens: 7,
          cache_creation_input_tokens: 100,
          cache_read_input_tokens: 2000,
        },
      }),
    );
    assert.deepEqual(c.usage, {
      prompt_tokens: 2110,
      completion_tokens: 7,
      total_tokens: 2117,
      prompt_tokens_details: { cached_tokens: 2000 },
      cache_creation_input_tokens: 100,
    });
    // And back: the cache writes are not plain input tokens.
    assert.deepEqual(chatCompletionToMessage(c, 'm').usage, {
      input_tokens: 10,
      output_tokens: 7,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 2000,
    });
    const plain = messageToChatCompletion(message({ usage: { input_tokens: 3, output_tokens: 4 } }));
    assert.deepEqual(plain.usage, {
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });
});

describe('chatCompletionToMessage', () => {
  it('maps text, ids, model and usage', () => {
    const m = chatCompletionToMessage(
      completion(
        {},
        {
          prompt_tokens: 50,
          completion_tokens: 5,
          total_tokens: 55,
          prompt_tokens_details: { cached_tokens: 20 },
        },
      ),
      'my-model',
    );
    assert.deepEqual(m, {
      id: 'msg_chatcmpl-abc',
      type: 'message',
      role: 'assistant',
      model: 'my-model',
      content: [{ type: 'text', text: 'Hi there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 30,
        output_tokens: 5,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 20,
      },
    });
  });

  it('keeps an id that already starts with msg_ and defaults usage to zero', () => {
    const c = completion();
    c.id = 'msg_123';
    const m = chatCompletionToMessage(c, 'm');
    assert.equal(m.id, 'msg_123');
    assert.equal(m.usage.input_tokens, 0);
    assert.equal(m.usage.output_tokens, 0);
  });

  it('maps tool calls to tool_use blocks, falling back to {} for broken arguments', () => {
    const m = chatCompletionToMessage(
      completion({
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
            { id: 'call_2', type: 'function', function: { name: 'now', arguments: '{"broken' } },
          ],
        },
        finish_reason: 'tool_calls',
      }),
      'm',
    );
    assert.deepEqual(m.content, [
      { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
    ]);
    assert.equal(m.stop_reason, 'tool_use');
  });

  it('maps every finish reason', () => {
    const cases: [FinishReason | null, AnthropicStopReason][] = [
      ['stop', 'end_turn'],
      ['length', 'max_tokens'],
      ['tool_calls', 'tool_use'],
      ['content_filter', 'refusal'],
      ['function_call', 'tool_use'],
      [null, 'end_turn'],
    ];
    for (const [finish, stop] of cases) {
      assert.equal(
        chatCompletionToMessage(completion({ finish_reason: finish }), 'm').stop_reason,
        stop,
        String(finish),
      );
    }
  });

  it('surfaces a refusal as text', () => {
    const m = chatCompletionToMessage(
      completion({
        message: { role: 'assistant', content: null, refusal: 'I cannot help.' },
        finish_reason: 'content_filter',
      }),
      'm',
    );
    assert.deepEqual(m.content, [{ type: 'text', text: 'I cannot help.' }]);
    assert.equal(m.stop_reason, 'refusal');
  });

  it('round-trips a tool-use message through chat and back', () => {
    const original = message({
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_9', name: 'weather', input: { city: 'Rome' } },
      ],
      stop_reason: 'tool_use',
      usage: {
        input_tokens: 40,
        output_tokens: 9,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 10,
      },
    });
    const back = chatCompletionToMessage(messageToChatCompletion(original), original.model);
    assert.deepEqual(back, original);
  });
});

describe('chatCompletionToMessage: stops and malformed bodies', () => {
  const toolCall = {
    id: 'call_1',
    type: 'function' as const,
    function: { name: 'get_w', arguments: '{"c":"Paris"}' },
  };

  it('a forced tool call (tool_calls with finish_reason "stop") is tool_use', () => {
    const c = completion({
      message: { role: 'assistant', content: null, tool_calls: [toolCall] },
      finish_reason: 'stop',
    });
    assert.equal(chatCompletionToMessage(c, 'gpt').stop_reason, 'tool_use');
  });

  it("vLLM's matched stop string is stop_sequence; a stop token id stays end_turn", () => {
    const matched = chatCompletionToMessage(completion({ finish_reason: 'stop', stop_reason: 'END' }), 'm');
    assert.equal(matched.stop_reason, 'stop_sequence');
    assert.equal(matched.stop_sequence, 'END');
    const token = chatCompletionToMessage(completion({ finish_reason: 'stop', stop_reason: 128009 }), 'm');
    assert.equal(token.stop_reason, 'end_turn');
    assert.equal(token.stop_sequence, null);
  });

  it('an empty upstream id gets a generated message id', () => {
    const id = chatCompletionToMessage({ ...completion(), id: '' }, 'm').id;
    assert.match(id, /^msg_[0-9a-f]{32}$/);
    // A bare prefix is no id either (not msg_msg_).
    assert.match(chatCompletionToMessage({ ...completion(), id: 'msg_' }, 'm').id, /^msg_[0-9a-f]{32}$/);
  });

  it('bodies without id, choices or content are upstream_invalid_response', () => {
    for (const body of [
      { ...completion(), id: undefined },
      { id: 'x', object: 'chat.completion' },
    ]) {
      assert.throws(
        () => chatCompletionToMessage(body as unknown as ChatCompletion, 'm'),
        (error: unknown) => isGatewayError(error) && error.code === 'upstream_invalid_response',
      );
    }
    assert.throws(
      () => messageToChatCompletion({ type: 'message', id: 'msg_1' }),
      (error: unknown) => isGatewayError(error) && error.code === 'upstream_invalid_response',
    );
  });
});
