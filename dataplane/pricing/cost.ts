// Cost of a request from its token usage and the model's prices, in integer nano-dollars so that sums
// over millions of requests stay exact (no float drift).
import type { Pricing } from '../config/schema.js';
import type { TokenUsage } from '../pipeline/context.js';

/** USD per 1M tokens → nano-USD per token is ×1000. */
const NANO_PER_MTOK_UNIT = 1000;

export function costNanoUsd(usage: TokenUsage, pricing: Pricing): number {
  const cachedPrice = pricing.cached_input_per_mtok ?? pricing.input_per_mtok;
  const cached = Math.min(usage.cached, usage.prompt);
  const nano =
    (usage.prompt - cached) * pricing.input_per_mtok * NANO_PER_MTOK_UNIT +
    cached * cachedPrice * NANO_PER_MTOK_UNIT +
    usage.completion * pricing.output_per_mtok * NANO_PER_MTOK_UNIT;
  return Math.round(nano);
}
