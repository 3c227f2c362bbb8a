// The built-in simulator: an in-process model for offline use, demos, tests and the bench. Configurable
// time-to-first-token, speed and answer; failure modes by model name (see behaviour.ts); exact usage.
import { requireSingleChoice } from '../single-choice.js';
import { createHash, randomBytes } from 'node:crypto';
import type {
  ChatChunk,
  ChatCompletion,
  ChatRequest,
  FinishReason,
  ToolCall,
  Usage,
} from '../../api/openai-chat.js';
import { embeddingInputs } from '../../api/embedding-inputs.js';
import type { EmbeddingsRequest } from '../../api/embeddings.js';
import type { CountTokensRequest } from '../../api/anthropic-messages.js';
import type { ProviderConfig } from '../../config/schema.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { delay } from '../../net/abortable.js';
import { messagesToChatRequest } from '../anthropic/request-mapping.js';
import type { CallOptions, CountTokensResult, Provider, StreamItem } from '../types.js';
import { failureFor } from './behaviour.js';
import { countPromptTokens, countTokens, messageText, splitTokens } from './tokens.js';

type SimulatorConfig = Extract<ProviderConfig, { type: 'simulator' }>;

interface Plan {
  created: number;
  id: string;
  model: string;
  pieces: string[];
  toolCalls: ToolCall[] | undefined;
  finish: FinishReason;
  usage: Usage;
  ttftMs: number;
  /** Milliseconds between two output tokens. */
  gapMs: number;
}

const FILLER =
  'The gateway simulator writes this text so that streaming, usage accounting and latency can be exercised ' +
  'without any real model behind it. Each word and each punctuation mark counts as one token.';

