// What the analysis task takes and returns. Everything here is plain data: it crosses the worker-thread
// boundary by structured clone.
import type { ClassThresholds } from './complexity/weights.js';

export type AnalysisEndpoint = 'chat' | 'messages' | 'embeddings';

export type ProviderKind = 'openai' | 'azure-openai' | 'self-hosted' | 'anthropic' | 'simulator';

/** What the token count depends on in a model: its tokenizer and its completion limits. */
export interface AnalysisTarget {
  /** Model name as sent upstream (decides the tokenizer). */
  readonly upstreamModel: string;
  readonly provider: ProviderKind;
  /** The model's max output tokens from config, when known (bounds completion_upper_bound). */
  readonly maxOutputTokens?: number;
  /** The model's context window from config, when known. */
  readonly contextWindow?: number;
  /** The completion limit the provider sends when the request sets none (Anthropic's `default_max_tokens`). */
  readonly providerDefaultMax?: number;
}

export interface AnalysisRequest extends AnalysisTarget {
  readonly endpoint: AnalysisEndpoint;
  /** The validated request body (OpenAI chat, Anthropic Messages or OpenAI embeddings shape). */
  readonly body: unknown;
  /**
   * The request names a complexity router: the analysis also picks the target (by the router's thresholds)
   * and counts the tokens for that target's tokenizer, so the choice costs no second round trip. The fields
   * above then describe one of the targets, the one the length feature is counted with.
   */
  readonly routing?: RoutingRequest;
}

export interface RoutingRequest {
  /** Score boundaries of this router: medium from `medium` on, complex from `complex` on. */
  readonly thresholds: ClassThresholds;
  /**
   * The targets whose tokenizer or limits differ from the model described above, by class: when the class
   * chosen is one of them, the tokens are counted again for it. Only these travel with every task (a router
   * whose targets all count alike sends none).
   */
  readonly recount?: Readonly<Partial<Record<ComplexityClass, AnalysisTarget>>>;
}

/** What a complexity router chose, and why. */
export interface RoutingAnalysis {
  /** The class by the router's thresholds (may differ from complexity.class when they are not the default). */
  class: ComplexityClass;
  score: number;
}

/** One piece of prompt text with where it sits, for findings' locations. */
export interface TextSegment {
  /** Index in `messages`; -1 for Anthropic's top-level `system`. */
  readonly message: number;
  /** Index of the content part/block in that message, or null when content is a plain string. */
  readonly part: number | null;
  readonly role: string;
  readonly text: string;
  /** JSON pointer (RFC 6901) of the string in the request body that `text` is. */
  readonly path: string;
  /** `text` is JSON (tool-call arguments): its escapes (`\n`…) separate words as whitespace would. */
  readonly json?: boolean;
}

export interface TokenAnalysis {
  prompt: number;
  /** Tokenizer used: o200k_base, cl100k_base, or `estimate` for models whose tokenizer is not public. */
  encoding: string;
  /** True only when the count is what the provider will bill. */
  exact: boolean;
  /** Most completion tokens the call can produce (max_tokens, else the model's limit), for budget reservation. */
  completion_upper_bound: number;
  /**
   * Parts of the prompt whose tokens `prompt` leaves out (audio, PDF and other files: media not decoded here).
   * When non-zero, `prompt` is only a lower bound, and budgets reserve the model's context window instead.
   */
  uncounted_parts: number;
}

export type ComplexityClass = 'simple' | 'medium' | 'complex';

export interface ComplexityAnalysis {
  score: number;
  class: ComplexityClass;
  features: Record<string, number | string | boolean>;
}

export interface PiiFinding {
  /** Presidio entity names (EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN, IP_ADDRESS) or SECRET. */
  type: string;
  /** For SECRET: openai, anthropic, aws_access_key, github, google, slack, stripe, private_key, jwt, generic... */
  subtype?: string;
  message: number;
  part: number | null;
  /**
   * JSON pointer of the string in the request the span is in, e.g. `/messages/1/tool_calls/0/function/arguments`
   * (for an Anthropic `tool_use` block, `…/input`: offsets into the input serialised as compact JSON).
   */
  path: string;
  /** UTF-16 offsets into that string, end exclusive. */
  start: number;
  end: number;
  confidence: number;
}

export interface InjectionAnalysis {
  score: number;
  signals: string[];
}

export interface Analysis {
  /** Counted for the model the request goes to (for a router's request, the chosen target). */
  tokens: TokenAnalysis;
  complexity: ComplexityAnalysis;
  pii: PiiFinding[];
  injection: InjectionAnalysis;
  /** Present when the request named a complexity router. */
  routing?: RoutingAnalysis;
}
