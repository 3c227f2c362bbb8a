// Token ids and counts against tiktoken's own output, for every vector in the fixtures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEncoderCache } from '../../../../dataplane/analysis/tokens/encoder-cache.js';
import { createGuardedCounter } from '../../../../dataplane/analysis/tokens/guarded-count.js';
import { loadVectors } from './fixtures.js';

const encoders = createEncoderCache();

for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
  describe(`tiktoken vectors: ${encoding}`, () => {
    const vectors = loadVectors(encoding);
    const encoder = encoders.get(encoding);
    const count = createGuardedCounter(encoder);

    it('has the vectors', () => {
      assert.ok(vectors.length > 450, `${vectors.length} vectors`);
    });

    it('reproduces every id sequence', () => {
      const wrong = vectors.filter((v) => JSON.stringify(encoder.encode(v.text)) !== JSON.stringify(v.ids));
      assert.deepEqual(
        wrong.map((v) => v.source),
        [],
      );
    });

    it('reproduces every count, flagged exact', () => {
      for (const v of vectors) {
        assert.deepEqual(count(v.text), { tokens: v.count, exact: true }, v.source);
      }
    });
  });
}

describe('encoder cache', () => {
  it('builds each encoding once', () => {
    assert.equal(encoders.get('o200k_base'), encoders.get('o200k_base'));
    assert.notEqual(encoders.get('o200k_base'), encoders.get('cl100k_base'));
  });

  it('treats special-token spellings in prompt text as plain text', () => {
    const encoder = encoders.get('o200k_base');
    const ids = encoder.encode('a <|endoftext|> b');
    assert.ok(ids.length > 3);
    assert.equal(encoder.count('a <|endoftext|> b'), ids.length);
  });
});