export function createSimulatorProvider(id: string, config: SimulatorConfig): Provider {
  // sim-flaky fails every other call of each flaky model, counted apart so one model's calls do not decide
  // another's (only configured model names are keys).
  const flakyCalls = new Map<string, number>();
  const flakyCall = (model: string): number => {
    const n = (flakyCalls.get(model) ?? 0) + 1;
    flakyCalls.set(model, n);
    return n;
  };

  function plan(request: ChatRequest, call: CallOptions): Plan {
    const sim = call.model.config.simulation ?? {};
    const ttftMs = sim.ttft_ms ?? config.ttft_ms;
    const speed = sim.tokens_per_second ?? config.tokens_per_second;
    const fixed = sim.answer ?? config.answer;
    const wanted = sim.output_tokens ?? config.output_tokens;
    const limit = request.max_completion_tokens ?? request.max_tokens ?? Number.POSITIVE_INFINITY;

    const toolCalls = chooseToolCalls(request);
    let pieces: string[] = [];
    let finish: FinishReason = toolCalls === undefined ? 'stop' : 'tool_calls';
    if (toolCalls === undefined) {
      const text = fixed ?? shaped(request, defaultAnswer(request, call.model.id, wanted));
      pieces = splitTokens(beforeStop(text, request.stop));
      if (pieces.length > limit) {
        pieces = pieces.slice(0, limit);
        finish = 'length';
      }
    }
    const prompt = countPromptTokens(request.messages, request.tools);
    const completion =
      toolCalls === undefined
        ? pieces.length
        : toolCalls.reduce((sum, tc) => sum + countTokens(tc.function.name + tc.function.arguments), 0);
    return {
      created: Math.floor(Date.now() / 1000),
      id: `chatcmpl-sim-${randomBytes(9).toString('hex')}`,
      model: call.model.upstreamModel,
      pieces,
      toolCalls,
      finish,
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
      ttftMs,
      gapMs: speed > 0 ? 1000 / speed : 0,
    };
  }

  async function beforeFirstByte(call: CallOptions, ttftMs: number): Promise<void> {
    const failure = failureFor(call.model.upstreamModel);
    if (failure.kind === 'http-error') {
      throw new GatewayError('upstream_error', `Simulated upstream error ${failure.status}.`, {
        status: failure.status,
        type: failure.status >= 500 ? 'server_error' : 'invalid_request_error',
        upstreamCode: `simulated_${failure.status}`,
      });
    }
    if (failure.kind === 'rate-limited') {
      throw new GatewayError('upstream_error', 'Simulated rate limit: retry after 1 second.', {
        status: 429,
        type: 'requests',
        upstreamCode: 'rate_limit_exceeded',
        headers: { 'retry-after': '1' },
      });
    }
    if (failure.kind === 'flaky' && flakyCall(call.model.upstreamModel) % 2 === 1) {
      throw new GatewayError('upstream_error', 'Simulated flaky upstream: every other call fails.', {
        status: 503,
        type: 'server_error',
        upstreamCode: 'simulated_flaky',
      });
    }
    if (failure.kind === 'slow-first-byte') {
      const limit = config.timeouts.first_byte_ms;
      if (config.slow_first_byte_ms > limit) {
        await delay(limit, call.signal);
        throw new GatewayError(
          'upstream_timeout',
          'The upstream provider did not answer in time (first byte).',
        );
      }
      await delay(config.slow_first_byte_ms, call.signal);
    }
    if (ttftMs > 0) await delay(ttftMs, call.signal);
    call.onUpstreamHeaders?.(200);
  }

  return {
    id,
    type: 'simulator',
    completionLimitField: 'max_tokens', // it reads either
    async chat(request, call) {
      requireSingleChoice(request, 'Simulated models');
      const p = plan(request, call);
      await beforeFirstByte(call, p.ttftMs);
      if (request.stream === true) return { stream: true, chunks: streamPlan(p, call) };
      if (failureFor(call.model.upstreamModel).kind === 'reset-mid-stream') {
        throw new GatewayError(
          'stream_interrupted',
          'Simulated connection reset before the response was complete.',
        );
      }
      if (p.gapMs > 0 && p.pieces.length > 1) {
        await delay(p.gapMs * (p.pieces.length - 1), call.signal);
      }
      const body: ChatCompletion = {
        id: p.id,
        object: 'chat.completion',
        created: p.created,
        model: p.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: p.toolCalls === undefined ? p.pieces.join('') : null,
              ...(p.toolCalls === undefined ? {} : { tool_calls: p.toolCalls }),
              refusal: null,
            },
            finish_reason: p.finish,
            logprobs: null,
          },
        ],
        usage: p.usage,
        system_fingerprint: 'fp_simulator',
      };
      return { stream: false, body, raw: undefined };
    },
    countTokens(request: CountTokensRequest, call: CallOptions): Promise<CountTokensResult> {
      // What a /v1/messages call would be billed: the same translation to chat, the same count. The limit does
      // not change a prompt's count, and a count needs none.
      const chat = messagesToChatRequest({ ...request, max_tokens: 1 }, call.model.upstreamModel);
      return Promise.resolve({ inputTokens: countPromptTokens(chat.messages, chat.tools), raw: undefined });
    },
    async embeddings(request: EmbeddingsRequest, call: CallOptions) {
      // A vector is built and serialised on the event loop: its size is bounded as a real model's is (OpenAI
      // refuses `dimensions` above the model's own, 3072 at most), or one small request could take seconds and
      // gigabytes.
      if (request.dimensions !== undefined && request.dimensions > SIMULATOR_MAX_DIMENSIONS) {
        throw new GatewayError(
          'invalid_request',
          `'dimensions' is at most ${SIMULATOR_MAX_DIMENSIONS} for the simulator's embeddings.`,
          { param: 'dimensions' },
        );
      }
      const dims = request.dimensions ?? 256;
      const inputs = embeddingInputs(request.input);
      // And so is the whole answer: many inputs of many dimensions are as costly as one huge vector.
      if (inputs.length * dims > SIMULATOR_MAX_NUMBERS) {
        throw new GatewayError(
          'invalid_request',
          `The simulator answers at most ${SIMULATOR_MAX_NUMBERS} numbers per request: ${inputs.length} ` +
            `inputs of ${dims} dimensions would be ${inputs.length * dims}; send fewer inputs or dimensions.`,
          { param: 'input' },
        );
      }
      await beforeFirstByte(call, 0);
      let tokens = 0;
      const data = inputs.map((input, index) => {
        const text = typeof input === 'string' ? input : JSON.stringify(input);
        tokens += typeof input === 'string' ? countTokens(input) : input.length;
        const vector = pseudoEmbedding(text, dims);
        // base64 is what the official SDKs ask for by default: float32 little-endian bytes, as OpenAI sends.
        const embedding =
          request.encoding_format === 'base64'
            ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
            : vector;
        return { object: 'embedding' as const, index, embedding };
      });
      return {
        body: {
          object: 'list',
          data,
          model: call.model.upstreamModel,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        },
        raw: undefined,
      };
    },
    close: () => Promise.resolve(),
  };
}

