// Request translation OpenAI chat ⇄ Anthropic Messages, both directions, on requests validated like the edge does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chatRequestSchema, type ChatRequest } from '../../../../dataplane/api/openai-chat.js';
import { messagesRequestSchema, type MessagesRequest } from '../../../../dataplane/api/anthropic-messages.js';
import { isGatewayError } from '../../../../dataplane/errors/gateway-error.js';
import {
  chatToMessagesRequest,
  messagesToChatRequest,
} from '../../../../dataplane/providers/anthropic/request-mapping.js';

const chat = (body: Record<string, unknown>): ChatRequest =>
  chatRequestSchema.parse({ model: 'claude', ...body }) as ChatRequest;
const messages = (body: Record<string, unknown>): MessagesRequest =>
  messagesRequestSchema.parse({ model: 'claude', max_tokens: 100, ...body });
const toAnthropic = (body: Record<string, unknown>) => chatToMessagesRequest(chat(body), 'claude-up', 4096);

function assertGatewayError(fn: () => unknown, code: string, param: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isGatewayError(error));
    assert.equal(error.code, code);
    assert.equal(error.param, param);
    return true;
  });
}

describe('chatToMessagesRequest', () => {
  it('drops the empty and whitespace-only stop sequences Anthropic refuses', () => {
    const hi = [{ role: 'user', content: 'hi' }];
    assert.deepEqual(toAnthropic({ messages: hi, stop: ['\n', '', 'END'] }).stop_sequences, ['END']);
    assert.equal(toAnthropic({ messages: hi, stop: '\n\n' }).stop_sequences, undefined);
  });

  it('moves system and developer messages to the top-level system, keeping text blocks', () => {
    const body = toAnthropic({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi' },
        {
          role: 'developer',
          content: [
            { type: 'text', text: 'Answer in French.' },
            { type: 'text', text: 'Cached.', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    });
    assert.deepEqual(body.system, [
      { type: 'text', text: 'You are terse.' },
      { type: 'text', text: 'Answer in French.' },
      { type: 'text', text: 'Cached.', cache_control: { type: 'ephemeral' } },
    ]);
    assert.deepEqual(body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    assert.equal(body.model, 'claude-up');
  });

  it('merges consecutive turns of the same role so roles alternate', () => {
    const body = toAnthropic({
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: [{ type: 'text', text: 'two' }] },
        { role: 'assistant', content: 'three' },
        { role: 'assistant', content: 'four' },
        { role: 'user', content: 'five' },
      ],
    });
    assert.deepEqual(body.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'three' },
          { type: 'text', text: 'four' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'five' }] },
    ]);
  });

  it('maps tool calls to tool_use and tool messages to one user turn of tool_result blocks', () => {
    const body = toAnthropic({
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
            { id: 'call_3', type: 'function', function: { name: 'now', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '4C' }] },
        { role: 'tool', tool_call_id: 'call_3', content: '12:00' },
        { role: 'user', content: 'Thanks' },
      ],
    });
    assert.deepEqual(body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Oslo' } },
          { type: 'tool_use', id: 'call_3', name: 'now', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '4C' }] },
          { type: 'tool_result', tool_use_id: 'call_3', content: '12:00' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('puts tool_result blocks first when a user message precedes the tool messages', () => {
    const body = toAnthropic({
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'user', content: 'note' },
        { role: 'tool', tool_call_id: 't', content: 'ok' },
      ],
    });
    assert.deepEqual((body.messages as { content: unknown[] }[])[1]!.content, [
      { type: 'tool_result', tool_use_id: 't', content: 'ok' },
      { type: 'text', text: 'note' },
    ]);
  });

  it('refuses tool call arguments that are not a JSON object, naming the param', () => {
    const bad = (args: string) => () =>
      toAnthropic({
        messages: [
          { role: 'user', content: 'x' },
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }],
          },
        ],
      });
    assertGatewayError(bad('{"city":'), 'invalid_request', 'messages[1].tool_calls[0].function.arguments');
    assertGatewayError(bad('[1,2]'), 'invalid_request', 'messages[1].tool_calls[0].function.arguments');
  });

  it('maps data URL images to base64 sources and http(s) URLs to url sources', () => {
    const body = toAnthropic({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
          ],
        },
      ],
    });
    assert.deepEqual((body.messages as { content: unknown[] }[])[0]!.content, [
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
    const image = (url: string) => () =>
      toAnthropic({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
    assertGatewayError(
      image('data:image/png,notbase64'),
      'invalid_request',
      'messages[0].content[0].image_url.url',
    );
    assertGatewayError(
      image('ftp://example.com/a.png'),
      'invalid_request',
      'messages[0].content[0].image_url.url',
    );
  });

  it('refuses content parts Anthropic cannot take', () => {
    assertGatewayError(
      () =>
        toAnthropic({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }),
      'unsupported_operation',
      'messages[0].content[0].type',
    );
  });

  it('picks max_tokens from max_completion_tokens, then max_tokens, then the default', () => {
    const user = [{ role: 'user', content: 'x' }];
    assert.equal(toAnthropic({ messages: user }).max_tokens, 4096);
    assert.equal(toAnthropic({ messages: user, max_tokens: 50 }).max_tokens, 50);
    assert.equal(toAnthropic({ messages: user, max_tokens: 50, max_completion_tokens: 70 }).max_tokens, 70);
  });

  it('maps stop, temperature (clamped to 1, winning over top_p), top_p alone, user and stream', () => {
    const user = [{ role: 'user', content: 'x' }];
    const body = toAnthropic({
      messages: user,
      stop: 'END',
      temperature: 1.6,
      top_p: 0.9,
      user: 'u-1',
      stream: true,
    });
    assert.deepEqual(body.stop_sequences, ['END']);
    assert.equal(body.temperature, 1);
    assert.equal('top_p' in body, false);
    assert.equal(toAnthropic({ messages: user, top_p: 0.9 }).top_p, 0.9);
    assert.deepEqual(body.metadata, { user_id: 'u-1' });
    assert.equal(body.stream, true);
    const other = toAnthropic({ messages: user, stop: ['a', 'b'], temperature: 0.3, stream: false });
    assert.deepEqual(other.stop_sequences, ['a', 'b']);
    assert.equal(other.temperature, 0.3);
    assert.equal('stream' in other, false);
  });

  it('drops parameters Anthropic would reject instead of failing', () => {
    const body = toAnthropic({
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
      seed: 3,
      presence_penalty: 1,
      logprobs: true,
      n: 1,
    });
    assert.deepEqual(Object.keys(body).sort(), ['max_tokens', 'messages', 'model']);
  });

  it('refuses n > 1 as unsupported', () => {
    assertGatewayError(
      () => toAnthropic({ messages: [{ role: 'user', content: 'x' }], n: 2 }),
      'unsupported_operation',
      'n',
    );
  });

  it('maps tools and every tool_choice form', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'weather',
          description: 'Get weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
      { type: 'function', function: { name: 'now' } },
    ];
    const base = { messages: [{ role: 'user', content: 'x' }], tools };
    const body = toAnthropic(base);
    assert.deepEqual(body.tools, [
      {
        name: 'weather',
        description: 'Get weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    assert.equal('tool_choice' in body, false);
    assert.deepEqual(toAnthropic({ ...base, tool_choice: 'auto' }).tool_choice, { type: 'auto' });
    assert.deepEqual(toAnthropic({ ...base, tool_choice: 'required' }).tool_choice, { type: 'any' });
    assert.deepEqual(toAnthropic({ ...base, tool_choice: 'none' }).tool_choice, { type: 'none' });
    assert.deepEqual(
      toAnthropic({ ...base, tool_choice: { type: 'function', function: { name: 'now' } } }).tool_choice,
      {
        type: 'tool',
        name: 'now',
      },
    );
    assert.deepEqual(toAnthropic({ ...base, parallel_tool_calls: false }).tool_choice, {
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    assert.deepEqual(
      toAnthropic({ ...base, tool_choice: 'required', parallel_tool_calls: false }).tool_choice,
      {
        type: 'any',
        disable_parallel_tool_use: true,
      },
    );
  });
});

describe('messagesToChatRequest', () => {
  it('maps system, plain turns, sampling, stop, user and streaming with usage', () => {
    const out = messagesToChatRequest(
      messages({
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hi' }],
        stop_sequences: ['END'],
        temperature: 0.2,
        top_p: 0.8,
        top_k: 5,
        metadata: { user_id: 'u-9' },
        stream: true,
      }),
      'gpt-up',
    );
    assert.deepEqual(out, {
      model: 'gpt-up',
      max_tokens: 100,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      stop: ['END'],
      temperature: 0.2,
      top_p: 0.8,
      user: 'u-9',
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(chatRequestSchema.safeParse(out).success, true);
  });

  it('keeps system text blocks and drops an empty system', () => {
    const blocks = messagesToChatRequest(
      messages({
        system: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B', cache_control: { type: 'ephemeral' } },
        ],
        messages: [{ role: 'user', content: 'x' }],
      }),
      'm',
    );
    assert.deepEqual(blocks.messages[0], {
      role: 'system',
      content: [
        { type: 'text', text: 'A' },
        { type: 'text', text: 'B' },
      ],
    });
    const none = messagesToChatRequest(
      messages({ system: '', messages: [{ role: 'user', content: 'x' }] }),
      'm',
    );
    assert.equal(none.messages.length, 1);
  });

  it('maps tool_use to tool_calls and tool_result to tool messages placed before the user text', () => {
    const out = messagesToChatRequest(
      messages({
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 'sig' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'toolu_2', name: 'now', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Also this.' },
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
              {
                type: 'tool_result',
                tool_use_id: 'toolu_2',
                content: [{ type: 'text', text: '12:00' }],
                is_error: false,
              },
            ],
          },
        ],
      }),
      'm',
    );
    assert.deepEqual(out.messages, [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'now', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: '12:00' },
      { role: 'user', content: 'Also this.' },
    ]);
  });

  it('gives tool-only assistant turns null content', () => {
    const out = messagesToChatRequest(
      messages({
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }] },
        ],
      }),
      'm',
    );
    assert.deepEqual(out.messages[1], {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    });
  });

  it('maps base64 and url images to image_url parts, including images inside tool results', () => {
    const out = messagesToChatRequest(
      messages({
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 't',
                content: [
                  { type: 'text', text: 'shot' },
                  { type: 'image', source: { type: 'url', url: 'https://e.com/s.png' } },
                ],
              },
              { type: 'text', text: 'What is this?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
            ],
          },
        ],
      }),
      'm',
    );
    assert.deepEqual(out.messages, [
      { role: 'tool', tool_call_id: 't', content: 'shot' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'https://e.com/s.png' } },
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
        ],
      },
    ]);
  });

  it('maps tools and tool_choice, including disable_parallel_tool_use', () => {
    const tools = [
      {
        name: 'weather',
        description: 'Get weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { name: 'now' },
    ];
    const base = { messages: [{ role: 'user', content: 'x' }], tools };
    const out = messagesToChatRequest(
      messages({ ...base, tool_choice: { type: 'any', disable_parallel_tool_use: true } }),
      'm',
    );
    assert.deepEqual(out.tools, [
      {
        type: 'function',
        function: {
          name: 'weather',
          description: 'Get weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
      { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
    ]);
    assert.equal(out.tool_choice, 'required');
    assert.equal(out.parallel_tool_calls, false);
    const choice = (tool_choice: Record<string, unknown>) =>
      messagesToChatRequest(messages({ ...base, tool_choice }), 'm').tool_choice;
    assert.equal(choice({ type: 'auto' }), 'auto');
    assert.equal(choice({ type: 'none' }), 'none');
    assert.deepEqual(choice({ type: 'tool', name: 'now' }), { type: 'function', function: { name: 'now' } });
  });

  it('refuses Anthropic server tools and unknown blocks', () => {
    assertGatewayError(
      () =>
        messagesToChatRequest(
          messages({
            messages: [{ role: 'user', content: 'x' }],
            tools: [{ type: 'web_search_20250305', name: 'web_search' }],
          }),
          'm',
        ),
      'unsupported_operation',
      'tools[0].type',
    );
    assertGatewayError(
      () =>
        messagesToChatRequest(
          messages({ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }),
          'm',
        ),
      'unsupported_operation',
      'messages[0].content[0].type',
    );
  });

  it('round-trips a tool conversation chat → messages → chat', () => {
    const original = chat({
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '18C' },
      ],
      tools: [
        { type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: 'required',
      max_tokens: 100,
    });
    const anthropic = messagesRequestSchema.parse(chatToMessagesRequest(original, 'claude', 4096));
    const back = messagesToChatRequest(anthropic, 'claude');
    assert.deepEqual(back.messages, [
      { role: 'system', content: [{ type: 'text', text: 'sys' }] },
      { role: 'user', content: 'Weather?' },
      original.messages[2],
      { role: 'tool', tool_call_id: 'c1', content: '18C' },
    ]);
    assert.deepEqual(back.tools, original.tools);
    assert.equal(back.tool_choice, 'required');
  });
});

describe('messagesToChatRequest completion bound', () => {
  it("sends max_completion_tokens where asked (OpenAI's API), else max_tokens", () => {
    const body = messages({ messages: [{ role: 'user', content: 'hi' }] });
    const openai = messagesToChatRequest(body, 'o4-mini', 'max_completion_tokens');
    assert.equal(openai.max_completion_tokens, 100);
    assert.equal('max_tokens' in openai, false);
    assert.equal(messagesToChatRequest(body, 'llama').max_tokens, 100);
  });
});

describe('messagesToChatRequest tool results', () => {
  it('a failed tool call (is_error) says so in the tool message, which has no such flag', () => {
    const body = messages({
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'weather', input: {} }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', is_error: true, content: 'city not found' }],
        },
      ],
    });
    const tool = messagesToChatRequest(body, 'gpt-4o').messages.find((m) => m.role === 'tool');
    assert.equal(tool?.content, 'Error: city not found');
  });
});

