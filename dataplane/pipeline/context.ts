// The per-request context that flows through the pipeline stages.
import type { ChatRequestBody } from '../api/openai-chat.js';
import type { CountTokensRequest, MessagesRequest } from '../api/anthropic-messages.js';
import type { EmbeddingsRequest } from '../api/embeddings.js';
import type { Analysis } from '../analysis/types.js';
import type { Identity } from '../auth/identity.js';
import type { Runtime, RoutableModel } from '../config/runtime.js';
import type { ComplexityRouter } from '../routing/complexity-router.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { HttpExchange } from '../server/exchange.js';
import type { AnthropicStreamEvent } from '../api/anthropic-messages.js';
import type { ChatChunk } from '../api/openai-chat.js';
import type { Abortable } from '../net/abortable.js';
import type { CacheableEndpoint } from '../cache/answer.js';
import type { CachePolicy, PolicyInput } from '../cache/policy.js';

export type Endpoint =
  'chat' | 'messages' | 'count_tokens' | 'embeddings' | 'analyze' | 'models' | 'budgets' | 'admin' | 'other';

export type RequestInput =
  | { readonly endpoint: 'chat'; readonly body: ChatRequestBody }
  | { readonly endpoint: 'messages'; readonly body: MessagesRequest }
  | { readonly endpoint: 'embeddings'; readonly body: EmbeddingsRequest }
  | { readonly endpoint: 'count_tokens'; readonly body: CountTokensRequest };

/** What the respond stage writes: a whole JSON body, or SSE frames pulled one at a time. */
export type ResponsePlan =
  | { readonly kind: 'json'; readonly status: number; readonly body: string }
  | {
      readonly kind: 'sse';
      readonly status: number;
      readonly frames: AsyncIterable<string>;
      /** The endpoint's framing of an error that happens after the stream started. */
      readonly errorFrame: (error: GatewayError) => string;
    };

export interface TokenUsage {
  /** Every input token, cache reads and writes included (OpenAI's prompt_tokens). */
  prompt: number;
  completion: number;
  /** Of `prompt`, read from the provider's prompt cache (priced at `cached_input_per_mtok`). */
  cached: number;
  /** Of `prompt`, written to the provider's prompt cache (Anthropic; priced at `cache_write_per_mtok`). */
  cacheWrite: number;
  reasoning: number;
}

export const NO_USAGE: Readonly<TokenUsage> = Object.freeze({
  prompt: 0,
  completion: 0,
  cached: 0,
  cacheWrite: 0,
  reasoning: 0,
});

/** Milliseconds from performance.now(), relative to nothing; differences are what count. */
export interface Timings {
  readonly start: number;
  upstreamStart?: number;
  upstreamHeaders?: number;
  /** Upstream answer complete (whole JSON read, or stream ended). */
  upstreamEnd?: number;
  firstByte?: number;
  end?: number;
}

/** A request as the cache sees it (stages/cache.ts `cacheView`). */
export interface CacheView {
  readonly endpoint: CacheableEndpoint;
  readonly body: Readonly<Record<string, unknown>>;
  /** The policy's input, without the PII count the analysis gives later. */
  readonly policyInput: Omit<PolicyInput, 'piiFindings'>;
  /** The policy with PII taken as none; the lookup applies the count. */
  readonly policy: CachePolicy;
}

/** What the cache did for a request, for headers and the record. */
export interface CacheOutcome {
  readonly status: 'miss' | 'exact' | 'semantic';
  /** Similarity of the nearest semantic neighbour (of the hit, for a semantic hit). */
  readonly similarity: number | null;
  /** What the cached answer cost originally, nano-USD: the spend a hit avoided. */
  readonly costAvoidedNano: number;
}

/** Sees each upstream stream item as it passes (the cache accumulates the answer it will store). */
export interface StreamTap {
  chat?(chunk: ChatChunk): void;
  messages?(event: AnthropicStreamEvent): void;
}