async function* streamPlan(p: Plan, call: CallOptions): AsyncGenerator<StreamItem<ChatChunk>> {
  const chunk = (delta: ChatChunk['choices'][number]['delta'], finish: FinishReason | null): ChatChunk => ({
    id: p.id,
    object: 'chat.completion.chunk',
    created: p.created,
    model: p.model,
    system_fingerprint: 'fp_simulator',
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const resetAt =
    failureFor(call.model.upstreamModel).kind === 'reset-mid-stream' ? p.pieces.length >> 1 : -1;
  yield { data: chunk({ role: 'assistant', content: '', refusal: null }, null), raw: undefined };
  if (p.toolCalls !== undefined) {
    for (const [index, tc] of p.toolCalls.entries()) {
      yield {
        data: chunk(
          {
            tool_calls: [
              { index, id: tc.id, type: 'function', function: { name: tc.function.name, arguments: '' } },
            ],
          },
          null,
        ),
        raw: undefined,
      };
      yield {
        data: chunk({ tool_calls: [{ index, function: { arguments: tc.function.arguments } }] }, null),
        raw: undefined,
      };
    }
  }
  for (let i = 0; i < p.pieces.length; i++) {
    if (i === resetAt)
      throw new GatewayError('stream_interrupted', 'Simulated connection reset in the middle of the stream.');
    if (i > 0 && p.gapMs > 0) await delay(p.gapMs, call.signal);
    yield { data: chunk({ content: p.pieces[i]! }, null), raw: undefined };
  }
  yield { data: chunk({}, p.finish), raw: undefined };
  yield {
    data: {
      id: p.id,
      object: 'chat.completion.chunk',
      created: p.created,
      model: p.model,
      choices: [],
      usage: p.usage,
    },
    raw: undefined,
  };
}

function defaultAnswer(request: ChatRequest, model: string, tokens: number): string {
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
  const said = splitTokens(lastUser === undefined ? '' : messageText(lastUser))
    .slice(0, 12)
    .join('')
    .trim();
  let text = `This is ${model}, a simulated model. You said: "${said}".`;
  const filler = splitTokens(' ' + FILLER);
  let pieces = splitTokens(text);
  for (let i = 0; pieces.length < tokens; i++) pieces.push(filler[i % filler.length]!);
  if (pieces.length > tokens) pieces = pieces.slice(0, tokens);
  text = pieces.join('');
  return text;
}

/** The answer cut before the first of the request's stop sequences, as a model stops there (not included). */
function beforeStop(text: string, stop: ChatRequest['stop']): string {
  if (stop === undefined || stop === null) return text;
  let end = text.length;
  for (const sequence of typeof stop === 'string' ? [stop] : stop) {
    if (sequence === '') continue;
    const at = text.indexOf(sequence);
    if (at !== -1 && at < end) end = at;
  }
  return text.slice(0, end);
}

/**
 * The answer in the shape `response_format` asks for: a JSON object holding the text for `json_object`, and
 * for `json_schema` a value of the schema (every property, the first enum value, the text in the first string
 * field), so structured-output clients can be exercised offline. Plain text otherwise.
 */
function shaped(request: ChatRequest, text: string): string {
  const format = request.response_format as { type: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_object') return JSON.stringify({ answer: text });
  if (format?.type !== 'json_schema') return text;
  const said = { text, used: false };
  return JSON.stringify(sampleOf(format.json_schema?.schema, said, 0));
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, unknown>;
  items?: unknown;
  anyOf?: unknown[];
};

function sampleOf(schema: unknown, said: { text: string; used: boolean }, depth: number): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 16) return null;
  const s = schema as JsonSchema;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0) return sampleOf(s.anyOf[0], said, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(s.properties ?? {}))
        out[name] = sampleOf(property, said, depth + 1);
      return out;
    }
    case 'array':
      return [sampleOf(s.items, said, depth + 1)];
    case 'string':
      if (said.used) return 'simulated';
      said.used = true;
      return said.text;
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return s.properties === undefined ? null : sampleOf({ ...s, type: 'object' }, said, depth + 1);
  }
}

/** A tool call when the request forces one, or when the last user turn names one of the tools. */
function chooseToolCalls(request: ChatRequest): ToolCall[] | undefined {
  const tools = request.tools;
  if (tools === undefined || tools.length === 0 || request.tool_choice === 'none') return undefined;
  const last = request.messages[request.messages.length - 1];
  if (last === undefined || last.role === 'tool') return undefined;
  let tool = undefined as (typeof tools)[number] | undefined;
  const choice = request.tool_choice;
  if (typeof choice === 'object') tool = tools.find((t) => t.function.name === choice.function.name);
  else if (choice === 'required') tool = tools[0];
  else {
    const text = last.role === 'user' ? messageText(last).toLowerCase() : '';
    tool = tools.find((t) => text.includes(t.function.name.toLowerCase()));
  }
  if (tool === undefined) return undefined;
  const schema = tool.function.parameters as
    { properties?: Record<string, { type?: string }>; required?: string[] } | undefined;
  const args: Record<string, unknown> = {};
  for (const name of schema?.required ?? Object.keys(schema?.properties ?? {})) {
    const type = schema?.properties?.[name]?.type;
    args[name] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : 'simulated';
  }
  const digest = createHash('sha256')
    .update(tool.function.name + JSON.stringify(request.messages.length))
    .digest('hex');
  return [
    {
      id: `call_${digest.slice(0, 24)}`,
      type: 'function',
      function: { name: tool.function.name, arguments: JSON.stringify(args) },
    },
  ];
}

/** The simulator's largest embedding (OpenAI's largest model has 3072 dimensions). */
const SIMULATOR_MAX_DIMENSIONS = 4096;
/**
 * Numbers in one simulated answer (inputs × dimensions): 1024 inputs of the default 256 dimensions, 64 of the
 * largest. Built on the event loop in about half a second on a slow core; 2048 × 4096 took six.
 */
const SIMULATOR_MAX_NUMBERS = 262_144;

/** A deterministic unit vector from the text; only for the simulator's embeddings endpoint. */
function pseudoEmbedding(text: string, dims: number): number[] {
  const out = new Array<number>(dims);
  let seed = createHash('sha256').update(text).digest();
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    if (i % 8 === 0 && i > 0) seed = createHash('sha256').update(seed).digest();
    const value = seed.readInt32LE((i % 8) * 4) / 0x80000000;
    out[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) out[i] = out[i]! * scale;
  return out;
}
