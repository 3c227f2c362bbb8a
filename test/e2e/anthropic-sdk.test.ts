// End to end across dialects: the Anthropic SDK and the openai SDK, each against a scripted Anthropic upstream,
// a scripted OpenAI upstream and the simulator, so both translation directions run on real sockets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { RequestRecord } from '../../analytics/record.js';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionFunctionTool,
} from 'openai/resources/chat/completions';
import { ANTHROPIC_SCRIPT, startAnthropicUpstream } from '../support/anthropic-upstream.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { OPENAI_SCRIPT, startOpenAIUpstream } from '../support/openai-upstream.js';
import { postJson } from '../support/raw-http.js';
import { waitFor } from '../support/wait.js';
import type { ScriptedServer } from '../support/scripted-server.js';

const ANTHROPIC_KEY = 'sk-ant-e2e-upstream-key';
const OPENAI_KEY = 'sk-e2e-openai-upstream-key';
const TEST_TIMEOUT = { timeout: 15_000 };
const ANTHROPIC_VERSION = '2023-06-01';
const DEFAULT_MAX_TOKENS = 4096;

const MODELS = {
  'claude-text': { provider: 'anthropic', upstream_model: 'script-text' },
  'claude-tools': { provider: 'anthropic', upstream_model: 'script-tools' },
  'claude-529': { provider: 'anthropic', upstream_model: 'script-529' },
  'claude-400': { provider: 'anthropic', upstream_model: 'script-400' },
  'claude-cut': { provider: 'anthropic', upstream_model: 'script-overloaded-mid-stream' },
  'claude-overloaded-at-start': { provider: 'anthropic', upstream_model: 'script-overloaded-at-start' },
  'claude-reset': { provider: 'anthropic', upstream_model: 'script-reset-mid-stream' },
  'claude-cached': {
    provider: 'anthropic',
    upstream_model: 'script-prompt-cache',
    // Claude Sonnet 4's list prices, USD per 1M tokens.
    pricing: {
      input_per_mtok: 3,
      output_per_mtok: 15,
      cached_input_per_mtok: 0.3,
      cache_write_per_mtok: 3.75,
    },
  },
  'gpt-text': { provider: 'openai', upstream_model: 'script-text' },
  'gpt-tools': { provider: 'openai', upstream_model: 'script-tools' },
  'gpt-400': { provider: 'openai', upstream_model: 'script-400' },
  'gpt-reset': { provider: 'openai', upstream_model: 'script-reset-mid-stream' },
  'llama-reasoning': { provider: 'vllm', upstream_model: 'script-reasoning' },
  'sim-fast': { provider: 'simulator', simulation: { ttft_ms: 0, tokens_per_second: 0 } },
} as const;

const SYSTEM = 'You are a test fixture. Answer briefly.';
// A 1×1 transparent PNG.
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

// Typed rather than `as const`: the SDKs' parameter types take mutable arrays.
const WEATHER_SCHEMA: Anthropic.Tool.InputSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['city'],
};
const ANTHROPIC_WEATHER_TOOL: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather in a city.',
  input_schema: WEATHER_SCHEMA,
};
const OPENAI_WEATHER_TOOL: ChatCompletionFunctionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather in a city.', parameters: WEATHER_SCHEMA },
};

const message = (model: string, text = 'Say hello.'): Anthropic.MessageCreateParamsNonStreaming => ({
  model,
  max_tokens: 256,
  system: SYSTEM,
  messages: [{ role: 'user', content: text }],
});

const chat = (model: string, text = 'Say hello.'): ChatCompletionCreateParamsNonStreaming => ({
  model,
  messages: [
    { role: 'system', content: SYSTEM },
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

function textOf(content: readonly Anthropic.ContentBlock[]): string {
  return content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

function toolUseOf(content: readonly Anthropic.ContentBlock[]): Anthropic.ToolUseBlock {
  const block = content.find((b) => b.type === 'tool_use');
  assert.ok(block !== undefined && block.type === 'tool_use', 'a tool_use block');
  return block;
}

/** An Anthropic `system` as plain text, whether sent as a string or as text blocks. */
function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  assert.ok(Array.isArray(system), `system is a string or blocks: ${JSON.stringify(system)}`);
  return (system as { type: string; text: string }[]).map((block) => block.text).join('');
}

function assembleChat(chunks: readonly ChatCompletionChunk[]) {
  let text = '';
  let finish: string | null = null;
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        const slot = (calls[call.index] ??= { id: '', name: '', arguments: '' });
        slot.id += call.id ?? '';
        slot.name += call.function?.name ?? '';
        slot.arguments += call.function?.arguments ?? '';
      }
      finish = choice.finish_reason ?? finish;
    }
  }
  const usage = chunks.filter((c) => c.usage !== null && c.usage !== undefined).map((c) => c.usage!);
  return { text, finish, calls, usage };
}

/** The gateway's record of the request the client tagged with this x-request-id (written after the response). */
function recordOf(gateway: TestGateway, clientRequestId: string): Promise<RequestRecord> {
  return waitFor(
    () => gateway.records.find((r) => r.client_request_id === clientRequestId),
    `the record of ${clientRequestId}`,
    3_000,
  );
}

