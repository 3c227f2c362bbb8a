// A scripted Anthropic Messages upstream: checks headers and body as the real API does, answers whole or as
// the documented SSE event sequence. The upstream model name picks the script (script-text, script-529...).
import type { ServerResponse } from 'node:http';
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

export interface AnthropicUpstreamOptions {
  /** Requests without this x-api-key get Anthropic's 401 authentication_error. */
  apiKey: string;
}

const textPieces = ['Bonjour', ' from the scripted', ' Anthropic', ' upstream', ' — ça marche 🎉.'];
const inputPieces = ['{"city": "Pa', 'ris", "unit"', ': "celsius"}'];

/** What the scripts answer, for tests to compare with what reached the client. */
export const ANTHROPIC_SCRIPT = {
  textPieces,
  text: textPieces.join(''),
  usage: { input_tokens: 21, output_tokens: 9 },
  /** script-prompt-cache answers the usual text with this usage: a prompt mostly read from and written to the cache. */
  promptCacheUsage: {
    input_tokens: 12,
    output_tokens: 9,
    cache_creation_input_tokens: 1500,
    cache_read_input_tokens: 3000,
  },
  /** script-tools says this in a text block before its tool_use block, as Claude often does. */
  toolPreamble: "I'll look up the weather in Paris.",
  tool: { name: 'get_weather', input: { city: 'Paris', unit: 'celsius' }, inputPieces },
  toolUsage: { input_tokens: 384, output_tokens: 71 },
  afterToolText: 'It is 18 degrees and sunny in Paris.',
  afterToolUsage: { input_tokens: 470, output_tokens: 12 },
  overloaded: { type: 'overloaded_error', message: 'Overloaded' },
  invalidRequest: {
    type: 'invalid_request_error',
    message:
      'messages.0.content.0.image.source.base64.data: The image was specified using the image/png media type, but does not appear to be a valid png image',
  },
  /** Text deltas sent by script-overloaded-mid-stream before its in-stream `error` event. */
  piecesBeforeError: 2,
  /** Text deltas sent by script-reset-mid-stream before it destroys the socket. */
  piecesBeforeReset: 2,
  /**
   * What POST /v1/messages/count_tokens answers: the input tokens a Messages call of the same body would bill
   * (the script's usage for script-text), plus 10 for each tool (this script's stand-in for a tool's tokens).
   */
  countedTokens: (tools: number) => 21 + 10 * tools,
} as const;

// The fields count_tokens accepts (Anthropic's MessageCountTokensParams); max_tokens and stream are refused.
const COUNT_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'mcp_servers',
]);

// The fields the Messages API accepts; anything else is a 400, which catches leaked OpenAI-only fields.
const KNOWN_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
  'container',
  'mcp_servers',
]);

export async function startAnthropicUpstream(options: AnthropicUpstreamOptions): Promise<ScriptedServer> {
  return startScriptedServer((request, res) => route(options, request, res));
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const requestId = `req_${randomHex(24)}`;
  sendJson(
    res,
    status,
    { type: 'error', error: { type, message }, request_id: requestId },
    { 'request-id': requestId },
  );
}

interface Turn {
  role: string;
  content: string | { type: string; [key: string]: unknown }[];
}

async function route(
  options: AnthropicUpstreamOptions,
  request: ReceivedRequest,
  res: ServerResponse,
): Promise<void> {
  const path = request.path.split('?')[0];
  if (request.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')) {
    return sendError(res, 404, 'not_found_error', 'Not Found');
  }
  if (request.headers['x-api-key'] !== options.apiKey) {
    return sendError(res, 401, 'authentication_error', 'invalid x-api-key');
  }
  if (request.headers['anthropic-version'] === undefined) {
    return sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
  }
  const body = request.body;
  if (path === '/v1/messages/count_tokens') return countTokens(body, res);
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key))
      return sendError(res, 400, 'invalid_request_error', `${key}: Extra inputs are not permitted`);
  }
  if (typeof body.max_tokens !== 'number')
    return sendError(res, 400, 'invalid_request_error', 'max_tokens: Field required');
  const messages = Array.isArray(body.messages) ? (body.messages as Turn[]) : [];
  if (messages.length === 0) return sendError(res, 400, 'invalid_request_error', 'messages: Field required');
  const model = String(body.model);
  switch (model) {
    case 'script-529':
      return sendError(res, 529, ANTHROPIC_SCRIPT.overloaded.type, ANTHROPIC_SCRIPT.overloaded.message);
    case 'script-400':
      return sendError(
        res,
        400,
        ANTHROPIC_SCRIPT.invalidRequest.type,
        ANTHROPIC_SCRIPT.invalidRequest.message,
      );
    case 'script-text':
    case 'script-tools':
    case 'script-prompt-cache':
    case 'script-overloaded-mid-stream':
    case 'script-overloaded-at-start':
    case 'script-reset-mid-stream':
      break;
    default:
      return sendError(res, 404, 'not_found_error', `model: ${model}`);
  }
  const answer = planAnswer(model, messages);
  const id = `msg_01${randomHex(22)}`;
  const headers = { 'request-id': `req_${randomHex(24)}`, 'anthropic-organization-id': 'org-scripted' };
  if (body.stream !== true) return sendJson(res, 200, wholeMessage(id, model, answer), headers);
  beginSse(res, headers);
  if (model === 'script-overloaded-at-start') {
    // Anthropic may answer 200 and then report the overload as the stream's first event.
    await writeFrame(
      res,
      `event: error\ndata: ${JSON.stringify({ type: 'error', error: ANTHROPIC_SCRIPT.overloaded })}\n\n`,
    );
    res.end();
    return;
  }
  const failure =
    model === 'script-overloaded-mid-stream'
      ? 'error-event'
      : model === 'script-reset-mid-stream'
        ? 'reset'
        : undefined;
  await streamMessage(res, id, model, answer, failure);
}

