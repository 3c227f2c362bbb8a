// The cost of a request from its usage: each part of the prompt at its own price, in exact nano-dollars.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pricingSchema } from '../../../dataplane/config/schema.js';
import { NO_USAGE } from '../../../dataplane/pipeline/context.js';
import {
  tokenCount,
  usageFromAnthropic,
  usageFromOpenAI,
} from '../../../dataplane/pipeline/dispatch/frames.js';
import { costNanoUsd } from '../../../dataplane/pricing/cost.js';
import { chatUsageOf } from '../../../dataplane/providers/anthropic/response-mapping.js';

// Claude Sonnet 4's list prices: $3 in, $15 out, cache reads $0.30, 5-minute cache writes $3.75 per 1M tokens.
const sonnet = pricingSchema.parse({
  input_per_mtok: 3,
  output_per_mtok: 15,
  cached_input_per_mtok: 0.3,
  cache_write_per_mtok: 3.75,
});

describe('costNanoUsd', () => {
  it('prices plain input, cache reads, cache writes and output apart', () => {
    const usage = { ...NO_USAGE, prompt: 10 + 2000 + 100, cached: 2000, cacheWrite: 100, completion: 7 };
    // 10 × 3000 + 2000 × 300 + 100 × 3750 + 7 × 15000 nano-USD
    assert.equal(costNanoUsd(usage, sonnet), 30_000 + 600_000 + 375_000 + 105_000);
  });

  it('prices cache writes and reads as input when the model has no cache prices', () => {
    const plain = pricingSchema.parse({ input_per_mtok: 3, output_per_mtok: 15 });
    const usage = { ...NO_USAGE, prompt: 1000, cached: 400, cacheWrite: 500, completion: 10 };
    assert.equal(costNanoUsd(usage, plain), 1000 * 3000 + 10 * 15000);
  });

  it('never bills more prompt tokens than the prompt had', () => {
    const usage = { ...NO_USAGE, prompt: 100, cached: 80, cacheWrite: 50 };
    // 80 read + 20 written (clamped), 0 plain
    assert.equal(costNanoUsd(usage, sonnet), 80 * 300 + 20 * 3750);
  });

  it('costs the same whether an Anthropic answer arrives natively or translated to OpenAI', () => {
    const native = {
      input_tokens: 10,
      output_tokens: 7,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 2000,
    };
    const direct = usageFromAnthropic(native);
    const translated = usageFromOpenAI(chatUsageOf(native));
    assert.deepEqual(translated, direct);
    assert.equal(direct.cacheWrite, 100);
    assert.equal(costNanoUsd(translated, sonnet), 1_110_000);
  });
});

describe('token counts from an upstream', () => {
  it('are whole numbers from 0 to the UInt32 maximum, whatever the provider sent', () => {
    assert.deepEqual(
      [-3, 2.5, 'x', null, undefined, Number.NaN, 1e300, 1e10, 42].map((v) => tokenCount(v)),
      [0, 3, 0, 0, 0, 0, 0xffff_ffff, 0xffff_ffff, 42],
    );
    const usage = usageFromOpenAI({
      prompt_tokens: -3,
      completion_tokens: 1e300,
      total_tokens: 0,
      prompt_tokens_details: { cached_tokens: 'x' as unknown as number },
    });
    assert.deepEqual(usage, { prompt: 0, completion: 0xffff_ffff, cached: 0, cacheWrite: 0, reasoning: 0 });
  });
});
