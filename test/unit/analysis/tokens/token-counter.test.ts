// createTokenCounter end to end: exactness per provider, Anthropic estimates, images, and large or
// non-Latin prompts in bounded time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAUDE_TOKEN_FACTOR, createTokenCounter } from '../../../../dataplane/analysis/tokens/index.js';
import type { AnalysisRequest, ProviderKind } from '../../../../dataplane/analysis/types.js';

const counter = createTokenCounter();
const hello = [{ role: 'user', content: 'hello' }];

function chat(
  body: Record<string, unknown>,
  upstreamModel = 'gpt-4o',
  provider: ProviderKind = 'openai',
): AnalysisRequest {
  return { endpoint: 'chat', body: { model: upstreamModel, ...body }, upstreamModel, provider };
}

function messages(
  body: Record<string, unknown>,
  upstreamModel = 'claude-sonnet-4-20250514',
): AnalysisRequest {
  return {
    endpoint: 'messages',
    body: { model: upstreamModel, max_tokens: 1024, ...body },
    upstreamModel,
    provider: 'anthropic',
  };
}

const PNG_1024 = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 4, 0, 0, 0, 4, 0,
  8, 6, 0, 0, 0,
]).toString('base64');

describe('createTokenCounter: providers', () => {
  it('is exact for OpenAI and Azure OpenAI with a known model', () => {
    for (const provider of ['openai', 'azure-openai'] as const) {
      assert.deepEqual(counter.count(chat({ messages: hello, max_tokens: 50 }, 'gpt-4o', provider)), {
        prompt: 8,
        encoding: 'o200k_base',
        exact: true,
        completion_upper_bound: 50,
        uncounted_parts: 0,
      });
    }
  });

  it('counts the parts it cannot decode (audio, files) as uncounted, the text around them as usual', () => {
    const text = { type: 'text', text: 'Summarise these.' };
    const file = {
      type: 'file',
      file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0x' },
    };
    const audio = { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } };
    const image = { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } };
    const alone = counter.count(chat({ messages: [{ role: 'user', content: [text] }] }));
    const media = counter.count(chat({ messages: [{ role: 'user', content: [text, file, audio, image] }] }));
    assert.equal(alone.uncounted_parts, 0);
    assert.equal(media.uncounted_parts, 2);
    assert.equal(media.exact, false);
    // The image (unknown size: its worst case) is in the count; the file and the audio are not.
    const withImage = counter.count(chat({ messages: [{ role: 'user', content: [text, image] }] }));
    assert.equal(media.prompt, withImage.prompt);
    assert.ok(withImage.prompt > alone.prompt);
  });

  it('counts a Messages body for an OpenAI model as the chat request it is sent as (exact)', () => {
    const system = 'You are terse.';
    const asChat = counter.count(
      chat({ messages: [{ role: 'system', content: system }, ...hello], max_tokens: 50 }),
    );
    const asMessages = counter.count({
      endpoint: 'messages',
      body: { model: 'gpt-4o', max_tokens: 50, system, messages: hello },
      upstreamModel: 'gpt-4o',
      provider: 'openai',
    });
    assert.deepEqual(asMessages, asChat);
    assert.equal(asMessages.exact, true);
  });

  it('counts a custom tool’s definition and a custom call’s input (inexact: no documented rendering)', () => {
    const description = 'Runs the given Python code and returns what it printed. '.repeat(40);
    const base = counter.count(chat({ messages: hello }));
    const withTool = counter.count(
      chat({ messages: hello, tools: [{ type: 'custom', custom: { name: 'python', description } }] }),
    );
    assert.equal(withTool.exact, false);
    assert.ok(withTool.prompt - base.prompt > 300, `${withTool.prompt - base.prompt} tokens for the tool`);
    const call = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'custom', custom: { name: 'python', input: 'print(1)\n'.repeat(50) } }],
    };
    const withCall = counter.count(chat({ messages: [...hello, call] }));
    assert.ok(withCall.prompt - base.prompt > 50, `${withCall.prompt - base.prompt} tokens for the call`);
  });

  it('uses cl100k for gpt-4 and gpt-3.5', () => {
    const text = 'Tokenization differs between encodings: ünïcödé, 数字 12345.';
    const old = counter.count(chat({ messages: [{ role: 'user', content: text }] }, 'gpt-4-0613'));
    const recent = counter.count(chat({ messages: [{ role: 'user', content: text }] }, 'gpt-4o'));
    assert.equal(old.encoding, 'cl100k_base');
    assert.equal(old.exact, true);
    assert.notEqual(old.prompt, recent.prompt);
    assert.equal(
      counter.count(chat({ messages: hello }, 'gpt-35-turbo', 'azure-openai')).encoding,
      'cl100k_base',
    );
  });

  it('estimates unknown OpenAI model names with o200k', () => {
    const result = counter.count(chat({ messages: hello }, 'gpt-7-preview'));
    assert.deepEqual([result.prompt, result.encoding, result.exact], [8, 'estimate:o200k_base', false]);
  });

  it('estimates for the simulator and self-hosted models', () => {
    for (const provider of ['simulator', 'self-hosted'] as const) {
      const result = counter.count(
        chat({ messages: hello }, provider === 'simulator' ? 'gpt-4o' : 'llama-3.1-8b', provider),
      );
      assert.deepEqual([result.prompt, result.encoding, result.exact], [8, 'estimate:o200k_base', false]);
    }
  });

  it('scales chat-shaped requests routed to Anthropic', () => {
    const result = counter.count(
      chat({ messages: [{ role: 'user', content: 'hello '.repeat(100) }] }, 'claude-3-5-haiku', 'anthropic'),
    );
    const openai = counter.count(chat({ messages: [{ role: 'user', content: 'hello '.repeat(100) }] }));
    assert.equal(result.exact, false);
    assert.ok(result.prompt > openai.prompt * 1.1);
  });
});

