// The encoders' merge-cache guard: gpt-tokenizer's cache degrades once full and churning, so it is cleared
// before it can fill; counts stay exact across the clears.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { GptEncoding } from 'gpt-tokenizer/GptEncoding';
import {
  createEncoderCache,
  guardedEncoder,
  mergeCacheGuard,
} from '../../../../dataplane/analysis/tokens/encoder-cache.js';

describe('merge cache guard', () => {
  it('clears before the characters since the last clear would pass the limit, never before a first text', () => {
    const mustClear = mergeCacheGuard(100);
    assert.deepEqual(
      [60, 40, 1, 30, 200, 5, 500].map((length) => mustClear(length)),
      // 60, 100 (= limit, no clear), 101 → clear; 1 + 30, then 231 → clear; 200 + 5 → clear; 5 + 500 → clear.
      [false, false, true, false, true, true, true],
    );
  });

  it('a text larger than the limit alone is never preceded by a needless clear', () => {
    const mustClear = mergeCacheGuard(100);
    assert.equal(mustClear(1000), false);
    assert.equal(mustClear(1), true, 'the next one starts on a cleared cache');
  });

  it('the encoder clears the merge cache when the guard says so, before counting or encoding', () => {
    const calls: string[] = [];
    const api = {
      countTokens: (text: string) => {
        calls.push(`count ${text.length}`);
        return 1;
      },
      encode: (text: string) => {
        calls.push(`encode ${text.length}`);
        return [1];
      },
      clearMergeCache: () => calls.push('clear'),
    };
    const encoder = guardedEncoder('o200k_base', api, 100);
    encoder.count('x'.repeat(60));
    encoder.count('x'.repeat(40));
    encoder.encode('x'.repeat(10));
    encoder.count('');
    encoder.count('x'.repeat(500));
    assert.deepEqual(calls, ['count 60', 'count 40', 'clear', 'encode 10', 'clear', 'count 500']);
  });

  it('counts stay exact across clears (the same as a fresh encoder, for text that churns the cache)', () => {
    const encoder = createEncoderCache().get('o200k_base');
    const ranks = (
      createRequire(import.meta.url)('gpt-tokenizer/cjs/bpeRanks/o200k_base') as { default: never }
    ).default;
    const reference = GptEncoding.getEncodingApi('o200k_base', () => ranks);
    // ≈ 400 KB of random base64 (hundreds of thousands of distinct pieces), counted in slices that pass the
    // guard's limit several times, then ordinary text.
    const blob = randomBytes(300_000).toString('base64');
    const texts = [
      blob.slice(0, 100_000),
      blob.slice(100_000, 250_000),
      blob.slice(250_000),
      'Hello, world! '.repeat(50),
    ];
    for (const text of texts) {
      assert.equal(encoder.count(text), reference.countTokens(text, { disallowedSpecial: new Set() }));
    }
  });
});
