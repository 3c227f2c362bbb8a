// Hand-labelled complexity prompts: the item shape, the three sets, and turning an item into a request.
// Labels follow the class definitions in docs/analysis.md, not the scorer's output.
import { extractSegments } from '../../../../dataplane/analysis/extract.js';
import type { AnalysisRequest, ComplexityClass, TextSegment } from '../../../../dataplane/analysis/types.js';

export interface CalibrationItem {
  readonly prompt: string;
  readonly label: ComplexityClass;
  /** Earlier turns, oldest first, alternating user then assistant, sent before `prompt`. */
  readonly history?: readonly string[];
  /** Number of tool definitions sent with the request. */
  readonly tools?: number;
  readonly system?: string;
}

export { CALIBRATION } from './calibration-set.js';
export { FRESH, HOLDOUT } from './unseen-sets.js';

export interface PreparedRequest {
  readonly request: AnalysisRequest;
  readonly segments: TextSegment[];
  readonly promptTokens: number;
}

/**
 * Rough token estimate (about 4 characters per token for ASCII, one per other character, plus per-message
 * overhead) so the calibration does not depend on a tokenizer; the gateway passes exact counts.
 */
export function estimateTokens(texts: readonly string[]): number {
  let tokens = 3;
  for (const text of texts) {
    let ascii = 0;
    let other = 0;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) < 0x80) ascii += 1;
      else other += 1;
    }
    tokens += 4 + Math.ceil(ascii / 4) + other;
  }
  return tokens;
}

/** An OpenAI chat request for a calibration item, with its segments and estimated prompt tokens. */
export function toRequest(item: CalibrationItem): PreparedRequest {
  const messages: { role: string; content: string }[] = [];
  if (item.system !== undefined) messages.push({ role: 'system', content: item.system });
  (item.history ?? []).forEach((content, i) =>
    messages.push({ role: i % 2 === 0 ? 'user' : 'assistant', content }),
  );
  messages.push({ role: 'user', content: item.prompt });
  const tools = Array.from({ length: item.tools ?? 0 }, (_, i) => ({
    type: 'function',
    function: {
      name: `tool_${i}`,
      description: `Tool number ${i}`,
      parameters: { type: 'object', properties: {} },
    },
  }));
  const body = { model: 'gpt-4o', messages, ...(tools.length > 0 ? { tools } : {}) };
  const request: AnalysisRequest = { endpoint: 'chat', body, upstreamModel: 'gpt-4o', provider: 'openai' };
  const toolText = tools.map((t) => JSON.stringify(t));
  return {
    request,
    segments: extractSegments('chat', body),
    promptTokens: estimateTokens([...messages.map((m) => m.content), ...toolText]),
  };
}
