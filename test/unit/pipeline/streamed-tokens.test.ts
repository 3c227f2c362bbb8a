// The estimate of a stream's completion tokens from its deltas, which budgets check and a cut stream is billed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateTokens } from '../../../dataplane/pipeline/dispatch/streamed-tokens.js';

describe('streamed token estimate', () => {
  it('about four ASCII characters a token, at least one a delta, nothing for an empty one', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('Hi'), 1);
    assert.equal(estimateTokens(' the'), 1);
    // A multi-token delta (Anthropic streams several words at once) counts as several tokens, not one.
    assert.equal(estimateTokens('The quick brown fox jumps over the lazy dog.'), 11);
  });

  it('counts other scripts closer to a token a character', () => {
    assert.ok(Math.abs(estimateTokens('東京都の天気') - 4) < 1e-9);
    assert.ok(estimateTokens('Grüße aus Köln') > estimateTokens('Grusse aus Koln'));
  });
});
