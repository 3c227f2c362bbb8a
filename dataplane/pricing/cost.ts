// Cost of a request from its token usage and the model's prices, in integer nano-dollars so that sums
// over millions of requests stay exact (no float drift).
import type { Pricing } from '../config/schema.js';
import type { TokenUsage } from '../pipeline/context.js';

/** USD per 1M tokens → nano-USD per token is ×1000. */
const NANO_PER_MTOK_UNIT = 1000;

/**
 * The prompt splits into cache reads, cache writes and the rest, each at its own price (cache prices default
 * to the input price). Reads and writes are clamped to the prompt, so a provider's inconsistent counts never
 * bill more tokens than the prompt had.
 */
export function costNanoUsd(usage: TokenUsage, pricing: Pricing): number {
  const cached = Math.min(usage.cached, usage.prompt);
  const written = Math.min(usage.cacheWrite, usage.prompt - cached);
  const nano =
    (usage.prompt - cached - written) * pricing.input_per_mtok * NANO_PER_MTOK_UNIT +
    cached * (pricing.cached_input_per_mtok ?? pricing.input_per_mtok) * NANO_PER_MTOK_UNIT +
    written * (pricing.cache_write_per_mtok ?? pricing.input_per_mtok) * NANO_PER_MTOK_UNIT +
    usage.completion * pricing.output_per_mtok * NANO_PER_MTOK_UNIT;
  return Math.round(nano);
}
