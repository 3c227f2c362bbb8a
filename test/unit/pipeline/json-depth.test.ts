// The parse stage's nesting bound: exactly MAX_JSON_DEPTH levels pass, one more is refused, and scalars or
// wide-but-shallow bodies (long token arrays) are never mistaken for deep ones.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../../dataplane/pipeline/stages/parse.js';

const nest = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
};

describe('JSON nesting bound', () => {
  it('counts arrays and objects alike; the bound itself passes', () => {
    assert.equal(nestedDeeperThan(nest(MAX_JSON_DEPTH), MAX_JSON_DEPTH), false);
    assert.equal(nestedDeeperThan(nest(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH), true);
    assert.equal(nestedDeeperThan(nest(3), 2), true);
    assert.equal(nestedDeeperThan({ a: [1, 2], b: { c: 'x' } }, 2), false);
  });

  it('scalars, null and wide shallow values are not deep', () => {
    assert.equal(nestedDeeperThan(null, 0), false);
    assert.equal(nestedDeeperThan('text', 0), false);
    assert.equal(nestedDeeperThan({ input: [Array.from({ length: 50_000 }, (_, i) => i)] }, 3), false);
    // The deep branch is found even after many shallow siblings.
    assert.equal(nestedDeeperThan([...Array.from({ length: 1000 }, () => ({})), nest(10)], 5), true);
  });
});
