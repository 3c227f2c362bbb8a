// Provider for OpenAI, Azure OpenAI and OpenAI-compatible servers (vLLM and the like).
import type { ChatCompletion, ChatRequest, ChatRequestBody } from '../../api/openai-chat.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../api/embeddings.js';
import type { ProviderConfig } from '../../config/schema.js';
import {
  createUpstreamClient,
  parseUpstreamJson,
  readUpstreamText,
  throwUpstreamStatus,
  type UpstreamClient,
} from '../../upstream/http-client.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { CallOptions, CountTokensResult, Provider } from '../types.js';
import { createOpenAIApi } from './api.js';
import { parseOpenAIError } from './errors.js';
import { openAIChunks } from './stream.js';
import { requireStopLimit } from './stop-limit.js';
import { withMaxTokensOnly } from './completion-limit.js';

type OpenAIFlavour = Extract<ProviderConfig, { type: 'openai' | 'azure-openai' | 'self-hosted' }>;

/** Azure accepts `max_completion_tokens` from this API version on (its o-series deployments require it). */
const AZURE_MAX_COMPLETION_TOKENS_SINCE = '2024-09-01';

/**
 * OpenAI's API and Azure's (recent versions) take `max_completion_tokens`; OpenAI-compatible servers (vLLM,
 * TGI, llama.cpp, Ollama) know `max_tokens`, and some ignore the newer name, which would leave answers unbounded.
 */
export function completionLimitFieldOf(config: OpenAIFlavour): Provider['completionLimitField'] {
  switch (config.type) {
    case 'openai':
      return 'max_completion_tokens';
    case 'azure-openai':
      return config.api_version >= AZURE_MAX_COMPLETION_TOKENS_SINCE ? 'max_completion_tokens' : 'max_tokens';
    case 'self-hosted':
      return 'max_tokens';
  }
}

export function createOpenAIProvider(id: string, config: OpenAIFlavour): Provider {
  const api = createOpenAIApi(config);
  const upstream: UpstreamClient = createUpstreamClient({
    baseUrl: config.base_url,
    timeouts: config.timeouts,
    connections: config.pool.connections,
    keepAliveMs: config.pool.keep_alive_ms,
  });
  const tokenizePath = tokenizePathOf(config.base_url);

  /** POSTs `body` as JSON and reports the status; the caller decides what an error status means. */
  async function send(path: string, body: object, call: CallOptions, fromOrigin = false) {
    const response = await upstream.send({
      method: 'POST',
      path,
      ...(fromOrigin ? { fromOrigin } : {}),
      headers: api.headers(call.requestId),
      body: JSON.stringify(body),
      signal: call.signal,
    });
    call.onUpstreamHeaders?.(response.status);
    return response;
  }

  async function post(operation: 'chat/completions' | 'embeddings', body: object, call: CallOptions) {
    const response = await send(api.path(operation, call.model.upstreamModel), body, call);
    if (response.status >= 400) await throwUpstreamStatus(response, parseOpenAIError);
    return response;
  }

  return {
    id,
    type: config.type,
    completionLimitField: completionLimitFieldOf(config),
    async chat(request: ChatRequestBody, call: CallOptions) {
      // Only a translated Messages request can carry more stop sequences than the chat edge allows.
      if (config.type !== 'self-hosted') requireStopLimit(request);
      const limited = config.type === 'self-hosted' ? withMaxTokensOnly(request) : request;
      const body: ChatRequestBody = { ...limited, model: call.model.upstreamModel };
      if (request.stream === true) {
        // Usage is always requested so it can be recorded and billed; the dispatch stage hides the extra
        // usage chunk from clients that did not ask for it.
        body.stream_options = { ...request.stream_options, include_usage: true };
        const response = await post('chat/completions', body, call);
        return { stream: true, chunks: openAIChunks(response, call.signal) };
      }
      const response = await post('chat/completions', body, call);
      const raw = await readUpstreamText(response);
      return { stream: false, body: parseUpstreamJson<ChatCompletion>(raw), raw };
    },
    async embeddings(request: EmbeddingsRequest, call: CallOptions) {
      const response = await post('embeddings', { ...request, model: call.model.upstreamModel }, call);
      const raw = await readUpstreamText(response);
      return { body: parseUpstreamJson<EmbeddingsResponse>(raw), raw };
    },
    ...(config.type === 'self-hosted' && config.count_tokens === 'tokenize'
      ? { countChatTokens: (request: ChatRequest, call: CallOptions) => tokenize(request, call) }
      : {}),
    close: () => upstream.close(),
  };

  /**
   * vLLM's `POST /tokenize` with the chat messages (and tools): its own chat template and tokenizer, so the
   * count is what its /v1/chat/completions will report as prompt_tokens. It lives beside /v1, at the root.
   */
  async function tokenize(request: ChatRequest, call: CallOptions): Promise<CountTokensResult> {
    const body = {
      model: call.model.upstreamModel,
      messages: request.messages,
      ...(request.tools === undefined ? {} : { tools: request.tools }),
      add_generation_prompt: true,
    };
    const response = await send(tokenizePath, body, call, true);
    // No such route: not a vLLM server, or a proxy that forwards only /v1. The operator's configuration, not
    // the client's request: a 502 that says so, not the upstream's 404 passed on as the client's.
    if (response.status === 404 || response.status === 405) {
      await readUpstreamText(response).catch(() => undefined);
      throw new GatewayError(
        'upstream_invalid_response',
        `The upstream has no POST ${tokenizePath} (count_tokens: tokenize needs a vLLM server).`,
      );
    }
    if (response.status >= 400) await throwUpstreamStatus(response, parseOpenAIError);
    const answer = parseUpstreamJson<unknown>(await readUpstreamText(response));
    const count =
      typeof answer === 'object' && answer !== null ? (answer as { count?: unknown }).count : undefined;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      throw new GatewayError(
        'upstream_invalid_response',
        'The upstream answered /tokenize without a whole count (is it a vLLM server?).',
      );
    }
    return { inputTokens: count, raw: undefined };
  }
}

/** vLLM serves /tokenize at the root of the server whose OpenAI API is at `base_url` (…/v1). */
export function tokenizePathOf(baseUrl: string): string {
  const path = new URL(baseUrl).pathname.replace(/\/+$/, '');
  return `${path.replace(/\/v1$/, '')}/tokenize`;
}
