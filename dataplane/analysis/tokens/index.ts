// Prompt token counting for the analysis worker: exact for OpenAI models with a known tokenizer, a flagged
// estimate otherwise, plus the completion-token upper bound that budgets reserve.
import type { ChatRequest } from '../../api/openai-chat.js';
import type { MessagesRequest } from '../../api/anthropic-messages.js';
import { embeddingInputs } from '../../api/embedding-inputs.js';
import { messagesToChatRequest } from '../../providers/anthropic/request-mapping.js';
import type { AnalysisRequest, ProviderKind, TokenAnalysis } from '../types.js';
import { countMessagesPrompt } from './anthropic-count.js';
import { completionUpperBound } from './completion-bound.js';
import { createEncoderCache, type EncodingName } from './encoder-cache.js';
import { createGuardedCounter, type GuardedCounter } from './guarded-count.js';
import { imageSizeFromDataUrl } from './image-size.js';
import {
  anthropicImageTokens,
  imageProfileForModel,
  openAiImageTokens,
  type ImageDetail,
} from './image-tokens.js';
import { encodingForModel, usesLegacyChatFraming } from './model-encoding.js';
import { countChatPrompt } from './openai-chat-count.js';
import { createRunScanner } from './run-scanner.js';
import type { Counted } from './tally.js';

export { DEFAULT_COMPLETION_BOUND } from './completion-bound.js';
export { encodingForModel } from './model-encoding.js';

/**
 * Claude's tokenizer yields more tokens than o200k_base for the same text: ~16% for English prose, ~21% for
 * math and ~30% for code in a published Claude 3.5 Sonnet vs GPT-4o comparison, and Anthropic states up to
 * 35% more for its newest tokenizer. 1.2 sits in that range; budgets are reconciled with billed usage later.
 */
export const CLAUDE_TOKEN_FACTOR = 1.2;

export interface TokenCounter {
  count(request: AnalysisRequest): TokenAnalysis;
}

interface Plan {
  encoding: EncodingName;
  /** Multiplier from the stand-in encoding to the model's own tokenizer. */
  factor: number;
  /** Whether the count can be what the provider bills (it still may not be, e.g. for remote images). */
  billable: boolean;
  label: string;
}

const OPENAI_PROVIDERS: ReadonlySet<ProviderKind> = new Set(['openai', 'azure-openai']);

function plan(request: AnalysisRequest): Plan {
  if (request.provider === 'anthropic') {
    return {
      encoding: 'o200k_base',
      factor: CLAUDE_TOKEN_FACTOR,
      billable: false,
      label: `estimate:o200k_base*${CLAUDE_TOKEN_FACTOR}`,
    };
  }
  const model = encodingForModel(request.upstreamModel);
  // Exact only for the OpenAI wire format sent to OpenAI; the simulator and self-hosted servers count their own
  // way (Llama-like tokenizers land close to o200k, so no factor).
  const billable = OPENAI_PROVIDERS.has(request.provider) && model.known && request.endpoint === 'chat';
  const encoding = OPENAI_PROVIDERS.has(request.provider) ? model.encoding : 'o200k_base';
  return { encoding, factor: 1, billable, label: billable ? encoding : `estimate:${encoding}` };
}

export function createTokenCounter(): TokenCounter {
  const encoders = createEncoderCache();
  const scanRuns = createRunScanner(); // one class table for both encodings
  const guarded = new Map<EncodingName, GuardedCounter>();

  function textCounter(encoding: EncodingName, factor: number): (text: string) => Counted {
    let counter = guarded.get(encoding);
    if (counter === undefined) {
      counter = createGuardedCounter(encoders.get(encoding), scanRuns);
      guarded.set(encoding, counter);
    }
    const count = counter;
    if (factor === 1) return count;
    return (text) => {
      const counted = count(text);
      return { tokens: counted.tokens * factor, exact: false };
    };
  }

  function promptTokens(request: AnalysisRequest, p: Plan): Counted {
    const countText = textCounter(p.encoding, p.factor);
    if (request.endpoint === 'messages') {
      return countMessagesPrompt(request.body, {
        countText,
        model: request.upstreamModel,
        claudeToolPrompt: request.provider === 'anthropic',
      });
    }
    const image = (url: string, detail: ImageDetail): Counted => {
      const size = imageSizeFromDataUrl(url);
      if (request.provider === 'anthropic') return { tokens: anthropicImageTokens(size), exact: false };
      return openAiImageTokens(imageProfileForModel(request.upstreamModel), size, detail);
    };
    return countChatPrompt(request.body, {
      countText,
      image,
      legacyFraming: usesLegacyChatFraming(request.upstreamModel),
    });
  }

  /**
   * An embeddings request's input: its texts counted with the model's encoding (no chat framing: OpenAI bills
   * exactly the input's tokens), token arrays as their length. Nothing is generated.
   */
  function embeddingTokens(request: AnalysisRequest): TokenAnalysis {
    const openai = OPENAI_PROVIDERS.has(request.provider);
    const model = encodingForModel(request.upstreamModel);
    const encoding = openai ? model.encoding : 'o200k_base';
    const billable = openai && model.known;
    const countText = textCounter(encoding, 1);
    let tokens = 0;
    let exact = true;
    for (const item of embeddingInputs((request.body as { input?: unknown }).input)) {
      if (typeof item !== 'string') {
        tokens += item.length;
        continue;
      }
      const counted = countText(item);
      tokens += counted.tokens;
      exact &&= counted.exact;
    }
    return {
      prompt: tokens,
      encoding: billable ? encoding : `estimate:${encoding}`,
      exact: billable && exact,
      completion_upper_bound: 0,
      uncounted_parts: 0,
    };
  }

  return {
    count(original) {
      if (original.endpoint === 'embeddings') return embeddingTokens(original);
      const request = asSent(original);
      const p = plan(request);
      const counted = promptTokens(request, p);
      // Scaled estimates are fractional; the epsilon keeps 12.000000000000002 from becoming 13.
      const prompt = Math.ceil(counted.tokens - 1e-9);
      return {
        prompt,
        encoding: p.label,
        exact: p.billable && counted.exact,
        completion_upper_bound: completionUpperBound(request, prompt),
        uncounted_parts: counted.uncounted ?? 0,
      };
    },
  };
}

/**
 * A Messages body for an OpenAI-type model goes upstream as the chat request it translates to, and is counted
 * as that (exactly, for OpenAI's models). A body the translation refuses stays as it is (an estimate).
 */
function asSent(request: AnalysisRequest): AnalysisRequest {
  if (request.endpoint !== 'messages' || request.provider === 'anthropic') return request;
  let chat: ChatRequest;
  try {
    chat = messagesToChatRequest(request.body as MessagesRequest, request.upstreamModel);
  } catch {
    return request;
  }
  return { ...request, endpoint: 'chat', body: chat };
}
