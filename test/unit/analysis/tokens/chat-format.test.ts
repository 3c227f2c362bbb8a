// OpenAI chat prompt counting: the 32 billed gpt-4o totals, and the tools/tool_calls forms around them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenCounter } from '../../../../dataplane/analysis/tokens/index.js';
import type { AnalysisRequest } from '../../../../dataplane/analysis/types.js';
import { loadChatCases } from './fixtures.js';

const counter = createTokenCounter();

function chat(body: Record<string, unknown>, upstreamModel = 'gpt-4o'): AnalysisRequest {
  return { endpoint: 'chat', body: { model: upstreamModel, ...body }, upstreamModel, provider: 'openai' };
}

const fooFunction = { name: 'foo', description: 'Do a foo', parameters: { type: 'object', properties: {} } };
const weather = {
  name: 'get_weather',
  description: 'Current weather',
  parameters: {
    type: 'object',
    required: ['city'],
    properties: {
      city: { type: 'string', description: 'City name' },
      unit: { type: 'string', enum: ['c', 'f'] },
    },
  },
};

describe('chat prompt: billed gpt-4o vectors', () => {
  const cases = loadChatCases();

  it('has all 32 cases', () => {
    assert.equal(cases.length, 32);
  });

  cases.forEach((testCase, i) => {
    const { tokens, ...body } = testCase;
    it(`case ${i}: ${tokens} tokens, exact`, () => {
      const result = counter.count(chat(body));
      assert.equal(result.prompt, tokens);
      assert.equal(result.exact, true);
      assert.equal(result.encoding, 'o200k_base');
    });
  });
});

describe('chat prompt: tools form', () => {
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Weather in Paris?' },
  ];

  it('counts tools exactly like the equivalent functions', () => {
    const legacy = counter.count(chat({ messages, functions: [weather, fooFunction] }));
    const tools = counter.count(
      chat({ messages, tools: [weather, fooFunction].map((fn) => ({ type: 'function', function: fn })) }),
    );
    assert.deepEqual(tools, legacy);
    assert.equal(tools.exact, true);
  });

  it('maps tool_choice onto function_call', () => {
    const tools = [{ type: 'function', function: weather }];
    const forced = { type: 'function', function: { name: 'get_weather' } };
    for (const [toolChoice, functionCall] of [
      ['none', 'none'],
      ['auto', 'auto'],
      [forced, { name: 'get_weather' }],
    ] as const) {
      assert.equal(
        counter.count(chat({ messages, tools, tool_choice: toolChoice })).prompt,
        counter.count(chat({ messages, functions: [weather], function_call: functionCall })).prompt,
      );
    }
  });

  it('flags tool_choice required, whose cost is not pinned', () => {
    const result = counter.count(
      chat({ messages, tools: [{ type: 'function', function: weather }], tool_choice: 'required' }),
    );
    assert.equal(result.exact, false);
  });

  it('flags schemas with unverified constructs', () => {
    const anyOf = {
      name: 'f',
      parameters: { type: 'object', properties: { x: { anyOf: [{ type: 'string' }] } } },
    };
    assert.equal(counter.count(chat({ messages, functions: [anyOf] })).exact, false);
  });
});

describe('chat prompt: tool calls and results', () => {
  const call = {
    id: 'call_1',
    type: 'function',
    function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
  };
  const withCall = [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, tool_calls: [call] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
  ];
  const asFunctions = [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, function_call: call.function },
    { role: 'function', name: 'get_weather', content: '{"temp":21}' },
  ];

  it('counts them like the legacy function messages, flagged as estimates', () => {
    const modern = counter.count(chat({ messages: withCall }));
    const legacy = counter.count(chat({ messages: asFunctions }));
    // Same framing: the tool result takes its function's name from the call, and "tool"/"function" are 1 token.
    assert.equal(modern.prompt, legacy.prompt);
    assert.equal(modern.exact, false);
    assert.equal(legacy.exact, true);
  });

  it('counts every call of a parallel tool call', () => {
    const one = counter.count(chat({ messages: withCall.slice(0, 2) })).prompt;
    const two = counter.count(
      chat({
        messages: [
          withCall[0],
          { role: 'assistant', content: null, tool_calls: [call, { ...call, id: 'call_2' }] },
        ],
      }),
    ).prompt;
    assert.ok(two > one);
  });
});

describe('chat prompt: framing', () => {
  it('adds 3 per message, 1 per name and 3 for the reply', () => {
    const base = counter.count(chat({ messages: [{ role: 'user', content: 'hello' }] })).prompt;
    assert.equal(base, 3 + 1 + 1 + 3); // framing, "user", "hello", priming
    const named = counter.count(chat({ messages: [{ role: 'user', name: 'bob', content: 'hello' }] })).prompt;
    assert.equal(named, base + 1 + 1); // "bob" and the name token
  });

  it('uses gpt-3.5-turbo-0301 framing for that snapshot', () => {
    const messages = [{ role: 'user', name: 'bob', content: 'hello' }];
    const old = counter.count(chat({ messages }, 'gpt-3.5-turbo-0301')).prompt;
    const current = counter.count(chat({ messages }, 'gpt-3.5-turbo-0125')).prompt;
    assert.equal(old, current + 1 - 2); // 4 instead of 3 per message, -1 instead of +1 per name
  });

  it('counts text parts and flags multi-part text as an estimate', () => {
    const single = counter.count(
      chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }] }),
    );
    assert.deepEqual(single, counter.count(chat({ messages: [{ role: 'user', content: 'hello' }] })));
    const multi = counter.count(
      chat({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hello' },
              { type: 'text', text: 'world' },
            ],
          },
        ],
      }),
    );
    assert.equal(multi.exact, false);
    assert.equal(multi.prompt, single.prompt + 1);
  });

  it('flags parts it cannot price', () => {
    const audio = { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } };
    assert.equal(counter.count(chat({ messages: [{ role: 'user', content: [audio] }] })).exact, false);
  });

  it('adds a json_schema response format as an estimate', () => {
    const messages = [{ role: 'user', content: 'hello' }];
    const plain = counter.count(chat({ messages }));
    const schema = counter.count(
      chat({
        messages,
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      }),
    );
    assert.ok(schema.prompt > plain.prompt);
    assert.equal(schema.exact, false);
  });
});
