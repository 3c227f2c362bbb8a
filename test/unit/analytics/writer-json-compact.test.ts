// The JSONCompactEachRow encoder writes bytes itself (ASCII strings, integers) instead of stringifying each
// row: its output must be byte for byte JSON.stringify's, and its one-pass cleaning check must send to the
// row cleaner exactly the rows the cleaner would change, with the same repairs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanRow, DEFAULT_LIMITS } from '../../../analytics/writer/index.js';
import { createCompactRowEncoder, toCompactLines } from '../../../analytics/writer/json-compact.js';

const COLUMNS = ['a', 'b', 'user_agent', 'm', 'n'];

const VALUES: readonly unknown[] = [
  '',
  'plain ascii',
  'quote " and \\ backslash',
  'tab\tnewline\n',
  '\u0000\u001f\u007f',
  'é😀 non-ASCII',
  'lone \uD800 surrogate',
  'x\uDC00',
  '\u2028\u2029',
  'x'.repeat(1500),
  0,
  -0,
  7,
  -42,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  2 ** 53,
  1e21,
  812.5,
  -0.25,
  1e-7,
  NaN,
  Infinity,
  -Infinity,
  true,
  false,
  null,
  undefined,
  {},
  { EMAIL: 1, 'k"\n': 'v\u0001' },
  { deep: { deeper: { deepest: { x: 1 } } } },
  [],
  [1, 'two', null, 2.5],
  Array.from({ length: 20 }, (_, i) => i),
  new Date(0),
  1n,
  () => 1,
];

/** A deterministic stream of rows, some with fields outside the columns or set to undefined. */
function rows(n: number): Record<string, unknown>[] {
  let seed = 12345;
  const pick = (): unknown => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return VALUES[seed % VALUES.length];
  };
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, unknown> = {};
    for (const c of COLUMNS) if (i % 11 !== 0 || c !== 'n') row[c] = pick();
    if (i % 13 === 0) row.extra = pick();
    return row;
  });
}

/** What the writer encoded before: each cleaned row's values through JSON.stringify, one line each. */
function reference(cleaned: readonly object[]): Buffer {
  const lines = cleaned.map(
    (row) => JSON.stringify(COLUMNS.map((c) => (row as Record<string, unknown>)[c] ?? null)) + '\n',
  );
  return Buffer.from(lines.join(''), 'utf8');
}

describe('JSONCompactEachRow encoder', () => {
  it('writes exactly what JSON.stringify writes for every kind of value', async () => {
    const input = rows(5000).map((row) => cleanRow(row, DEFAULT_LIMITS).row);
    const encoded = await toCompactLines(input, COLUMNS);
    assert.equal(encoded.toString('utf8'), reference(input).toString('utf8'));
    assert.ok(encoded.equals(reference(input)));
  });

  it('cleans and encodes in one pass exactly as cleaning then encoding', () => {
    const input = rows(5000);
    const encoder = createCompactRowEncoder(COLUMNS, DEFAULT_LIMITS, 8);
    const cleaned: object[] = [];
    let fast = 0;
    for (const row of input) {
      const expected = cleanRow(row, DEFAULT_LIMITS);
      if (encoder.tryAppend(row)) {
        fast++;
        // Only rows the cleaner returns unchanged take the fast path.
        assert.equal(expected.row, row);
        assert.equal(expected.flags, 0);
        cleaned.push(row);
      } else {
        encoder.append(expected.row);
        cleaned.push(expected.row);
      }
    }
    assert.ok(fast > 0 && fast < input.length, `fast path taken for ${fast} of ${input.length}`);
    assert.ok(encoder.finish().equals(reference(cleaned)));
  });

  it('sends rows whose fields throw to the cleaner, leaving nothing written', () => {
    const encoder = createCompactRowEncoder(COLUMNS, DEFAULT_LIMITS, 1);
    const throwing = {
      get a(): never {
        throw new Error('getter');
      },
    };
    assert.equal(encoder.tryAppend({ a: 'written first', b: 1n }), false);
    assert.equal(encoder.tryAppend(throwing), false);
    assert.equal(encoder.finish().length, 0);
  });
});
