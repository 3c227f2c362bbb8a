// End to end with the official openai SDK: SDK → gateway (real uWS socket) → scripted OpenAI and vLLM upstreams.
// Checks that answers, usage, tool calls, errors and stream cuts reach the client as the upstream sent them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
} from 'openai/resources/chat/completions';
import { settlesWithin } from '../support/deadline.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { OPENAI_SCRIPT, startOpenAIUpstream } from '../support/openai-upstream.js';
import { postJson, waitForMetric } from '../support/raw-http.js';
import type { ScriptedServer } from '../support/scripted-server.js';

const OPENAI_KEY = 'sk-e2e-openai-upstream-key';
const VLLM_KEY = 'vllm-e2e-key';
const TEST_TIMEOUT = { timeout: 15_000 };
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const MODELS = {
  'gpt-text': { provider: 'openai', upstream_model: 'script-text' },
  // Its own id so its token counters in /metrics come from one test only.
  'gpt-usage-hidden': { provider: 'openai', upstream_model: 'script-text' },
  'gpt-tools': { provider: 'openai', upstream_model: 'script-tools' },
  'gpt-400': { provider: 'openai', upstream_model: 'script-400' },
  'gpt-500': { provider: 'openai', upstream_model: 'script-500' },
  'gpt-429': { provider: 'openai', upstream_model: 'script-429' },
  'gpt-reset': { provider: 'openai', upstream_model: 'script-reset-mid-stream' },
  'gpt-slow': { provider: 'openai', upstream_model: 'script-slow-stream' },
  'text-embed': { provider: 'openai', upstream_model: 'script-embed', kind: 'embeddings' },
  'llama-text': { provider: 'vllm', upstream_model: 'script-text' },
  'llama-400': { provider: 'vllm', upstream_model: 'script-400' },
  'sim-embed': { provider: 'sim', kind: 'embeddings' },
  'sim-chat': { provider: 'sim' },
} as const;

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
} as const;

const ask = (model: string, text = 'Say hello.'): ChatCompletionCreateParamsNonStreaming => ({
  model,
  messages: [
    { role: 'system', content: 'You are a test fixture.' },
    { role: 'user', content: text },
  ],
});

/** Runs `body` and hands back what it threw; fails when it does not throw. */
async function thrown(body: () => Promise<unknown>): Promise<unknown> {
  try {
    await body();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

interface StreamedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Reassembles a chat stream the way clients do: content concatenated, tool call arguments by index. */
function assemble(chunks: readonly ChatCompletionChunk[]): {
  text: string;
  toolCalls: StreamedToolCall[];
  finish: string | null;
} {
  let text = '';
  let finish: string | null = null;
  const toolCalls: StreamedToolCall[] = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        const slot = (toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
        slot.id += call.id ?? '';
        slot.name += call.function?.name ?? '';
        slot.arguments += call.function?.arguments ?? '';
      }
      finish = choice.finish_reason ?? finish;
    }
  }
  return { text, toolCalls, finish };
}

