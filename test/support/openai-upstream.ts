// A scripted OpenAI-compatible upstream in two flavours: api.openai.com and vLLM's OpenAI server, each with
// its own wire quirks. The upstream model name picks the script (script-text, script-tools, script-429...).
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  beginSse,
  randomHex,
  sendJson,
  startScriptedServer,
  writeFrame,
  type ReceivedRequest,
  type ScriptedServer,
} from './scripted-server.js';

export type OpenAIFlavour = 'openai' | 'vllm';

export interface OpenAIUpstreamOptions {
  flavour: OpenAIFlavour;
  /** When set, requests without `Authorization: Bearer <apiKey>` get the flavour's 401. */
  apiKey?: string;
}

const textPieces = [
  'Hello',
  ' from the',
  ' scripted',
  ' upstream.',
  ' Every piece',
  ' arrives intact:',
  ' grüße 👋.',
];
/** script-reasoning: what a reasoning model (vLLM's --reasoning-parser) thinks before it answers. */
const reasoningPieces = ['The user', ' wants a', ' greeting;', ' a short one', ' will do.'];
const argumentPieces = ['{"ci', 'ty": "Par', 'is", "un', 'it": "cel', 'sius"}'];

/** What the scripts answer, for tests to compare with what reached the client. */
export const OPENAI_SCRIPT = {
  textPieces,
  text: textPieces.join(''),
  reasoningPieces,
  reasoning: reasoningPieces.join(''),
  usage: { prompt_tokens: 17, completion_tokens: 12, total_tokens: 29 },
  /** script-slow-stream: one content chunk every this many milliseconds, for this many chunks. */
  slowChunkGapMs: 50,
  slowChunks: 100,
  /** Content chunks written by script-reset-mid-stream before it destroys the socket. */
  piecesBeforeReset: 2,
  toolCall: { name: 'get_weather', arguments: argumentPieces.join(''), argumentPieces },
  toolArguments: { city: 'Paris', unit: 'celsius' },
  toolUsage: { prompt_tokens: 81, completion_tokens: 19, total_tokens: 100 },
  /** The answer of script-tools once the conversation ends with a tool result. */
  afterToolText: 'It is 18 degrees and sunny in Paris.',
  afterToolUsage: { prompt_tokens: 112, completion_tokens: 11, total_tokens: 123 },
  badRequest: {
    message:
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. " +
      'Please reduce the length of the messages.',
    type: 'invalid_request_error',
    param: 'messages',
    code: 'context_length_exceeded',
  },
  serverError: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    param: null,
    code: null,
  },
  rateLimit: {
    message:
      'Rate limit reached for gpt-4o in organization org-scripted on requests per min (RPM): Limit 500, ' +
      'Used 500, Requested 1. Please try again in 7s.',
    type: 'requests',
    param: null,
    code: 'rate_limit_exceeded',
  },
  retryAfterSeconds: '7',
  /** vLLM's error body for a bad request (its pre-0.10 shape, still common in deployments). */
  vllmBadRequest: {
    object: 'error',
    message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
    type: 'BadRequestError',
    param: null,
    code: 400,
  },
  /** Embedding values exact in float32, so a base64 round trip compares equal. */
  embeddingFor: (index: number) => [0.5, -0.25, 0.125 * (index + 1), 1],
  embeddingTokensPerInput: 5,
} as const;

export async function startOpenAIUpstream(options: OpenAIUpstreamOptions): Promise<ScriptedServer> {
  return startScriptedServer((request, res, socket) => route(options, request, res, socket));
}