describe('createTokenCounter: Anthropic Messages estimate', () => {
  const base = { system: 'You are a scientist', messages: [{ role: 'user', content: 'Hello, world' }] };

  it('is flagged as an estimate and lands near count_tokens (14 for this example)', () => {
    const result = counter.count(messages(base));
    assert.equal(result.exact, false);
    assert.equal(result.encoding, `estimate:o200k_base*${CLAUDE_TOKEN_FACTOR}`);
    assert.ok(result.prompt >= 12 && result.prompt <= 18, `${result.prompt}`);
    assert.equal(result.completion_upper_bound, 1024);
  });

  it('counts text and content documents, and leaves PDFs uncounted', () => {
    const doc = (source: object) => ({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Read it.' },
            { type: 'document', source },
          ],
        },
      ],
    });
    const pdf = counter.count(
      messages(doc({ type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' })),
    );
    const text = counter.count(
      messages(doc({ type: 'text', media_type: 'text/plain', data: 'word '.repeat(50) })),
    );
    const content = counter.count(
      messages(doc({ type: 'content', content: [{ type: 'text', text: 'word '.repeat(50) }] })),
    );
    assert.equal(pdf.uncounted_parts, 1);
    assert.equal(text.uncounted_parts, 0);
    assert.equal(content.uncounted_parts, 0);
    assert.ok(
      text.prompt > pdf.prompt + 40 && content.prompt > pdf.prompt + 40,
      `${text.prompt} ${pdf.prompt}`,
    );
  });

  it('scales text by the Claude factor', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
    const claude = counter.count(messages({ messages: [{ role: 'user', content: text }] })).prompt;
    const gpt = counter.count(chat({ messages: [{ role: 'user', content: text }] })).prompt;
    assert.ok(Math.abs(claude / gpt - CLAUDE_TOKEN_FACTOR) < 0.02, `${claude} vs ${gpt}`);
  });

  it('adds the tool-use system prompt and the tool schemas', () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const plain = counter.count(messages(base)).prompt;
    const auto = counter.count(messages({ ...base, tools })).prompt;
    const forced = counter.count(messages({ ...base, tools, tool_choice: { type: 'any' } })).prompt;
    assert.ok(auto - plain > 346 && auto - plain < 400, `${auto - plain}`);
    assert.equal(auto - forced, 346 - 313);
    const haiku = counter.count(messages({ ...base, tools }, 'claude-3-haiku-20240307')).prompt;
    assert.equal(auto - haiku, 346 - 264);
  });

  it('counts system blocks, tool use, tool results and images', () => {
    const body = {
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1024 } }],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'result text' }] },
      ],
    };
    const result = counter.count(messages(body));
    // A 1024×1024 image is ~1399 Claude tokens (1024²/750); the rest is a few dozen.
    assert.ok(result.prompt > 1399 && result.prompt < 1500, `${result.prompt}`);
    const remote = counter.count(
      messages({
        messages: [
          { role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] },
        ],
      }),
    );
    assert.ok(remote.prompt >= 1600);
  });
});