describe('openai SDK through the gateway', () => {
  let openaiUpstream: ScriptedServer;
  let vllmUpstream: ScriptedServer;
  let gateway: TestGateway;
  let client: OpenAI;

  before(async () => {
    openaiUpstream = await startOpenAIUpstream({ flavour: 'openai', apiKey: OPENAI_KEY });
    vllmUpstream = await startOpenAIUpstream({ flavour: 'vllm', apiKey: VLLM_KEY });
    gateway = await startTestGateway({
      providers: {
        openai: { type: 'openai', base_url: `${openaiUpstream.url}/v1`, api_key: OPENAI_KEY },
        vllm: { type: 'self-hosted', base_url: `${vllmUpstream.url}/v1`, api_key: VLLM_KEY },
        sim: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 },
      },
      models: MODELS,
    });
    // The client's own key must never be what the upstream sees.
    client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'client-key-not-for-upstream',
      maxRetries: 0,
      timeout: 10_000,
    });
  });

  after(async () => {
    await gateway?.shutdown(0);
    await openaiUpstream?.close();
    await vllmUpstream?.close();
  });

  describe('chat completions against OpenAI', () => {
    it(
      'returns the upstream content and usage, calling it with the configured model name and key',
      TEST_TIMEOUT,
      async () => {
        const completion = await client.chat.completions.create(ask('gpt-text'));
        assert.equal(completion.choices[0]?.message.content, OPENAI_SCRIPT.text);
        assert.equal(completion.choices[0]?.finish_reason, 'stop');
        assert.equal(completion.usage?.prompt_tokens, OPENAI_SCRIPT.usage.prompt_tokens);
        assert.equal(completion.usage?.completion_tokens, OPENAI_SCRIPT.usage.completion_tokens);
        assert.equal(completion.usage?.total_tokens, OPENAI_SCRIPT.usage.total_tokens);

        const received = openaiUpstream.lastRequestFor('script-text');
        assert.equal(received.path, '/v1/chat/completions');
        assert.equal(received.headers.authorization, `Bearer ${OPENAI_KEY}`);
        assert.deepEqual(received.body.messages, ask('gpt-text').messages);
      },
    );

    it('streams the upstream text, with usage when the client asks for it', TEST_TIMEOUT, async () => {
      const stream = await client.chat.completions.create({
        ...ask('gpt-text'),
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const { text, finish } = assemble(chunks);
      assert.equal(text, OPENAI_SCRIPT.text);
      assert.equal(finish, 'stop');
      const usageChunks = chunks.filter((c) => c.usage !== null && c.usage !== undefined);
      assert.equal(usageChunks.length, 1);
      assert.deepEqual(usageChunks[0]!.choices, []);
      assert.equal(usageChunks[0]!.usage?.prompt_tokens, OPENAI_SCRIPT.usage.prompt_tokens);
      assert.equal(usageChunks[0]!.usage?.completion_tokens, OPENAI_SCRIPT.usage.completion_tokens);
    });

    it('hides the usage chunk it asked for itself, yet counts the tokens', TEST_TIMEOUT, async () => {
      const stream = await client.chat.completions.create({ ...ask('gpt-usage-hidden'), stream: true });
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      assert.equal(assemble(chunks).text, OPENAI_SCRIPT.text);
      assert.deepEqual(
        chunks.filter((c) => (c.usage !== null && c.usage !== undefined) || c.choices.length === 0),
        [],
        'the client did not ask for usage, so it must not get a usage chunk',
      );

      const received = openaiUpstream.requests.at(-1)!;
      assert.equal(received.body.model, 'script-text');
      assert.deepEqual(received.body.stream_options, { include_usage: true });

      const labels = { model: 'gpt-usage-hidden' };
      const prompt = await waitForMetric(
        gateway.url,
        'gateway_tokens_total',
        { ...labels, kind: 'prompt' },
        OPENAI_SCRIPT.usage.prompt_tokens,
      );
      assert.equal(prompt, OPENAI_SCRIPT.usage.prompt_tokens);
      const completion = await waitForMetric(
        gateway.url,
        'gateway_tokens_total',
        { ...labels, kind: 'completion' },
        OPENAI_SCRIPT.usage.completion_tokens,
      );
      assert.equal(completion, OPENAI_SCRIPT.usage.completion_tokens);
    });
  });

  describe('tool calls', () => {
    it('arrive intact in a whole response', TEST_TIMEOUT, async () => {
      const completion = await client.chat.completions.create({
        ...ask('gpt-tools', 'What is the weather in Paris?'),
        tools: [WEATHER_TOOL],
      });
      const choice = completion.choices[0]!;
      assert.equal(choice.finish_reason, 'tool_calls');
      const call = choice.message.tool_calls?.[0];
      assert.ok(call !== undefined && call.type === 'function');
      assert.match(call.id, /^call_/);
      assert.equal(call.function.name, OPENAI_SCRIPT.toolCall.name);
      assert.equal(call.function.arguments, OPENAI_SCRIPT.toolCall.arguments);
      assert.deepEqual(openaiUpstream.lastRequestFor('script-tools').body.tools, [WEATHER_TOOL]);
    });

    it('arrive intact when streamed with the arguments in pieces', TEST_TIMEOUT, async () => {
      const stream = await client.chat.completions.create({
        ...ask('gpt-tools', 'What is the weather in Paris?'),
        tools: [WEATHER_TOOL],
        stream: true,
      });
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const { toolCalls, finish } = assemble(chunks);
      assert.equal(finish, 'tool_calls');
      assert.equal(toolCalls.length, 1);
      assert.match(toolCalls[0]!.id, /^call_/);
      assert.equal(toolCalls[0]!.name, OPENAI_SCRIPT.toolCall.name);
      assert.equal(toolCalls[0]!.arguments, OPENAI_SCRIPT.toolCall.arguments);
      assert.deepEqual(JSON.parse(toolCalls[0]!.arguments), OPENAI_SCRIPT.toolArguments);
      const argumentChunks = chunks.filter((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments);
      assert.ok(
        argumentChunks.length >= OPENAI_SCRIPT.toolCall.argumentPieces.length,
        'arguments streamed in pieces',
      );
    });
  });

  describe('upstream errors', () => {
    it('a 400 becomes a BadRequestError with the upstream message', TEST_TIMEOUT, async () => {
      const error = await thrown(() => client.chat.completions.create(ask('gpt-400')));
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.status, 400);
      assert.equal((error.error as { message?: string }).message, OPENAI_SCRIPT.badRequest.message);
      assert.equal(error.code, OPENAI_SCRIPT.badRequest.code);
      // The field the upstream pointed at reaches the client too.
      assert.equal(error.param, OPENAI_SCRIPT.badRequest.param);
    });

    it('a 500 becomes an InternalServerError', TEST_TIMEOUT, async () => {
      const error = await thrown(() => client.chat.completions.create(ask('gpt-500')));
      assert.ok(error instanceof OpenAI.InternalServerError, String(error));
      assert.equal(error.status, 500);
      assert.equal((error.error as { message?: string }).message, OPENAI_SCRIPT.serverError.message);
    });

    it('a 429 becomes a RateLimitError and keeps retry-after', TEST_TIMEOUT, async () => {
      const error = await thrown(() => client.chat.completions.create(ask('gpt-429')));
      assert.ok(error instanceof OpenAI.RateLimitError, String(error));
      assert.equal(error.status, 429);
      assert.equal((error.error as { message?: string }).message, OPENAI_SCRIPT.rateLimit.message);
      assert.equal(error.headers?.get('retry-after'), OPENAI_SCRIPT.retryAfterSeconds);

      const raw = await postJson(`${gateway.url}/v1/chat/completions`, ask('gpt-429'));
      assert.equal(raw.status, 429);
      assert.equal(raw.headers.get('retry-after'), OPENAI_SCRIPT.retryAfterSeconds);
    });

    it('a reset mid-stream makes the SDK stream throw, never end cleanly', TEST_TIMEOUT, async () => {
      const stream = await client.chat.completions.create({ ...ask('gpt-reset'), stream: true });
      const chunks: ChatCompletionChunk[] = [];
      const error = await thrown(async () => {
        for await (const chunk of stream) chunks.push(chunk);
      });
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.code, 'stream_interrupted');
      // What came before the cut was delivered, and nothing was invented after it.
      const expected = OPENAI_SCRIPT.textPieces.slice(0, OPENAI_SCRIPT.piecesBeforeReset).join('');
      assert.equal(assemble(chunks).text, expected);
      assert.equal(assemble(chunks).finish, null);
      assert.ok(
        await settlesWithin(openaiUpstream.lastRequestFor('script-reset-mid-stream').socketClosed, 3_000),
      );
    });

    it('a reset mid-stream ends the raw stream with an error frame and no [DONE]', TEST_TIMEOUT, async () => {
      const raw = await postJson(`${gateway.url}/v1/chat/completions`, { ...ask('gpt-reset'), stream: true });
      assert.equal(raw.status, 200);
      assert.ok(raw.frames.length > 1);
      assert.ok(
        raw.frames.every((f) => f.data !== '[DONE]'),
        'no [DONE] after a cut',
      );
      const last = JSON.parse(raw.frames.at(-1)!.data) as { error?: { code?: string; message?: string } };
      assert.equal(last.error?.code, 'stream_interrupted');
      assert.equal(typeof last.error?.message, 'string');
    });
  });

  it(
    'a client that stops reading a stream makes the gateway close the upstream request',
    TEST_TIMEOUT,
    async () => {
      const stream = await client.chat.completions.create({ ...ask('gpt-slow'), stream: true });
      let seen = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) seen += 1;
        // Breaking out of the loop aborts the SDK's HTTP request.
        if (seen === 2) break;
      }
      const upstreamRequest = openaiUpstream.lastRequestFor('script-slow-stream');
      assert.ok(
        await settlesWithin(upstreamRequest.responseClosed, 3_000),
        'the upstream request was still open 3 s after the client left',
      );
    },
  );

  describe('vLLM (self-hosted) upstream', () => {
    it('answers whole, with the upstream model name and key', TEST_TIMEOUT, async () => {
      const completion = await client.chat.completions.create(ask('llama-text'));
      assert.equal(completion.choices[0]?.message.content, OPENAI_SCRIPT.text);
      assert.equal(completion.usage?.prompt_tokens, OPENAI_SCRIPT.usage.prompt_tokens);
      assert.equal(completion.usage?.completion_tokens, OPENAI_SCRIPT.usage.completion_tokens);
      const received = vllmUpstream.lastRequestFor('script-text');
      assert.equal(received.headers.authorization, `Bearer ${VLLM_KEY}`);
    });

    it('streams, with and without usage asked', TEST_TIMEOUT, async () => {
      for (const includeUsage of [true, false]) {
        const stream = await client.chat.completions.create({
          ...ask('llama-text'),
          stream: true,
          ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
        });
        const chunks: ChatCompletionChunk[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        assert.equal(assemble(chunks).text, OPENAI_SCRIPT.text);
        const usage = chunks.filter((c) => c.usage !== null && c.usage !== undefined);
        if (includeUsage) {
          assert.equal(usage.length, 1);
          assert.equal(usage[0]!.usage?.total_tokens, OPENAI_SCRIPT.usage.total_tokens);
        } else {
          assert.equal(usage.length, 0);
        }
        assert.deepEqual(vllmUpstream.lastRequestFor('script-text').body.stream_options, {
          include_usage: true,
        });
      }
    });

    it("mirrors vLLM's error body: status and message, in OpenAI's vocabulary", TEST_TIMEOUT, async () => {
      const error = await thrown(() => client.chat.completions.create(ask('llama-400')));
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.status, 400);
      assert.equal((error.error as { message?: string }).message, OPENAI_SCRIPT.vllmBadRequest.message);
      // vLLM says BadRequestError / 400; LangChain and LiteLLM detect a context overflow by OpenAI's code.
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.code, 'context_length_exceeded');
    });
  });

  it('creates embeddings through the openai provider', TEST_TIMEOUT, async () => {
    const inputs = ['first sentence', 'second sentence'];
    const result = await client.embeddings.create({ model: 'text-embed', input: inputs });
    assert.equal(result.data.length, inputs.length);
    for (const [index, item] of result.data.entries()) {
      assert.equal(item.index, index);
      assert.deepEqual(item.embedding, OPENAI_SCRIPT.embeddingFor(index));
    }
    const tokens = inputs.length * OPENAI_SCRIPT.embeddingTokensPerInput;
    assert.equal(result.usage.prompt_tokens, tokens);
    const received = openaiUpstream.lastRequestFor('script-embed');
    assert.equal(received.path, '/v1/embeddings');
    assert.equal(received.headers.authorization, `Bearer ${OPENAI_KEY}`);
    assert.deepEqual(received.body.input, inputs);
  });

  it(
    "the simulator answers the SDK's default base64 embeddings with the same vector as floats",
    TEST_TIMEOUT,
    async () => {
      // The SDK asks for base64 unless told otherwise, and decodes it itself.
      const viaBase64 = await client.embeddings.create({ model: 'sim-embed', input: 'hello' });
      const asFloats = await client.embeddings.create({
        model: 'sim-embed',
        input: 'hello',
        encoding_format: 'float',
      });
      const decoded = viaBase64.data[0]!.embedding;
      const floats = asFloats.data[0]!.embedding;
      assert.equal(decoded.length, 256);
      assert.equal(floats.length, 256);
      for (let i = 0; i < floats.length; i++)
        assert.ok(Math.abs(decoded[i]! - floats[i]!) < 1e-6, `dim ${i}`);
      const norm = Math.sqrt(floats.reduce((s, v) => s + v * v, 0));
      assert.ok(Math.abs(norm - 1) < 1e-6);
    },
  );

  it('the simulator refuses n > 1 instead of answering one choice', TEST_TIMEOUT, async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: 'sim-chat',
        n: 2,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /n must be 1/.test(error.message),
    );
  });

  it('lists the configured models', TEST_TIMEOUT, async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids.sort(), Object.keys(MODELS).sort());
  });

  it('retrieves one model by id; an unknown one is a NotFoundError', TEST_TIMEOUT, async () => {
    const id = Object.keys(MODELS)[0]!;
    const model = await client.models.retrieve(id);
    assert.equal(model.id, id);
    assert.equal(model.object, 'model');
    // A query (Azure-style clients add one) is not part of the id.
    const withQuery = await client.models.retrieve(id, { query: { 'api-version': '2024-10-21' } });
    assert.equal(withQuery.id, id);
    await assert.rejects(client.models.retrieve('no-such-model'), (error: unknown) => {
      return error instanceof OpenAI.NotFoundError && /no-such-model/.test(error.message);
    });
  });

  describe('x-request-id', () => {
    it('echoes the id the client sent', TEST_TIMEOUT, async () => {
      const { response } = await client.chat.completions
        .create(ask('gpt-text'), { headers: { 'x-request-id': 'e2e-trace-0042' } })
        .withResponse();
      assert.equal(response.headers.get('x-request-id'), 'e2e-trace-0042');
    });

    it('replaces an unusable client id (spaces, too long) with a UUIDv7', TEST_TIMEOUT, async () => {
      for (const unusable of ['has spaces in it', 'x'.repeat(129)]) {
        const { response } = await client.chat.completions
          .create(ask('gpt-text'), { headers: { 'x-request-id': unusable } })
          .withResponse();
        assert.match(response.headers.get('x-request-id') ?? '', UUID_V7);
      }
    });

    it(
      'generates a UUIDv7 otherwise, also on errors, and sends its own id upstream',
      TEST_TIMEOUT,
      async () => {
        const { response } = await client.chat.completions.create(ask('gpt-text')).withResponse();
        const id = response.headers.get('x-request-id') ?? '';
        assert.match(id, UUID_V7);
        assert.equal(openaiUpstream.lastRequestFor('script-text').headers['x-request-id'], id);

        const error = await thrown(() => client.chat.completions.create(ask('gpt-400')));
        assert.ok(error instanceof OpenAI.APIError);
        assert.match(error.headers?.get('x-request-id') ?? '', UUID_V7);
      },
    );
  });
});