async function route(
  options: OpenAIUpstreamOptions,
  request: ReceivedRequest,
  res: ServerResponse,
  socket: Socket,
): Promise<void> {
  const { flavour } = options;
  if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
    // vLLM's --api-key middleware answers with a bare string; OpenAI with its usual error object.
    if (flavour === 'vllm') return sendJson(res, 401, { error: 'Unauthorized' });
    return sendJson(res, 401, {
      error: {
        message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  }
  const path = request.path.split('?')[0];
  if (request.method === 'POST' && path === '/v1/chat/completions')
    return chat(flavour, request, res, socket);
  if (request.method === 'POST' && path === '/v1/embeddings') return embeddings(flavour, request, res);
  // vLLM's tokenizer endpoint, beside /v1: a count per message (its words and 4 for the template) plus 3 for
  // the generation prompt, and 10 per tool; what its chat completions would report as prompt_tokens.
  if (flavour === 'vllm' && request.method === 'POST' && path === '/tokenize') {
    const body = request.body as { messages: { content: unknown }[]; tools?: unknown[] };
    const words = (content: unknown) => JSON.stringify(content).split(/\s+/).length;
    const count =
      body.messages.reduce((sum, m) => sum + 4 + words(m.content), 3) + 10 * (body.tools?.length ?? 0);
    return sendJson(res, 200, {
      count,
      max_model_len: 8192,
      tokens: Array.from({ length: count }, (_, i) => i),
    });
  }
  return sendError(flavour, res, 404, {
    message: `Invalid URL (${request.method} ${path})`,
    type: 'invalid_request_error',
    param: null,
    code: null,
  });
}

interface ErrorDetail {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

const VLLM_ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestError',
  404: 'NotFoundError',
  429: 'TooManyRequestsError',
  500: 'InternalServerError',
};

function sendError(
  flavour: OpenAIFlavour,
  res: ServerResponse,
  status: number,
  error: ErrorDetail,
  headers: Record<string, string> = {},
): void {
  if (flavour === 'vllm') {
    // vLLM names its error types after HTTP exception classes and repeats the status as a number.
    const type = VLLM_ERROR_TYPES[status] ?? 'InternalServerError';
    return sendJson(res, status, {
      object: 'error',
      message: error.message,
      type,
      param: null,
      code: status,
    });
  }
  sendJson(res, status, { error }, { 'x-request-id': `req_${randomHex(32)}`, ...headers });
}

interface Turn {
  role: string;
  content?: unknown;
  tool_call_id?: string;
}

async function chat(
  flavour: OpenAIFlavour,
  request: ReceivedRequest,
  res: ServerResponse,
  socket: Socket,
): Promise<void> {
  const body = request.body;
  const model = typeof body.model === 'string' ? body.model : '';
  const messages = Array.isArray(body.messages) ? (body.messages as Turn[]) : [];
  if (messages.length === 0) {
    return sendError(flavour, res, 400, {
      message: "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'empty_array',
    });
  }
  const stream = body.stream === true;
  switch (model) {
    case 'script-400':
      if (flavour === 'vllm') return sendJson(res, 400, OPENAI_SCRIPT.vllmBadRequest);
      return sendError(flavour, res, 400, OPENAI_SCRIPT.badRequest);
    case 'script-500':
      return sendError(flavour, res, 500, OPENAI_SCRIPT.serverError);
    case 'script-429':
      return sendError(flavour, res, 429, OPENAI_SCRIPT.rateLimit, {
        'retry-after': OPENAI_SCRIPT.retryAfterSeconds,
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '7s',
      });
    case 'script-text':
    case 'script-reasoning':
    case 'script-slow-stream':
    case 'script-reset-mid-stream':
    case 'script-tools':
      break;
    default:
      return sendError(flavour, res, 404, {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      });
  }
  const answer = planAnswer(flavour, model, messages);
  const completion = new Completion(flavour, model, body);
  if (!stream) {
    if (model === 'script-reset-mid-stream') return cutJson(res, socket);
    return sendJson(res, 200, completion.whole(answer), completion.headers());
  }
  beginSse(res, completion.headers());
  await completion.stream(res, answer, model === 'script-reset-mid-stream' ? socket : undefined);
}

type Answer =
  | {
      kind: 'text';
      pieces: readonly string[];
      usage: Usage;
      gapMs?: number;
      /** Streamed (as vLLM's reasoning_content deltas) before the text. */
      reasoning?: readonly string[];
    }
  | { kind: 'tool'; callId: string; usage: Usage };

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

function planAnswer(flavour: OpenAIFlavour, model: string, messages: readonly Turn[]): Answer {
  if (model === 'script-slow-stream') {
    const pieces = Array.from({ length: OPENAI_SCRIPT.slowChunks }, (_, i) => ` word${i}`);
    return { kind: 'text', pieces, usage: OPENAI_SCRIPT.usage, gapMs: OPENAI_SCRIPT.slowChunkGapMs };
  }
  if (model === 'script-reasoning') {
    return { kind: 'text', pieces: textPieces, usage: OPENAI_SCRIPT.usage, reasoning: reasoningPieces };
  }
  if (model !== 'script-tools') return { kind: 'text', pieces: textPieces, usage: OPENAI_SCRIPT.usage };
  // Like a real model: once the tool's result is in the conversation, it answers in words.
  if (messages.at(-1)?.role === 'tool') {
    return { kind: 'text', pieces: [OPENAI_SCRIPT.afterToolText], usage: OPENAI_SCRIPT.afterToolUsage };
  }
  // Each server's own tool call id style.
  const callId = flavour === 'vllm' ? `chatcmpl-tool-${randomHex(32)}` : `call_${randomHex(24)}`;
  return { kind: 'tool', callId, usage: OPENAI_SCRIPT.toolUsage };
}

/** Builds completion bodies and chunks in the flavour's exact shape. */
class Completion {
  private readonly id: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly includeUsage: boolean;

  constructor(
    private readonly flavour: OpenAIFlavour,
    private readonly model: string,
    body: Record<string, unknown>,
  ) {
    this.id = flavour === 'vllm' ? `chatcmpl-${randomHex(32)}` : `chatcmpl-${randomHex(29)}`;
    const options = body.stream_options as { include_usage?: unknown } | null | undefined;
    this.includeUsage = options?.include_usage === true;
  }

  headers(): Record<string, string> {
    return this.flavour === 'openai'
      ? { 'x-request-id': `req_${randomHex(32)}`, 'openai-processing-ms': '42' }
      : {};
  }

  whole(answer: Answer): Record<string, unknown> {
    const toolCalls =
      answer.kind === 'tool'
        ? [
            {
              id: answer.callId,
              type: 'function',
              function: { name: OPENAI_SCRIPT.toolCall.name, arguments: OPENAI_SCRIPT.toolCall.arguments },
            },
          ]
        : undefined;
    const content = answer.kind === 'text' ? answer.pieces.join('') : null;
    const reasoning = answer.kind === 'text' ? (answer.reasoning?.join('') ?? null) : null;
    const finish = answer.kind === 'tool' ? 'tool_calls' : 'stop';
    if (this.flavour === 'vllm') {
      return {
        id: this.id,
        object: 'chat.completion',
        created: this.created,
        model: this.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              reasoning_content: reasoning,
              content,
              tool_calls: toolCalls ?? [],
            },
            logprobs: null,
            finish_reason: finish,
            stop_reason: null,
          },
        ],
        usage: { ...answer.usage, prompt_tokens_details: null },
        prompt_logprobs: null,
        kv_transfer_params: null,
      };
    }
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content,
            ...(toolCalls === undefined ? {} : { tool_calls: toolCalls }),
            refusal: null,
            annotations: [],
          },
          logprobs: null,
          finish_reason: finish,
        },
      ],
      usage: openAIUsage(answer.usage),
      service_tier: 'default',
      system_fingerprint: 'fp_scripted01',
    };
  }

  /** Streams the answer; with `cut`, destroys that socket after a few content chunks instead of ending. */
  async stream(res: ServerResponse, answer: Answer, cut: Socket | undefined): Promise<void> {
    const send = (choices: unknown[], usage?: Usage) =>
      writeFrame(res, `data: ${JSON.stringify(this.chunk(choices, usage))}\n\n`);
    const choice = (delta: Record<string, unknown>, finish: string | null = null) => {
      const out: Record<string, unknown> = { index: 0, delta, logprobs: null, finish_reason: finish };
      if (this.flavour === 'vllm' && finish !== null) out.stop_reason = null;
      return out;
    };
    if (answer.kind === 'text') {
      await send([
        choice(
          this.flavour === 'vllm'
            ? { role: 'assistant', content: '' }
            : { role: 'assistant', content: '', refusal: null },
        ),
      ]);
      for (const piece of answer.reasoning ?? []) await send([choice({ reasoning_content: piece })]);
      for (const [i, piece] of answer.pieces.entries()) {
        if (cut !== undefined && i === OPENAI_SCRIPT.piecesBeforeReset) {
          // Give the gateway time to forward what it got, then vanish without [DONE] as a crashed server would.
          await sleep(30);
          cut.destroy();
          return;
        }
        if (answer.gapMs !== undefined && i > 0) await sleep(answer.gapMs);
        // A client that left is not written to, as a real server stops generating.
        if (res.destroyed) return;
        await send([choice({ content: piece })]);
      }
      await send([choice(this.flavour === 'vllm' ? { content: '' } : {}, 'stop')]);
    } else {
      const name = OPENAI_SCRIPT.toolCall.name;
      // vLLM's first tool delta names the function without an `arguments` key; OpenAI sends "" there.
      const head =
        this.flavour === 'vllm'
          ? { id: answer.callId, type: 'function', index: 0, function: { name } }
          : { index: 0, id: answer.callId, type: 'function', function: { name, arguments: '' } };
      const first =
        this.flavour === 'vllm'
          ? { role: 'assistant', content: null, tool_calls: [head] }
          : { role: 'assistant', content: null, tool_calls: [head], refusal: null };
      await send([choice(first)]);
      for (const piece of OPENAI_SCRIPT.toolCall.argumentPieces) {
        await send([choice({ tool_calls: [{ index: 0, function: { arguments: piece } }] })]);
      }
      await send([choice({}, 'tool_calls')]);
    }
    if (this.includeUsage) await send([], answer.usage);
    await writeFrame(res, 'data: [DONE]\n\n');
    res.end();
  }

  private chunk(choices: unknown[], usage: Usage | undefined): Record<string, unknown> {
    const base: Record<string, unknown> = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
    };
    if (this.flavour === 'vllm') {
      // vLLM leaves `usage` out of content chunks and adds it only to the final usage chunk.
      return usage === undefined
        ? { ...base, choices }
        : { ...base, choices, usage: { ...usage, prompt_tokens_details: null } };
    }
    const out: Record<string, unknown> = {
      ...base,
      service_tier: 'default',
      system_fingerprint: 'fp_scripted01',
      choices,
    };
    // OpenAI: with include_usage every chunk carries `usage`, null until the final choices-less one.
    if (this.includeUsage) out.usage = usage === undefined ? null : openAIUsage(usage);
    return out;
  }
}

function openAIUsage(usage: Usage): Record<string, unknown> {
  return {
    ...usage,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** A non-streaming answer cut half-way: the promised length never arrives. */
async function cutJson(res: ServerResponse, socket: Socket): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
  res.write('{"id":"chatcmpl-cut","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis');
  await sleep(30);
  socket.destroy();
}

function embeddings(flavour: OpenAIFlavour, request: ReceivedRequest, res: ServerResponse): void {
  const body = request.body;
  const input = body.input;
  const inputs = typeof input === 'string' ? [input] : Array.isArray(input) ? input : [];
  if (inputs.length === 0) {
    return sendError(flavour, res, 400, {
      message:
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  }
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((_, index) => {
    const vector = OPENAI_SCRIPT.embeddingFor(index);
    return {
      object: 'embedding',
      index,
      // The openai SDK asks for base64 by default: little-endian float32, as OpenAI sends it.
      embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
    };
  });
  const tokens = inputs.length * OPENAI_SCRIPT.embeddingTokensPerInput;
  sendJson(res, 200, {
    object: 'list',
    data,
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
