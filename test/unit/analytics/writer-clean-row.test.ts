// The row cleaner: bad numbers, malformed text and oversized fields are repaired with a reason, never thrown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanRow, DEFAULT_LIMITS } from '../../../analytics/writer/index.js';
import { REPAIR } from '../../../analytics/writer/clean-row.js';

describe('cleanRow', () => {
  it('turns NaN and Infinity into null', () => {
    const { row, flags } = cleanRow({ latency_ms: NaN, ttfb_ms: Infinity, bytes_in: 3 }, DEFAULT_LIMITS);
    assert.deepEqual(row, { latency_ms: null, ttfb_ms: null, bytes_in: 3 });
    assert.equal(flags, REPAIR.nonFiniteNumber);
  });

  it('replaces lone surrogates with U+FFFD, in values and map keys', () => {
    const { row, flags } = cleanRow(
      { user_agent: 'a\uD800b', pii_findings: { 'k\uDC00': 1 }, ok: 'é😀' },
      DEFAULT_LIMITS,
    );
    assert.deepEqual(row, { user_agent: 'a\uFFFDb', pii_findings: { 'k\uFFFD': 1 }, ok: 'é😀' });
    assert.equal(flags, REPAIR.malformedText);
    assert.doesNotThrow(() => new TextEncoder().encode(JSON.stringify(row)));
  });

  it('truncates long strings per field without splitting a surrogate pair into garbage', () => {
    const { row, flags } = cleanRow({ user_agent: '😀'.repeat(1000), path: 'x'.repeat(10) }, DEFAULT_LIMITS);
    const ua = row.user_agent as string;
    assert.equal(ua.length, 1024);
    assert.ok((ua as string & { isWellFormed(): boolean }).isWellFormed());
    assert.equal(row.path, 'x'.repeat(10));
    assert.equal(flags & REPAIR.truncatedString, REPAIR.truncatedString);
  });

  it('bounds maps and arrays by entries and by size', () => {
    const big: Record<string, string> = {};
    for (let i = 0; i < 100; i++) big[`key${i}`] = 'v'.repeat(2000);
    const { row, flags } = cleanRow(
      { metadata: big, injection_signals: Array.from({ length: 1000 }, (_, i) => `s${i}`) },
      DEFAULT_LIMITS,
    );
    assert.ok(JSON.stringify(row.metadata).length <= DEFAULT_LIMITS.collectionChars + 2100);
    assert.equal((row.injection_signals as string[]).length, DEFAULT_LIMITS.collectionEntries);
    assert.equal(flags, REPAIR.truncatedCollection);
  });

  it('nulls values of types JSON cannot carry, and drops undefined', () => {
    const { row, flags } = cleanRow({ a: 1n, b: () => 1, c: undefined, d: null, e: true }, DEFAULT_LIMITS);
    assert.deepEqual(row, { a: null, b: null, d: null, e: true });
    assert.equal(flags, REPAIR.invalidType);
  });

  it('survives cycles', () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    const { row } = cleanRow({ tags: cyclic }, DEFAULT_LIMITS);
    assert.doesNotThrow(() => JSON.stringify(row));
  });
});
