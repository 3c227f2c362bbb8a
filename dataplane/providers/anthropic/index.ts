// Provider for the Anthropic Messages API: native `messages` passes through, `chat` translates OpenAI chat to
// Messages and back.
import type { ChatRequest } from '../../api/openai-chat.js';
import type {
  AnthropicMessage,
  AnthropicStreamEvent,
  CountTokensRequest,
  MessagesRequest,
} from '../../api/anthropic-messages.js';
import type { ProviderConfig } from '../../config/schema.js';
import { GatewayError } from '../../errors/gateway-error.js';
import {
  createUpstreamClient,
  parseUpstreamJson,
  readUpstreamText,
  throwUpstreamStatus,
  type UpstreamClient,
  type UpstreamResponse,
} from '../../upstream/http-client.js';
import { jsonSseEvents } from '../../upstream/json-sse.js';
import type {
  CallOptions,
  ChatResult,
  CountTokensResult,
  MessagesResult,
  Provider,
  StreamItem,
} from '../types.js';
import { createAnthropicApi } from './api.js';
import { anthropicStreamError, parseAnthropicError } from './errors.js';
import { chatToMessagesRequest } from './request-mapping.js';
import { messageToChatCompletion } from './response-mapping.js';
import { anthropicEventsToChatChunks } from './stream-mapping.js';
import type { Abortable } from '../../net/abortable.js';

type AnthropicConfig = Extract<ProviderConfig, { type: 'anthropic' }>;

export function createAnthropicProvider(id: string, config: AnthropicConfig): Provider {
  const api = createAnthropicApi(config);
  const upstream: UpstreamClient = createUpstreamClient({
    baseUrl: config.base_url,
    timeouts: config.timeouts,
    connections: config.pool.connections,
    keepAliveMs: config.pool.keep_alive_ms,
  });

  async function post(body: object, call: CallOptions, path = api.path): Promise<UpstreamResponse> {
    const response = await upstream.send({
      method: 'POST',
      path,
      headers: api.headers(call.requestId, call.anthropicBeta),
      body: JSON.stringify(body),
      signal: call.signal,
    });
    call.onUpstreamHeaders?.(response.status);
    if (response.status >= 400) await throwUpstreamStatus(response, parseAnthropicError);
    return response;
  }

  return {
    id,
    type: config.type,
    // Messages bodies go here natively; a chat request's mapping reads either field.
    completionLimitField: 'max_tokens',
    async messages(request: MessagesRequest, call: CallOptions): Promise<MessagesResult> {
      const response = await post({ ...request, model: call.model.upstreamModel }, call);
      if (request.stream === true) return { stream: true, events: anthropicEvents(response, call.signal) };
      const raw = await readUpstreamText(response);
      return { stream: false, body: parseUpstreamJson<AnthropicMessage>(raw), raw };
    },
    async chat(request: ChatRequest, call: CallOptions): Promise<ChatResult> {
      // Anthropic requires max_tokens; the provider default never exceeds what the model can produce.
      const modelMax = call.model.config.max_output_tokens;
      const defaultMax =
        modelMax === undefined ? config.default_max_tokens : Math.min(modelMax, config.default_max_tokens);
      const body = chatToMessagesRequest(request, call.model.upstreamModel, defaultMax);
      const response = await post(body, call);
      if (request.stream === true) {
        return { stream: true, chunks: anthropicEventsToChatChunks(anthropicEvents(response, call.signal)) };
      }
      const text = await readUpstreamText(response);
      return {
        stream: false,
        body: messageToChatCompletion(parseUpstreamJson<AnthropicMessage>(text)),
        raw: undefined,
      };
    },
    async countTokens(request: CountTokensRequest, call: CallOptions): Promise<CountTokensResult> {
      const response = await post(
        countableBody(request, call.model.upstreamModel),
        call,
        api.countTokensPath,
      );
      const raw = await readUpstreamText(response);
      const body = parseUpstreamJson<unknown>(raw);
      const count =
        typeof body === 'object' && body !== null
          ? (body as { input_tokens?: unknown }).input_tokens
          : undefined;
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
        throw new GatewayError(
          'upstream_invalid_response',
          'The upstream answered the token count without a whole input_tokens.',
        );
      }
      return { inputTokens: count, raw };
    },
    close: () => upstream.close(),
  };
}

/**
 * Fields of a Messages body that shape the generation, not the prompt: Anthropic's count_tokens refuses them
 * ("Extra inputs are not permitted"), so a body written for /v1/messages is counted without them, as it is for
 * every other provider (and through a router, whichever target the prompt goes to).
 */
const GENERATION_ONLY = new Set([
  'max_tokens',
  'stream',
  'metadata',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'service_tier',
]);

function countableBody(request: CountTokensRequest, upstreamModel: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) if (!GENERATION_ONLY.has(key)) body[key] = value;
  body.model = upstreamModel;
  return body;
}

/**
 * Anthropic SSE → events, each with its exact JSON text for pass-through. The stream must end with
 * message_stop; an end without it, a socket error or an `error` event is thrown, never passed off as an end.
 */
function anthropicEvents(
  response: UpstreamResponse,
  signal: Abortable,
): AsyncGenerator<StreamItem<AnthropicStreamEvent>> {
  return jsonSseEvents<AnthropicStreamEvent>(response, signal, {
    endMarker: 'message_stop',
    isLast: (data) => data.type === 'message_stop',
    check(data) {
      if (typeof data !== 'object' || data === null || typeof data.type !== 'string') {
        throw new GatewayError(
          'upstream_invalid_response',
          'The upstream stream sent an event without a type.',
        );
      }
      if (data.type === 'error') throw anthropicStreamError(data.error);
      return undefined;
    },
  });
}