describe('tools, images and blocks one side has and the other lacks', () => {
  it('a tool with `parameters: {}` gets an object input_schema', () => {
    const body = toAnthropic({
      messages: [{ role: 'user', content: 'x' }],
      tools: [
        { type: 'function', function: { name: 'now', parameters: {} } },
        { type: 'function', function: { name: 'bare' } },
      ],
    });
    assert.deepEqual(body.tools, [
      { name: 'now', input_schema: { type: 'object', properties: {} } },
      { name: 'bare', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  it('data:image/jpg goes to Anthropic as image/jpeg', () => {
    const body = toAnthropic({
      messages: [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } }],
        },
      ],
    });
    const turns = body.messages as { content: { source: unknown }[] }[];
    assert.deepEqual(turns[0]!.content[0]!.source, {
      type: 'base64',
      media_type: 'image/jpeg',
      data: '/9j/4AAQ',
    });
  });

  it('the Messages schema takes document and search_result tool results and file image sources', () => {
    const toolResult = (content: unknown[]) => ({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content }],
    });
    const valid = [
      toolResult([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } }]),
      toolResult([
        { type: 'search_result', source: 'https://x', title: 't', content: [{ type: 'text', text: 'c' }] },
      ]),
      { role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_011' } }] },
      toolResult([{ type: 'image', source: { type: 'file', file_id: 'file_011' } }]),
    ];
    for (const message of valid)
      assert.ok(messagesRequestSchema.safeParse({ model: 'c', max_tokens: 5, messages: [message] }).success);
    // Known types stay checked.
    const bad = { role: 'user', content: [{ type: 'image', source: { type: 'base64' } }] };
    assert.ok(!messagesRequestSchema.safeParse({ model: 'c', max_tokens: 5, messages: [bad] }).success);
  });

  it('translating to OpenAI refuses what it cannot carry with a 400 naming the block', () => {
    const doc = { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } };
    assertGatewayError(
      () =>
        messagesToChatRequest(
          messages({
            messages: [
              { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [doc] }] },
            ],
          }),
          'gpt',
        ),
      'unsupported_operation',
      'messages[0].content[0].content[0].type',
    );
    assertGatewayError(
      () =>
        messagesToChatRequest(
          messages({
            messages: [
              { role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] },
            ],
          }),
          'gpt',
        ),
      'unsupported_operation',
      'messages[0].content[0].source.type',
    );
  });

  it('the chat schema takes custom tools and allowed_tools choices', () => {
    const result = chatRequestSchema.safeParse({
      model: 'gpt',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'custom', custom: { name: 'code_exec', description: 'runs code' } }],
      tool_choice: {
        type: 'allowed_tools',
        allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'f' } }] },
      },
    });
    assert.ok(result.success);
    const custom = chatRequestSchema.safeParse({
      model: 'gpt',
      messages: [{ role: 'user', content: 'x' }],
      tool_choice: { type: 'custom', custom: { name: 'code_exec' } },
    });
    assert.ok(custom.success);
  });
});