/** Bodies kept for the audit log (analytics.bodies), cut to their bound as they are captured. */
export interface CapturedBodies {
  request: string;
  requestTruncated: boolean;
  /** The JSON answer; for SSE, read from `frames` once the stream is over. */
  response: string;
  responseTruncated: boolean;
  frames?: { text(): string; readonly truncated: boolean };
}

export interface GatewayContext {
  /** UUIDv7, the record's key. */
  readonly id: string;
  /** What the client sent as x-request-id, echoed back when present and sane. */
  readonly clientRequestId: string | undefined;
  readonly endpoint: Endpoint;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The peer's address bytes, or the X-Forwarded-For text when trusted; see clientIp() in record.ts. Empty
   * when no record sink listens (nothing would store it).
   */
  readonly clientAddress: Uint8Array | string;
  /** Unix epoch milliseconds when the request arrived. */
  readonly receivedAt: number;
  readonly timings: Timings;
  readonly runtime: Runtime;
  readonly exchange: HttpExchange;
  readonly signal: Abortable;
  /** Why the body's framing could not be trusted (the connection was closed unanswered); set by the handler. */
  framingProblem?: string;
  /**
   * What the body said it wanted, read by the parse stage as soon as the body is a JSON object, before its
   * schema is checked: a request refused for its schema is still recorded with its model and stream flag.
   */
  claimed?: { readonly model: string | undefined; readonly stream: boolean };
  /** Set by the parse stage. */
  input?: RequestInput;
  /**
   * Set by the route stage; for a router's request, first its provisional target, then (route-by-complexity
   * stage, after the analysis) the target it chose.
   */
  route?: RoutableModel;
  /** The complexity router the request named (route stage). */
  router?: ComplexityRouter;
  /** Why `route` was chosen, for the record: `static`, or `complexity:<class>` once a router chose. */
  routeReason?: string;
  /** Set by the analyze stage. */
  analysis?: Analysis;
  /** Set by dispatch (or a cache hit, later). */
  response?: ResponsePlan;
  /**
   * Completion tokens streamed so far, estimated from the deltas' text (dispatch/streamed-tokens.ts): what a
   * budget's allowance is checked against, and what a stream cut short is billed.
   */
  streamedTokens: number;
  /** The upstream's HTTP status, once its headers arrived (an error status is not billed). */
  upstreamStatus?: number;
  /** Deltas and their text's token share, behind streamedTokens (dispatch/streamed-tokens.ts). */
  streamedDeltas: number;
  streamedText: number;
  /** The usage on ctx.usage is the upstream's own final count (OpenAI's usage chunk, Anthropic's message_delta). */
  usageFinal?: boolean;
  /**
   * Most completion tokens the upstream can generate, when it was told a limit (set by the dispatch stage):
   * an estimate of the completion (no usage from the upstream) never bills more.
   */
  completionCap?: number;
  /** The SSE response's first frame was written: the client got an answer, not an error status. */
  streamStarted?: boolean;
  /** Set by the auth stage. */
  identity?: Identity;
  /** Whose authentic but refused credential it was (an expired key): for the record only, never for access. */
  refusedIdentity?: Identity;
  /** Filled as soon as known; for streams, when the usage chunk passes. */
  usage?: TokenUsage;
  /**
   * What the cache sees of this request and its policy before the analysis, decided once by the first cache
   * stage that asks (cache-prefetch, else cache; see stages/cache.ts `cacheView`); null when the cache does
   * not apply.
   */
  cacheView?: CacheView | null;
  /** Set by the cache stage when the cache was consulted. */
  cache?: CacheOutcome;
  /** Set by the cache stage on a miss it may store. */
  tap?: StreamTap;
  /** Set by the capture-bodies stage when the audit log of bodies is on. */
  bodies?: CapturedBodies;
  /** Set by the respond stage when the request failed. */
  error?: GatewayError;
  /** Status actually sent to the client (0 when the client went away first). */
  status: number;
  /** Extra response headers (rate-limit headers, retry-after, cache status...). */
  readonly responseHeaders: Record<string, string>;
}
