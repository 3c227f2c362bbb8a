// The run guard: ordinary text is counted whole and exactly; long unbroken runs are sliced, never mid-character.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEncoderCache, type Encoder } from '../../../../dataplane/analysis/tokens/encoder-cache.js';
import { createGuardedCounter, RUN_LIMIT } from '../../../../dataplane/analysis/tokens/guarded-count.js';

const o200k = createEncoderCache().get('o200k_base');

function recording(inner: Encoder): { encoder: Encoder; pieces: string[] } {
  const pieces: string[] = [];
  const encoder: Encoder = {
    name: inner.name,
    count: (text) => {
      pieces.push(text);
      return inner.count(text);
    },
    encode: (text) => inner.encode(text),
  };
  return { encoder, pieces };
}

describe('createGuardedCounter', () => {
  it('counts text without long runs in one exact call', () => {
    const text = 'A normal sentence, with punctuation and 12345 digits. '.repeat(100);
    const { encoder, pieces } = recording(o200k);
    assert.deepEqual(createGuardedCounter(encoder)(text), { tokens: o200k.count(text), exact: true });
    assert.equal(pieces.length, 1);
  });

  it('slices runs longer than the limit and flags the count', () => {
    const text = `intro ${'x'.repeat(RUN_LIMIT * 3)} outro`;
    const result = createGuardedCounter(o200k)(text);
    assert.equal(result.exact, false);
    assert.ok(Math.abs(result.tokens - o200k.count(text)) <= 4, `${result.tokens} vs ${o200k.count(text)}`);
  });

  it('never cuts a surrogate pair', () => {
    const { encoder, pieces } = recording(o200k);
    createGuardedCounter(encoder)(`!${'😀'.repeat(RUN_LIMIT * 2)}`);
    assert.ok(pieces.length > 2);
    for (const piece of pieces) {
      const first = piece.charCodeAt(0);
      assert.ok(!(first >= 0xdc00 && first <= 0xdfff), 'slice starts with a low surrogate');
    }
    assert.equal(pieces.join(''), `!${'😀'.repeat(RUN_LIMIT * 2)}`);
  });

  it('guards whitespace and symbol runs too', () => {
    const count = createGuardedCounter(o200k);
    assert.equal(count(' '.repeat(RUN_LIMIT + 1)).exact, false);
    assert.equal(count('='.repeat(RUN_LIMIT + 1)).exact, false);
    assert.equal(count('1'.repeat(RUN_LIMIT * 4)).exact, true); // digits split into groups of three anyway
  });
});