function countTokens(body: Record<string, unknown>, res: ServerResponse): void {
  for (const key of Object.keys(body)) {
    if (!COUNT_FIELDS.has(key))
      return sendError(res, 400, 'invalid_request_error', `${key}: Extra inputs are not permitted`);
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return sendError(res, 400, 'invalid_request_error', 'messages: Field required');
  const model = String(body.model);
  if (model === 'script-529')
    return sendError(res, 529, ANTHROPIC_SCRIPT.overloaded.type, ANTHROPIC_SCRIPT.overloaded.message);
  if (!model.startsWith('script-')) return sendError(res, 404, 'not_found_error', `model: ${model}`);
  const tools = Array.isArray(body.tools) ? body.tools.length : 0;
  sendJson(
    res,
    200,
    { input_tokens: ANTHROPIC_SCRIPT.countedTokens(tools) },
    {
      'request-id': `req_${randomHex(24)}`,
    },
  );
}

interface Answer {
  preamble: string | undefined;
  textPieces: readonly string[];
  tool: { id: string } | undefined;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens?: number;
    cache_read_input_tokens?: number;
  };
}

function planAnswer(model: string, messages: readonly Turn[]): Answer {
  if (model === 'script-prompt-cache') {
    return { preamble: undefined, textPieces, tool: undefined, usage: ANTHROPIC_SCRIPT.promptCacheUsage };
  }
  if (model !== 'script-tools') {
    return { preamble: undefined, textPieces, tool: undefined, usage: ANTHROPIC_SCRIPT.usage };
  }
  const last = messages.at(-1);
  const hasResult =
    last?.role === 'user' &&
    Array.isArray(last.content) &&
    last.content.some((b) => b.type === 'tool_result');
  // Like Claude: once the tool's result is in the conversation, it answers in words.
  if (hasResult) {
    return {
      preamble: undefined,
      textPieces: [ANTHROPIC_SCRIPT.afterToolText],
      tool: undefined,
      usage: ANTHROPIC_SCRIPT.afterToolUsage,
    };
  }
  return {
    preamble: ANTHROPIC_SCRIPT.toolPreamble,
    textPieces: [],
    tool: { id: `toolu_01${randomHex(22)}` },
    usage: ANTHROPIC_SCRIPT.toolUsage,
  };
}

function fullUsage(usage: Answer['usage']): Record<string, unknown> {
  return {
    input_tokens: usage.input_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    output_tokens: usage.output_tokens,
    service_tier: 'standard',
  };
}

function wholeMessage(id: string, model: string, answer: Answer): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (answer.tool !== undefined) {
    content.push({ type: 'text', text: answer.preamble });
    content.push({
      type: 'tool_use',
      id: answer.tool.id,
      name: ANTHROPIC_SCRIPT.tool.name,
      input: ANTHROPIC_SCRIPT.tool.input,
    });
  } else {
    content.push({ type: 'text', text: answer.textPieces.join('') });
  }
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: answer.tool === undefined ? 'end_turn' : 'tool_use',
    stop_sequence: null,
    usage: fullUsage(answer.usage),
  };
}

/** The documented event order: message_start, blocks (start, ping after the first, deltas, stop), message_delta, message_stop. */
async function streamMessage(
  res: ServerResponse,
  id: string,
  model: string,
  answer: Answer,
  failure: 'error-event' | 'reset' | undefined,
): Promise<void> {
  const event = (type: string, data: Record<string, unknown>) =>
    writeFrame(res, `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  await event('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Anthropic reports the input up front and a placeholder output count, completed by message_delta.
      usage: fullUsage({ ...answer.usage, output_tokens: 1 }),
    },
  });
  const text = answer.tool === undefined ? answer.textPieces : [answer.preamble ?? ''];
  await event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  await event('ping', {});
  for (const [i, piece] of text.entries()) {
    if (failure === 'error-event' && i === ANTHROPIC_SCRIPT.piecesBeforeError) {
      await event('error', { error: ANTHROPIC_SCRIPT.overloaded });
      res.end();
      return;
    }
    if (failure === 'reset' && i === ANTHROPIC_SCRIPT.piecesBeforeReset) {
      // Give the gateway time to forward what it got, then vanish as a crashed connection would.
      await sleep(30);
      res.socket?.destroy();
      return;
    }
    await event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  }
  await event('content_block_stop', { index: 0 });
  if (answer.tool !== undefined) {
    await event('content_block_start', {
      index: 1,
      content_block: { type: 'tool_use', id: answer.tool.id, name: ANTHROPIC_SCRIPT.tool.name, input: {} },
    });
    for (const piece of ANTHROPIC_SCRIPT.tool.inputPieces) {
      await event('content_block_delta', {
        index: 1,
        delta: { type: 'input_json_delta', partial_json: piece },
      });
    }
    await event('content_block_stop', { index: 1 });
  }
  await event('message_delta', {
    delta: { stop_reason: answer.tool === undefined ? 'end_turn' : 'tool_use', stop_sequence: null },
    usage: { output_tokens: answer.usage.output_tokens },
  });
  await event('message_stop', {});
  res.end();
}
