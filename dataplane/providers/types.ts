// What every provider implements. Providers speak OpenAI chat natively (`chat`); a provider may also speak
// Anthropic Messages natively (`messages`), otherwise the dispatch stage translates through `chat`.
import type { ChatChunk, ChatCompletion, ChatRequest } from '../api/openai-chat.js';
import type {
  AnthropicMessage,
  AnthropicStreamEvent,
  CountTokensRequest,
  MessagesRequest,
} from '../api/anthropic-messages.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../api/embeddings.js';
import type { ModelConfig, ProviderConfig } from '../config/schema.js';
import type { Abortable } from '../net/abortable.js';

export interface ResolvedModel {
  /** The id the client asked for (config key). */
  readonly id: string;
  /** The name sent upstream. */
  readonly upstreamModel: string;
  readonly config: ModelConfig;
}

export interface CallOptions {
  readonly signal: Abortable;
  readonly requestId: string;
  readonly model: ResolvedModel;
  /**
   * The client's `anthropic-beta` header on /v1/messages (beta features it asks Anthropic for): the Anthropic
   * provider passes on the names its `client_betas` allows, alongside any configured betas.
   */
  readonly anthropicBeta?: string;
  /** Called once when the upstream's response headers arrive (time-to-first-byte of the upstream), with its status. */
  readonly onUpstreamHeaders?: (status: number) => void;
}

/**
 * One streamed item. `raw` is the upstream's exact JSON text when `data` was not changed, so a pass-through
 * stream is forwarded without re-serialising; translated items have no `raw`.
 */
export interface StreamItem<T> {
  readonly data: T;
  readonly raw: string | undefined;
}

export type ChatResult =
  | { readonly stream: false; readonly body: ChatCompletion; readonly raw: string | undefined }
  | { readonly stream: true; readonly chunks: AsyncIterable<StreamItem<ChatChunk>> };

export type MessagesResult =
  | { readonly stream: false; readonly body: AnthropicMessage; readonly raw: string | undefined }
  | { readonly stream: true; readonly events: AsyncIterable<StreamItem<AnthropicStreamEvent>> };

export interface EmbeddingsResult {
  readonly body: EmbeddingsResponse;
  readonly raw: string | undefined;
}

/** A provider's own count of a Messages body's input tokens; `raw` is the upstream's answer, passed on. */
export interface CountTokensResult {
  readonly inputTokens: number;
  readonly raw: string | undefined;
}

export interface Provider {
  readonly id: string;
  readonly type: ProviderConfig['type'];
  /**
   * Which field carries the completion limit in this upstream's chat API, for requests the gateway writes
   * itself (a Messages body translated to chat). OpenAI's reasoning models refuse `max_tokens`.
   */
  readonly completionLimitField: 'max_tokens' | 'max_completion_tokens';
  /**
   * OpenAI chat completion. A streamed result must always end with a chunk carrying `usage` (providers ask
   * their upstream for it whatever the client asked), and must throw rather than end silently when cut.
   * Tools are function tools, except for the providers that pass them through (`passesToolsThrough`): those
   * also get custom tools and allowed_tools choices, which the dispatch stage refuses for the others.
   */
  chat(request: ChatRequest, call: CallOptions): Promise<ChatResult>;
  /** Native Anthropic Messages, when the upstream speaks it. Same usage and ending rules as `chat`. */
  messages?(request: MessagesRequest, call: CallOptions): Promise<MessagesResult>;
  embeddings?(request: EmbeddingsRequest, call: CallOptions): Promise<EmbeddingsResult>;
  /**
   * The input tokens a Messages body will be billed, counted the way this provider bills them: Anthropic's
   * count_tokens API, the simulator's own count. Without it, /v1/messages/count_tokens counts with the
   * analysis' tokenizer for the model.
   */
  countTokens?(request: CountTokensRequest, call: CallOptions): Promise<CountTokensResult>;
  /**
   * The same for a provider that counts chat requests (vLLM's /tokenize): the count-tokens stage hands it the
   * Messages body translated as /v1/messages would send it.
   */
  countChatTokens?(request: ChatRequest, call: CallOptions): Promise<CountTokensResult>;
  /** Closes keep-alive pools; in-flight calls finish first. */
  close(): Promise<void>;
}

/**
 * Whether a provider forwards a chat request's tools as they are, so custom tools and allowed_tools choices
 * reach an upstream that knows them; the others interpret tools and understand function tools only.
 */
export function passesToolsThrough(type: ProviderConfig['type']): boolean {
  return type === 'openai' || type === 'azure-openai' || type === 'self-hosted';
}