interface UpstreamTurn {
  role: string;
  content: unknown;
  tool_call_id?: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
}

describe('Anthropic and OpenAI SDKs across dialects', () => {
  let anthropicUpstream: ScriptedServer;
  let openaiUpstream: ScriptedServer;
  let vllmUpstream: ScriptedServer;
  let gateway: TestGateway;
  let anthropic: Anthropic;
  let openai: OpenAI;

  before(async () => {
    anthropicUpstream = await startAnthropicUpstream({ apiKey: ANTHROPIC_KEY });
    openaiUpstream = await startOpenAIUpstream({ flavour: 'openai', apiKey: OPENAI_KEY });
    vllmUpstream = await startOpenAIUpstream({ flavour: 'vllm' });
    gateway = await startTestGateway({
      providers: {
        anthropic: {
          type: 'anthropic',
          base_url: anthropicUpstream.url,
          api_key: ANTHROPIC_KEY,
          client_betas: ['context-1m-2025-08-07'],
        },
        openai: { type: 'openai', base_url: `${openaiUpstream.url}/v1`, api_key: OPENAI_KEY },
        vllm: { type: 'self-hosted', base_url: `${vllmUpstream.url}/v1` },
        simulator: { type: 'simulator' },
      },
      models: MODELS,
    });
    // The clients' own keys must never be what the upstreams see.
    anthropic = new Anthropic({
      baseURL: gateway.url,
      apiKey: 'client-key-not-for-upstream',
      maxRetries: 0,
      timeout: 10_000,
    });
    openai = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'client-key-not-for-upstream',
      maxRetries: 0,
      timeout: 10_000,
    });
  });

  after(async () => {
    await gateway?.shutdown(0);
    await anthropicUpstream?.close();
    await openaiUpstream?.close();
    await vllmUpstream?.close();
  });

  describe('Anthropic SDK → Anthropic upstream (native)', () => {
    it(
      'answers whole with the upstream text and usage, using the configured key and version',
      TEST_TIMEOUT,
      async () => {
        const reply = await anthropic.messages.create(message('claude-text'), {
          headers: { 'anthropic-beta': 'context-1m-2025-08-07' },
        });
        assert.equal(textOf(reply.content), ANTHROPIC_SCRIPT.text);
        assert.equal(reply.stop_reason, 'end_turn');
        assert.equal(reply.usage.input_tokens, ANTHROPIC_SCRIPT.usage.input_tokens);
        assert.equal(reply.usage.output_tokens, ANTHROPIC_SCRIPT.usage.output_tokens);

        const received = anthropicUpstream.lastRequestFor('script-text');
        assert.equal(received.path, '/v1/messages');
        assert.equal(received.headers['x-api-key'], ANTHROPIC_KEY);
        assert.equal(received.headers['anthropic-version'], ANTHROPIC_VERSION);
        // The client's beta features are asked for upstream as well (this provider allows that one).
        assert.equal(received.headers['anthropic-beta'], 'context-1m-2025-08-07');
        assert.equal(received.body.system, SYSTEM);
      },
    );

    it(
      'streams: finalMessage() text and usage equal the upstream, and the tokens are recorded',
      TEST_TIMEOUT,
      async () => {
        const final = await anthropic.messages
          .stream(message('claude-text'), { headers: { 'x-request-id': 'native-stream' } })
          .finalMessage();
        assert.equal(textOf(final.content), ANTHROPIC_SCRIPT.text);
        assert.equal(final.stop_reason, 'end_turn');
        assert.equal(final.usage.input_tokens, ANTHROPIC_SCRIPT.usage.input_tokens);
        assert.equal(final.usage.output_tokens, ANTHROPIC_SCRIPT.usage.output_tokens);

        const received = anthropicUpstream.lastRequestFor('script-text');
        assert.equal(received.body.stream, true);
        assert.equal(received.headers['x-api-key'], ANTHROPIC_KEY);
        assert.equal(received.headers['anthropic-version'], ANTHROPIC_VERSION);
        const record = await recordOf(gateway, 'native-stream');
        assert.equal(record.prompt_tokens, ANTHROPIC_SCRIPT.usage.input_tokens);
        assert.equal(record.completion_tokens, ANTHROPIC_SCRIPT.usage.output_tokens);
      },
    );

    it('streams tool use with the input assembled from JSON deltas', TEST_TIMEOUT, async () => {
      const final = await anthropic.messages
        .stream({ ...message('claude-tools', 'Weather in Paris?'), tools: [ANTHROPIC_WEATHER_TOOL] })
        .finalMessage();
      assert.equal(final.stop_reason, 'tool_use');
      assert.equal(textOf(final.content), ANTHROPIC_SCRIPT.toolPreamble);
      const toolUse = toolUseOf(final.content);
      assert.equal(toolUse.name, ANTHROPIC_SCRIPT.tool.name);
      assert.deepEqual(toolUse.input, ANTHROPIC_SCRIPT.tool.input);
    });
  });

  describe('Anthropic SDK → OpenAI upstream (translated)', () => {
    it('answers whole: text, stop_reason and usage', TEST_TIMEOUT, async () => {
      const reply = await anthropic.messages.create(message('gpt-text'));
      assert.equal(textOf(reply.content), OPENAI_SCRIPT.text);
      assert.equal(reply.stop_reason, 'end_turn');
      assert.equal(reply.usage.input_tokens, OPENAI_SCRIPT.usage.prompt_tokens);
      assert.equal(reply.usage.output_tokens, OPENAI_SCRIPT.usage.completion_tokens);

      const received = openaiUpstream.lastRequestFor('script-text');
      assert.equal(received.path, '/v1/chat/completions');
      assert.equal(received.headers.authorization, `Bearer ${OPENAI_KEY}`);
      const turns = received.body.messages as UpstreamTurn[];
      assert.equal(turns[0]?.role, 'system');
      assert.equal(turns.at(-1)?.role, 'user');
    });

    it(
      'streams: finalMessage() text, stop_reason and usage; the tokens are recorded',
      TEST_TIMEOUT,
      async () => {
        const final = await anthropic.messages
          .stream(message('gpt-text'), { headers: { 'x-request-id': 'translated-stream' } })
          .finalMessage();
        assert.equal(textOf(final.content), OPENAI_SCRIPT.text);
        assert.equal(final.stop_reason, 'end_turn');
        assert.equal(final.usage.input_tokens, OPENAI_SCRIPT.usage.prompt_tokens);
        assert.equal(final.usage.output_tokens, OPENAI_SCRIPT.usage.completion_tokens);
        assert.deepEqual(openaiUpstream.lastRequestFor('script-text').body.stream_options, {
          include_usage: true,
        });
      },
    );

    it(
      'round-trips tool use: tool_use with parsed input, then tool_result back as a tool message',
      TEST_TIMEOUT,
      async () => {
        const params = { ...message('gpt-tools', 'Weather in Paris?'), tools: [ANTHROPIC_WEATHER_TOOL] };
        const first = await anthropic.messages.create(params);
        assert.equal(first.stop_reason, 'tool_use');
        const toolUse = toolUseOf(first.content);
        assert.equal(toolUse.name, OPENAI_SCRIPT.toolCall.name);
        assert.deepEqual(toolUse.input, OPENAI_SCRIPT.toolArguments);
        assert.equal(first.usage.input_tokens, OPENAI_SCRIPT.toolUsage.prompt_tokens);
        const sentTools = openaiUpstream.lastRequestFor('script-tools').body.tools as {
          function: { name: string };
        }[];
        assert.equal(sentTools[0]?.function.name, 'get_weather');

        const second = await anthropic.messages.create({
          ...params,
          messages: [
            ...params.messages,
            { role: 'assistant', content: first.content },
            {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '{"temperature": 18}' }],
            },
          ],
        });
        assert.equal(textOf(second.content), OPENAI_SCRIPT.afterToolText);
        assert.equal(second.stop_reason, 'end_turn');

        const turns = openaiUpstream.lastRequestFor('script-tools').body.messages as UpstreamTurn[];
        const call = turns.find((t) => t.role === 'assistant')?.tool_calls?.[0];
        assert.equal(call?.id, toolUse.id);
        assert.deepEqual(JSON.parse(call?.function.arguments ?? 'null'), OPENAI_SCRIPT.toolArguments);
        const result = turns.at(-1);
        assert.equal(result?.role, 'tool');
        assert.equal(result?.tool_call_id, toolUse.id);
        assert.equal(result?.content, '{"temperature": 18}');
      },
    );

    it(
      'streams tool use: the tool_use input is parsed from the streamed arguments',
      TEST_TIMEOUT,
      async () => {
        const final = await anthropic.messages
          .stream({ ...message('gpt-tools', 'Weather in Paris?'), tools: [ANTHROPIC_WEATHER_TOOL] })
          .finalMessage();
        assert.equal(final.stop_reason, 'tool_use');
        const toolUse = toolUseOf(final.content);
        assert.equal(toolUse.name, OPENAI_SCRIPT.toolCall.name);
        assert.deepEqual(toolUse.input, OPENAI_SCRIPT.toolArguments);
        assert.equal(final.usage.output_tokens, OPENAI_SCRIPT.toolUsage.completion_tokens);
      },
    );
  });

  describe('Anthropic SDK → vLLM reasoning model (translated)', () => {
    // No signature exists for a chat upstream's reasoning: the block carries an empty one, which the SDK takes.
    const thinking = { type: 'thinking', thinking: OPENAI_SCRIPT.reasoning, signature: '' };

    it('answers whole: a thinking block, then the text', TEST_TIMEOUT, async () => {
      const reply = await anthropic.messages.create(message('llama-reasoning'));
      assert.deepEqual(reply.content[0], thinking);
      assert.equal(reply.content[1]?.type, 'text');
      assert.equal(textOf(reply.content), OPENAI_SCRIPT.text);
    });

    it('streams: the thinking block first, assembled by the SDK, then the text', TEST_TIMEOUT, async () => {
      const stream = anthropic.messages.stream(message('llama-reasoning'));
      const deltas: string[] = [];
      stream.on('thinking', (delta) => deltas.push(delta));
      const final = await stream.finalMessage();
      assert.deepEqual(deltas, OPENAI_SCRIPT.reasoningPieces);
      assert.deepEqual(final.content[0], thinking);
      assert.equal(textOf(final.content), OPENAI_SCRIPT.text);
      assert.equal(final.usage.output_tokens, OPENAI_SCRIPT.usage.completion_tokens);
    });
  });

  describe('openai SDK → Anthropic upstream (translated)', () => {
    it(
      'sends the system prompt as Anthropic `system`; text, usage and finish_reason come back',
      TEST_TIMEOUT,
      async () => {
        const completion = await openai.chat.completions.create(chat('claude-text'));
        const choice = completion.choices[0]!;
        assert.equal(choice.message.content, ANTHROPIC_SCRIPT.text);
        assert.equal(choice.finish_reason, 'stop');
        const { input_tokens: input, output_tokens: output } = ANTHROPIC_SCRIPT.usage;
        assert.equal(completion.usage?.prompt_tokens, input);
        assert.equal(completion.usage?.completion_tokens, output);
        assert.equal(completion.usage?.total_tokens, input + output);

        const received = anthropicUpstream.lastRequestFor('script-text');
        assert.equal(received.headers['x-api-key'], ANTHROPIC_KEY);
        assert.equal(received.headers['anthropic-version'], ANTHROPIC_VERSION);
        assert.equal(systemText(received.body.system), SYSTEM);
        const turns = received.body.messages as UpstreamTurn[];
        assert.deepEqual(
          turns.map((t) => t.role),
          ['user'],
        );
        assert.equal(received.body.max_tokens, DEFAULT_MAX_TOKENS);
      },
    );

    it(
      'streams the upstream text, with a usage chunk only when include_usage is asked',
      TEST_TIMEOUT,
      async () => {
        for (const includeUsage of [true, false]) {
          const stream = await openai.chat.completions.create({
            ...chat('claude-text'),
            stream: true,
            ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
          });
          const chunks: ChatCompletionChunk[] = [];
          for await (const chunk of stream) chunks.push(chunk);
          const { text, finish, usage } = assembleChat(chunks);
          assert.equal(text, ANTHROPIC_SCRIPT.text);
          assert.equal(finish, 'stop');
          if (includeUsage) {
            assert.equal(usage.length, 1);
            assert.equal(usage[0]!.prompt_tokens, ANTHROPIC_SCRIPT.usage.input_tokens);
            assert.equal(usage[0]!.completion_tokens, ANTHROPIC_SCRIPT.usage.output_tokens);
          } else {
            assert.equal(usage.length, 0);
          }
          const received = anthropicUpstream.lastRequestFor('script-text');
          assert.equal(received.body.stream, true);
        }
      },
    );

    it('turns Anthropic tool_use into tool_calls, whole and streamed', TEST_TIMEOUT, async () => {
      const params = { ...chat('claude-tools', 'Weather in Paris?'), tools: [OPENAI_WEATHER_TOOL] };
      const completion = await openai.chat.completions.create(params);
      const choice = completion.choices[0]!;
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.content, ANTHROPIC_SCRIPT.toolPreamble);
      const call = choice.message.tool_calls?.[0];
      assert.ok(call !== undefined && call.type === 'function');
      assert.match(call.id, /^toolu_/);
      assert.equal(call.function.name, ANTHROPIC_SCRIPT.tool.name);
      assert.deepEqual(JSON.parse(call.function.arguments), ANTHROPIC_SCRIPT.tool.input);
      const sentTools = anthropicUpstream.lastRequestFor('script-tools').body.tools as Record<
        string,
        unknown
      >[];
      assert.deepEqual(sentTools, [ANTHROPIC_WEATHER_TOOL]);

      const stream = await openai.chat.completions.create({ ...params, stream: true });
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const streamed = assembleChat(chunks);
      assert.equal(streamed.finish, 'tool_calls');
      assert.equal(streamed.text, ANTHROPIC_SCRIPT.toolPreamble);
      assert.equal(streamed.calls.length, 1);
      assert.match(streamed.calls[0]!.id, /^toolu_/);
      assert.equal(streamed.calls[0]!.name, ANTHROPIC_SCRIPT.tool.name);
      assert.deepEqual(JSON.parse(streamed.calls[0]!.arguments), ANTHROPIC_SCRIPT.tool.input);
    });

    it('sends tool results back as tool_result blocks', TEST_TIMEOUT, async () => {
      const completion = await openai.chat.completions.create({
        model: 'claude-tools',
        tools: [OPENAI_WEATHER_TOOL],
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'toolu_01PreviousCall',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_01PreviousCall', content: '{"temperature": 18}' },
        ],
      });
      assert.equal(completion.choices[0]?.message.content, ANTHROPIC_SCRIPT.afterToolText);
      const turns = anthropicUpstream.lastRequestFor('script-tools').body.messages as {
        role: string;
        content: Record<string, unknown>[];
      }[];
      assert.deepEqual(
        turns.map((t) => t.role),
        ['user', 'assistant', 'user'],
      );
      assert.deepEqual(turns[1]?.content.find((b) => b.type === 'tool_use')?.input, { city: 'Paris' });
      const result = turns[2]?.content.find((b) => b.type === 'tool_result');
      assert.equal(result?.tool_use_id, 'toolu_01PreviousCall');
    });

    it('sends a data: URL image as a base64 image source', TEST_TIMEOUT, async () => {
      const completion = await openai.chat.completions.create({
        model: 'claude-text',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
            ],
          },
        ],
      });
      assert.equal(completion.choices[0]?.message.content, ANTHROPIC_SCRIPT.text);
      const turns = anthropicUpstream.lastRequestFor('script-text').body.messages as {
        content: Record<string, unknown>[];
      }[];
      const image = turns[0]?.content.find((b) => b.type === 'image');
      assert.deepEqual(image?.source, { type: 'base64', media_type: 'image/png', data: PNG_BASE64 });
    });
  });

  describe('errors', () => {
    it(
      'Anthropic 529 overloaded: InternalServerError through both SDKs, Anthropic envelope on /v1/messages',
      TEST_TIMEOUT,
      async () => {
        const viaAnthropic = await thrown(() => anthropic.messages.create(message('claude-529')));
        assert.ok(viaAnthropic instanceof Anthropic.InternalServerError, String(viaAnthropic));
        assert.equal(viaAnthropic.status, 529);
        assert.equal(viaAnthropic.type, 'overloaded_error');
        const envelope = viaAnthropic.error as { type?: string; error?: { type?: string; message?: string } };
        assert.equal(envelope.type, 'error');
        assert.equal(envelope.error?.type, 'overloaded_error');
        assert.equal(envelope.error?.message, ANTHROPIC_SCRIPT.overloaded.message);

        const viaOpenAI = await thrown(() => openai.chat.completions.create(chat('claude-529')));
        assert.ok(viaOpenAI instanceof OpenAI.InternalServerError, String(viaOpenAI));
        assert.equal(viaOpenAI.status, 529);
        assert.equal((viaOpenAI.error as { message?: string }).message, ANTHROPIC_SCRIPT.overloaded.message);
      },
    );

    it('Anthropic 400 invalid_request_error: BadRequestError through both SDKs', TEST_TIMEOUT, async () => {
      const viaAnthropic = await thrown(() => anthropic.messages.create(message('claude-400')));
      assert.ok(viaAnthropic instanceof Anthropic.BadRequestError, String(viaAnthropic));
      assert.equal(viaAnthropic.type, 'invalid_request_error');
      const envelope = viaAnthropic.error as { type?: string; error?: { message?: string } };
      assert.equal(envelope.type, 'error');
      assert.equal(envelope.error?.message, ANTHROPIC_SCRIPT.invalidRequest.message);

      const viaOpenAI = await thrown(() => openai.chat.completions.create(chat('claude-400')));
      assert.ok(viaOpenAI instanceof OpenAI.BadRequestError, String(viaOpenAI));
      assert.equal(
        (viaOpenAI.error as { message?: string }).message,
        ANTHROPIC_SCRIPT.invalidRequest.message,
      );
    });

    it('an OpenAI upstream error on /v1/messages comes in the Anthropic envelope', TEST_TIMEOUT, async () => {
      const error = await thrown(() => anthropic.messages.create(message('gpt-400')));
      assert.ok(error instanceof Anthropic.BadRequestError, String(error));
      assert.equal(error.type, 'invalid_request_error');

      const raw = await postJson(`${gateway.url}/v1/messages`, message('gpt-400'), {
        'anthropic-version': ANTHROPIC_VERSION,
      });
      assert.equal(raw.status, 400);
      const body = JSON.parse(raw.text) as { type?: string; error?: { type?: string; message?: string } };
      assert.equal(body.type, 'error');
      assert.equal(body.error?.type, 'invalid_request_error');
      assert.equal(body.error?.message, OPENAI_SCRIPT.badRequest.message);
    });

    it(
      'a gateway validation error on /v1/messages comes in the Anthropic envelope',
      TEST_TIMEOUT,
      async () => {
        const { max_tokens: _dropped, ...withoutMaxTokens } = message('claude-text');
        const raw = await postJson(`${gateway.url}/v1/messages`, withoutMaxTokens, {
          'anthropic-version': ANTHROPIC_VERSION,
        });
        assert.equal(raw.status, 400);
        const body = JSON.parse(raw.text) as { type?: string; error?: { type?: string; message?: string } };
        assert.equal(body.type, 'error');
        assert.equal(body.error?.type, 'invalid_request_error');
        assert.match(body.error?.message ?? '', /max_tokens/);
      },
    );

    it(
      'a gateway error on /v1/messages (unknown model) is a NotFoundError in the Anthropic envelope',
      TEST_TIMEOUT,
      async () => {
        const error = await thrown(() => anthropic.messages.create(message('no-such-model')));
        assert.ok(error instanceof Anthropic.NotFoundError, String(error));
        assert.equal(error.type, 'not_found_error');
        assert.equal((error.error as { type?: string }).type, 'error');
      },
    );

    it(
      'an in-stream overload reaches both SDKs as a thrown error, after the text sent before it',
      TEST_TIMEOUT,
      async () => {
        const before = ANTHROPIC_SCRIPT.textPieces.slice(0, ANTHROPIC_SCRIPT.piecesBeforeError).join('');

        const stream = anthropic.messages.stream(message('claude-cut'));
        let streamedText = '';
        stream.on('text', (delta) => (streamedText += delta));
        const viaAnthropic = await thrown(() => stream.finalMessage());
        assert.ok(viaAnthropic instanceof Anthropic.APIError, String(viaAnthropic));
        assert.equal(viaAnthropic.type, 'overloaded_error');
        assert.equal(streamedText, before);

        const chatStream = await openai.chat.completions.create({ ...chat('claude-cut'), stream: true });
        const chunks: ChatCompletionChunk[] = [];
        const viaOpenAI = await thrown(async () => {
          for await (const chunk of chatStream) chunks.push(chunk);
        });
        assert.ok(viaOpenAI instanceof OpenAI.APIError, String(viaOpenAI));
        assert.equal(viaOpenAI.message, ANTHROPIC_SCRIPT.overloaded.message);
        assert.equal(assembleChat(chunks).text, before);
      },
    );
  });

  describe('stream failures', () => {
    it(
      'an overload as the first stream event keeps its 529 status through both SDKs',
      TEST_TIMEOUT,
      async () => {
        const viaAnthropic = await thrown(() =>
          anthropic.messages.stream(message('claude-overloaded-at-start')).finalMessage(),
        );
        assert.ok(viaAnthropic instanceof Anthropic.InternalServerError, String(viaAnthropic));
        assert.equal(viaAnthropic.status, 529);
        assert.equal(viaAnthropic.type, 'overloaded_error');

        const viaOpenAI = await thrown(() =>
          openai.chat.completions.create({ ...chat('claude-overloaded-at-start'), stream: true }),
        );
        assert.ok(viaOpenAI instanceof OpenAI.InternalServerError, String(viaOpenAI));
        assert.equal(viaOpenAI.status, 529);
      },
    );

    it(
      'an Anthropic upstream cut mid-stream makes both SDKs throw, never end cleanly',
      TEST_TIMEOUT,
      async () => {
        const before = ANTHROPIC_SCRIPT.textPieces.slice(0, ANTHROPIC_SCRIPT.piecesBeforeReset).join('');
        const stream = anthropic.messages.stream(message('claude-reset'));
        let streamedText = '';
        stream.on('text', (delta) => (streamedText += delta));
        const viaAnthropic = await thrown(() => stream.finalMessage());
        assert.ok(viaAnthropic instanceof Anthropic.APIError, String(viaAnthropic));
        assert.equal(streamedText, before);

        const chatStream = await openai.chat.completions.create({ ...chat('claude-reset'), stream: true });
        const chunks: ChatCompletionChunk[] = [];
        const viaOpenAI = await thrown(async () => {
          for await (const chunk of chatStream) chunks.push(chunk);
        });
        assert.ok(viaOpenAI instanceof OpenAI.APIError, String(viaOpenAI));
        assert.equal(viaOpenAI.code, 'stream_interrupted');
        assert.equal(assembleChat(chunks).text, before);
        assert.equal(assembleChat(chunks).finish, null);
      },
    );

    it(
      'an OpenAI upstream cut mid-stream makes the Anthropic SDK stream throw, with no message_stop',
      TEST_TIMEOUT,
      async () => {
        const before = OPENAI_SCRIPT.textPieces.slice(0, OPENAI_SCRIPT.piecesBeforeReset).join('');
        const stream = anthropic.messages.stream(message('gpt-reset'));
        let streamedText = '';
        stream.on('text', (delta) => (streamedText += delta));
        const error = await thrown(() => stream.finalMessage());
        assert.ok(error instanceof Anthropic.APIError, String(error));
        assert.equal(streamedText, before);

        const raw = await postJson(
          `${gateway.url}/v1/messages`,
          { ...message('gpt-reset'), stream: true },
          { 'anthropic-version': ANTHROPIC_VERSION },
        );
        const events = raw.frames.map((f) => f.event);
        assert.equal(events[0], 'message_start');
        assert.equal(events.at(-1), 'error');
        assert.ok(!events.includes('message_stop') && !events.includes('message_delta'));
        const last = JSON.parse(raw.frames.at(-1)!.data) as { type?: string; error?: { type?: string } };
        assert.equal(last.type, 'error');
        assert.equal(typeof last.error?.type, 'string');
      },
    );
  });

  describe('simulator through both SDKs', () => {
    const prompt = 'Count the tokens of this exact prompt, please.';

    it('openai SDK: streamed usage equals the whole-response usage', TEST_TIMEOUT, async () => {
      const whole = await openai.chat.completions.create(chat('sim-fast', prompt));
      const stream = await openai.chat.completions.create({
        ...chat('sim-fast', prompt),
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const streamed = assembleChat(chunks);
      assert.equal(streamed.text, whole.choices[0]?.message.content);
      assert.equal(streamed.usage.length, 1);
      assert.ok((whole.usage?.prompt_tokens ?? 0) > 0 && (whole.usage?.completion_tokens ?? 0) > 0);
      assert.equal(streamed.usage[0]!.prompt_tokens, whole.usage?.prompt_tokens);
      assert.equal(streamed.usage[0]!.completion_tokens, whole.usage?.completion_tokens);
      assert.equal(streamed.usage[0]!.total_tokens, whole.usage?.total_tokens);
    });

    it('Anthropic SDK: streamed usage equals the whole-response usage', TEST_TIMEOUT, async () => {
      const whole = await anthropic.messages.create(message('sim-fast', prompt));
      const final = await anthropic.messages.stream(message('sim-fast', prompt)).finalMessage();
      assert.equal(textOf(final.content), textOf(whole.content));
      assert.ok(whole.usage.input_tokens > 0 && whole.usage.output_tokens > 0);
      assert.equal(final.usage.input_tokens, whole.usage.input_tokens);
      assert.equal(final.usage.output_tokens, whole.usage.output_tokens);
      assert.equal(final.stop_reason, whole.stop_reason);
    });
  });

  describe('prompt caching: cache reads and writes are reported, recorded and priced apart', () => {
    const cache = ANTHROPIC_SCRIPT.promptCacheUsage;
    const prompt = cache.input_tokens + cache.cache_read_input_tokens + cache.cache_creation_input_tokens;
    // nano-USD: plain input at 3000/token, reads at 300, writes at 3750, output at 15000
    const cost =
      cache.input_tokens * 3000 +
      cache.cache_read_input_tokens * 300 +
      cache.cache_creation_input_tokens * 3750 +
      cache.output_tokens * 15000;

    async function assertRecorded(id: string): Promise<void> {
      const record = await recordOf(gateway, id);
      assert.equal(record.prompt_tokens, prompt);
      assert.equal(record.cached_tokens, cache.cache_read_input_tokens);
      assert.equal(record.cache_write_tokens, cache.cache_creation_input_tokens);
      assert.equal(record.completion_tokens, cache.output_tokens);
      assert.equal(record.cost_nano_usd, cost);
    }

    it('Anthropic SDK, whole and streamed: the usage passes through', TEST_TIMEOUT, async () => {
      const whole = await anthropic.messages.create(message('claude-cached'), {
        headers: { 'x-request-id': 'cache-native-whole' },
      });
      const streamed = await anthropic.messages
        .stream(message('claude-cached'), { headers: { 'x-request-id': 'cache-native-stream' } })
        .finalMessage();
      for (const reply of [whole, streamed]) {
        assert.equal(reply.usage.input_tokens, cache.input_tokens);
        assert.equal(reply.usage.cache_read_input_tokens, cache.cache_read_input_tokens);
        assert.equal(reply.usage.cache_creation_input_tokens, cache.cache_creation_input_tokens);
        assert.equal(reply.usage.output_tokens, cache.output_tokens);
      }
      await assertRecorded('cache-native-whole');
      await assertRecorded('cache-native-stream');
    });

    it(
      'openai SDK, whole and streamed: writes inside prompt_tokens, reads as cached_tokens',
      TEST_TIMEOUT,
      async () => {
        const whole = await openai.chat.completions.create(chat('claude-cached'), {
          headers: { 'x-request-id': 'cache-chat-whole' },
        });
        const stream = await openai.chat.completions.create(
          { ...chat('claude-cached'), stream: true, stream_options: { include_usage: true } },
          { headers: { 'x-request-id': 'cache-chat-stream' } },
        );
        const chunks: ChatCompletionChunk[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        const { usage } = assembleChat(chunks);
        assert.equal(usage.length, 1);
        for (const u of [whole.usage!, usage[0]!]) {
          assert.equal(u.prompt_tokens, prompt);
          assert.equal(u.prompt_tokens_details?.cached_tokens, cache.cache_read_input_tokens);
          assert.equal(
            (u as { cache_creation_input_tokens?: number }).cache_creation_input_tokens,
            cache.cache_creation_input_tokens,
          );
          assert.equal(u.completion_tokens, cache.output_tokens);
        }
        await assertRecorded('cache-chat-whole');
        await assertRecorded('cache-chat-stream');
      },
    );
  });

  describe('models through the Anthropic SDK', () => {
    it(
      'lists and retrieves in Anthropic’s shape; an unknown id is a NotFoundError',
      TEST_TIMEOUT,
      async () => {
        const ids: string[] = [];
        for await (const model of anthropic.models.list()) {
          assert.equal(model.type, 'model');
          assert.equal(typeof model.display_name, 'string');
          assert.ok(!Number.isNaN(Date.parse(model.created_at)));
          ids.push(model.id);
        }
        assert.deepEqual(ids.sort(), Object.keys(MODELS).sort());
        const one = await anthropic.models.retrieve('claude-text');
        assert.equal(one.id, 'claude-text');
        assert.equal(one.type, 'model');
        // Anthropic's error envelope and type, as /v1/messages answers an unknown model.
        const error = await thrown(() => anthropic.models.retrieve('no-such-model'));
        assert.ok(error instanceof Anthropic.NotFoundError, String(error));
        assert.equal(error.type, 'not_found_error');
        assert.equal((error.error as { type?: string }).type, 'error');
      },
    );
  });

  describe('model pages (Anthropic’s limit, after_id, before_id)', () => {
    interface Page {
      data: { id: string }[];
      has_more: boolean;
      first_id: string | null;
      last_id: string | null;
    }
    const page = async (query: string): Promise<{ status: number; body: Page }> => {
      const response = await fetch(`${gateway.url}/v1/models${query}`, {
        headers: { 'anthropic-version': ANTHROPIC_VERSION },
      });
      return { status: response.status, body: (await response.json()) as Page };
    };
    const ids = Object.keys(MODELS);

    it('the SDK pages through every model in config order', TEST_TIMEOUT, async () => {
      const seen: string[] = [];
      for await (const model of anthropic.models.list({ limit: 4 })) seen.push(model.id);
      assert.deepEqual(seen, ids);
      const first = await anthropic.models.list({ limit: 4 });
      assert.equal(first.data.length, 4);
      assert.equal(first.has_more, true);
    });

    it('after_id and before_id walk both ways; the last page says has_more false', TEST_TIMEOUT, async () => {
      const one = await page('?limit=5');
      assert.deepEqual(
        one.body.data.map((m) => m.id),
        ids.slice(0, 5),
      );
      assert.equal(one.body.has_more, true);
      const two = await page(`?limit=5&after_id=${encodeURIComponent(one.body.last_id!)}`);
      assert.deepEqual(
        two.body.data.map((m) => m.id),
        ids.slice(5, 10),
      );
      const back = await page(`?limit=5&before_id=${encodeURIComponent(two.body.first_id!)}`);
      assert.deepEqual(back.body.data, one.body.data);
      assert.equal(back.body.has_more, false, 'nothing before the first page');
      const last = await page(`?limit=1000&after_id=${encodeURIComponent(two.body.last_id!)}`);
      assert.deepEqual(
        last.body.data.map((m) => m.id),
        ids.slice(10),
      );
      assert.equal(last.body.has_more, false);
    });

    it('a bad limit or an unknown cursor is a 400 in Anthropic’s envelope', TEST_TIMEOUT, async () => {
      for (const query of [
        '?limit=0',
        '?limit=2.0',
        '?limit=1e1',
        '?limit=+5',
        '?limit=1001',
        '?limit=2.5',
        '?limit=',
        '?after_id=nope',
        '?after_id=a&before_id=b',
      ]) {
        const { status, body } = await page(query);
        assert.equal(status, 400, query);
        const error = body as unknown as { type: string; error: { type: string } };
        assert.equal(error.type, 'error', query);
        assert.equal(error.error.type, 'invalid_request_error', query);
      }
      // OpenAI's list takes no pages: the whole list, as before.
      const openaiList = await openai.models.list();
      assert.equal(openaiList.data.length, ids.length);
    });
  });

  describe('token counts through the Anthropic SDK (messages.countTokens)', () => {
    const params = (model: string): Anthropic.MessageCountTokensParams => ({
      model,
      system: SYSTEM,
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [ANTHROPIC_WEATHER_TOOL],
    });

    it("Anthropic's own count for a Claude model, the upstream's answer as it is", TEST_TIMEOUT, async () => {
      const counted = await anthropic.messages.countTokens(params('claude-text'));
      assert.equal(counted.input_tokens, ANTHROPIC_SCRIPT.countedTokens(1));
      const sent = anthropicUpstream.lastRequestFor('script-text');
      assert.equal(sent.path, '/v1/messages/count_tokens');
      assert.equal(sent.headers['x-api-key'], ANTHROPIC_KEY, 'the upstream key, not the client one');
    });

    it('the simulator: the count equals the input tokens the call then bills', TEST_TIMEOUT, async () => {
      const counted = await anthropic.messages.countTokens(params('sim-fast'));
      const answer = await anthropic.messages.create({ ...params('sim-fast'), max_tokens: 64 });
      assert.equal(counted.input_tokens, answer.usage.input_tokens);
    });

    it(
      "an OpenAI model: the gateway's count; an unknown model is a NotFoundError",
      TEST_TIMEOUT,
      async () => {
        const before = openaiUpstream.requests.length;
        const counted = await anthropic.messages.countTokens(params('gpt-text'));
        assert.ok(counted.input_tokens > 30, `${counted.input_tokens}`);
        assert.equal(openaiUpstream.requests.length, before, 'counted without calling OpenAI');
        const error = await thrown(() => anthropic.messages.countTokens(params('no-such-model')));
        assert.ok(error instanceof Anthropic.NotFoundError, String(error));
      },
    );
  });
});
