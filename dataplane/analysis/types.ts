// What the analysis task takes and returns. Everything here is plain data: it crosses the worker-thread
// boundary by structured clone.

export type AnalysisEndpoint = 'chat' | 'messages' | 'embeddings';

export type ProviderKind = 'openai' | 'azure-openai' | 'self-hosted' | 'anthropic' | 'simulator';

export interface AnalysisRequest {
  readonly endpoint: AnalysisEndpoint;
  /** The validated request body (OpenAI chat, Anthropic Messages or OpenAI embeddings shape). */
  readonly body: unknown;
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
  tokens: TokenAnalysis;
  complexity: ComplexityAnalysis;
  pii: PiiFinding[];
  injection: InjectionAnalysis;
}
