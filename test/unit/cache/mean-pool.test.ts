// Mean pooling + L2 normalisation of token states against a direct transcription of the definition
// (mean over the tokens the mask keeps, then divide by the Euclidean norm) on small synthetic tensors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meanPoolNormalize } from '../../../dataplane/cache/embeddings/mean-pool.js';

/** The definition, one sentence at a time, in plain arrays. */
function reference(hidden: number[][][], mask: number[][]): number[][] {
  return hidden.map((sentence, b) => {
    const kept = sentence.filter((_, t) => mask[b]![t] === 1);
    const mean = sentence[0]!.map((_, d) => kept.reduce((s, token) => s + token[d]!, 0) / kept.length);
    const norm = Math.hypot(...mean);
    return mean.map((x) => x / norm);
  });
}

/** Deterministic pseudo-random states in [-1, 1). */
function states(batch: number, tokens: number, dims: number, seed: number): number[][][] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 30 - 1;
  return Array.from({ length: batch }, () =>
    Array.from({ length: tokens }, () => Array.from({ length: dims }, next)),
  );
}

describe('meanPoolNormalize', () => {
  it('averages only the masked-in tokens and returns unit vectors, for int64 and number masks', () => {
    const hidden = states(3, 5, 4, 7);
    // Padding at the end of shorter sentences, as the tokenizer lays out a batch.
    const mask = [
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
      [1, 0, 0, 0, 0],
    ];
    const flat = Float32Array.from(hidden.flat(2));
    const expected = reference(hidden, mask);
    for (const m of [BigInt64Array.from(mask.flat().map(BigInt)), mask.flat()]) {
      const got = meanPoolNormalize(flat, m, 3, 5, 4);
      assert.equal(got.length, 12);
      for (let b = 0; b < 3; b++) {
        const row = Array.from(got.subarray(b * 4, b * 4 + 4));
        assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-6, `row ${b} has unit length`);
        row.forEach((v, d) => assert.ok(Math.abs(v - expected[b]![d]!) < 1e-6, `row ${b} dim ${d}`));
      }
    }
  });

  it('ignores what the padded positions hold', () => {
    const hidden = states(1, 4, 3, 11);
    const mask = BigInt64Array.from([1n, 1n, 0n, 0n]);
    const a = meanPoolNormalize(Float32Array.from(hidden.flat(2)), mask, 1, 4, 3);
    hidden[0]![2] = [100, -100, 5];
    hidden[0]![3] = [9, 9, 9];
    const b = meanPoolNormalize(Float32Array.from(hidden.flat(2)), mask, 1, 4, 3);
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  it('leaves a sentence with no kept token, or only zero states, as zeros instead of NaN', () => {
    const got = meanPoolNormalize(new Float32Array([1, 2, 0, 0]), [0, 1], 2, 1, 2);
    assert.deepEqual(Array.from(got), [0, 0, 0, 0]);
  });

  it('refuses tensors whose sizes do not match the shape', () => {
    assert.throws(() => meanPoolNormalize(new Float32Array(10), [1, 1], 1, 2, 4), RangeError);
    assert.throws(() => meanPoolNormalize(new Float32Array(8), [1], 1, 2, 4), RangeError);
  });
});