describe('createTokenCounter: images in chat', () => {
  const image = (url: string, detail?: string) => ({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url, detail } },
        ],
      },
    ],
  });
  const textOnly = counter.count(chat({ messages: [{ role: 'user', content: 'What is this?' }] })).prompt;

  it('prices a data-URL image exactly', () => {
    const result = counter.count(chat(image(`data:image/png;base64,${PNG_1024}`, 'high')));
    assert.deepEqual([result.prompt - textOnly, result.exact], [765, true]);
  });

  it('assumes the worst case for remote images, flagged inexact', () => {
    const result = counter.count(chat(image('https://example.com/cat.png')));
    assert.deepEqual([result.prompt - textOnly, result.exact], [85 + 8 * 170, false]);
    const low = counter.count(chat(image('https://example.com/cat.png', 'low')));
    assert.deepEqual([low.prompt - textOnly, low.exact], [85, true]);
  });

  it('uses gpt-4o-mini constants', () => {
    const mini = counter.count(chat(image(`data:image/png;base64,${PNG_1024}`, 'low'), 'gpt-4o-mini'));
    assert.equal(mini.prompt - textOnly, 2833);
  });
});

describe('createTokenCounter: large and non-Latin prompts', () => {
  function timed<T>(fn: () => T): [T, number] {
    const start = performance.now();
    const value = fn();
    return [value, performance.now() - start];
  }

  it('counts a 1 MB prose prompt exactly and quickly', () => {
    const words = [
      'gateway',
      'token',
      'budget',
      'latency',
      'request',
      'model',
      'the',
      'of',
      'and',
      'routing',
    ];
    let text = '';
    for (let i = 0; text.length < 1_000_000; i++)
      text += `${words[(i * 7 + (i >> 3)) % words.length]}${i % 13 === 0 ? '. ' : ' '}`;
    const [result, ms] = timed(() => counter.count(chat({ messages: [{ role: 'user', content: text }] })));
    assert.equal(result.exact, true);
    assert.ok(result.prompt > 150_000, `${result.prompt}`);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('counts CJK, Arabic and emoji text exactly', () => {
    for (const text of ['我能吞下玻璃而不伤身体。', 'مرحبا بالعالم', '👋🌍 family: 👨‍👩‍👧‍👦 flags: 🇯🇵🇫🇷']) {
      const result = counter.count(chat({ messages: [{ role: 'user', content: text }] }));
      assert.equal(result.exact, true);
      assert.ok(result.prompt > 7 && result.prompt < 7 + text.length * 2, `${text}: ${result.prompt}`);
    }
  });

  it('stays fast on adversarial 1 MB runs (emoji, unbroken CJK, one letter), flagging the estimate', () => {
    for (const text of [
      '😀🎉👍🏽'.repeat(125_000),
      '我能吞下玻璃而不伤身体'.repeat(91_000),
      'a'.repeat(1_000_000),
    ]) {
      const [result, ms] = timed(() => counter.count(chat({ messages: [{ role: 'user', content: text }] })));
      assert.equal(result.exact, false);
      assert.ok(result.prompt > text.length / 10, `${result.prompt}`);
      assert.ok(ms < 5000, `${ms} ms`);
    }
  });
});
