// completion_upper_bound: request limits first, then config, then the context window, then the default.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  completionUpperBound,
  DEFAULT_COMPLETION_BOUND,
} from '../../../../dataplane/analysis/tokens/completion-bound.js';
import type { AnalysisRequest } from '../../../../dataplane/analysis/types.js';

function chat(body: Record<string, unknown>, extra: Partial<AnalysisRequest> = {}): AnalysisRequest {
  return {
    endpoint: 'chat',
    body: { model: 'gpt-4o', messages: [], ...body },
    upstreamModel: 'gpt-4o',
    provider: 'openai',
    ...extra,
  };
}

function messages(body: Record<string, unknown>, extra: Partial<AnalysisRequest> = {}): AnalysisRequest {
  return {
    endpoint: 'messages',
    body: { model: 'claude-sonnet-4', messages: [], ...body },
    upstreamModel: 'claude-sonnet-4',
    provider: 'anthropic',
    ...extra,
  };
}

describe('completionUpperBound', () => {
  it('prefers max_completion_tokens over max_tokens', () => {
    assert.equal(completionUpperBound(chat({ max_tokens: 100, max_completion_tokens: 300 }), 10), 300);
    assert.equal(completionUpperBound(chat({ max_tokens: 100 }), 10), 100);
    assert.equal(
      completionUpperBound(chat({ max_tokens: null, max_completion_tokens: null }), 10),
      DEFAULT_COMPLETION_BOUND,
    );
  });

  it('uses max_tokens for Anthropic Messages', () => {
    assert.equal(completionUpperBound(messages({ max_tokens: 1024, max_completion_tokens: 9 }), 10), 1024);
  });

  it('caps the requested limit at the configured max output', () => {
    assert.equal(
      completionUpperBound(chat({ max_tokens: 100_000 }, { maxOutputTokens: 16_384 }), 10),
      16_384,
    );
    assert.equal(completionUpperBound(chat({ max_tokens: 500 }, { maxOutputTokens: 16_384 }), 10), 500);
  });

  it('falls back to the configured max output, then the context window left, then the default', () => {
    assert.equal(
      completionUpperBound(chat({}, { maxOutputTokens: 8192, contextWindow: 128_000 }), 1000),
      8192,
    );
    assert.equal(completionUpperBound(chat({}, { contextWindow: 128_000 }), 1000), 127_000);
    assert.equal(completionUpperBound(chat({}), 1000), 4096);
  });

  it("without a request limit, the provider's own default (Anthropic requires one), capped by the model", () => {
    // A chat request to a Claude model goes out with the provider's default_max_tokens: that is the bound, not
    // the generic default and not what the context window leaves.
    const claude = { provider: 'anthropic' as const, providerDefaultMax: 16_000, contextWindow: 200_000 };
    assert.equal(completionUpperBound(chat({}, claude), 12), 16_000);
    assert.equal(completionUpperBound(chat({}, { ...claude, maxOutputTokens: 8192 }), 12), 8192);
    assert.equal(completionUpperBound(chat({ max_tokens: 300 }, claude), 12), 300);
  });

  it('is never negative', () => {
    assert.equal(completionUpperBound(chat({}, { contextWindow: 1000 }), 5000), 0);
  });

  it('multiplies by n, as each choice is billed', () => {
    assert.equal(completionUpperBound(chat({ max_tokens: 100, n: 3 }), 10), 300);
  });

  it('ignores malformed limits', () => {
    assert.equal(completionUpperBound(chat({ max_tokens: -5 }), 10), DEFAULT_COMPLETION_BOUND);
    assert.equal(completionUpperBound(chat({ max_tokens: '100' }), 10), DEFAULT_COMPLETION_BOUND);
  });
});
