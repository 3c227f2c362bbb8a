// ReDoS safety: inputs built to make backtracking regexes explode, and 1 MB prompts, must finish in
// bounded time. The bound is deliberately generous (it catches exponential or quadratic blow-ups, which
// take minutes, not machine noise); typical 1 MB scans take tens to hundreds of milliseconds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPiiScanner, redact, restore } from '../../../../dataplane/analysis/pii/index.js';
import { fake, timed } from './fixtures.js';

const scanner = createPiiScanner();
const MB = 1 << 20;
const BOUND_MS = 5000;

function repeat(unit: string, length = MB): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

describe('adversarial inputs', () => {
  const inputs: [string, string][] = [
    ["100k × 'a@'", repeat('a@', 200_000)],
    ["'1-' × 100k", repeat('1-', 200_000)],
    ['1 MB of digits', repeat('1')],
    ['digits with every separator', repeat('1 2-3.4(5)+')],
    ['long base64 without terminator', `eyJ${repeat('QUJD')}`],
    ['private key header without END', `-----BEGIN RSA PRIVATE KEY-----\n${repeat('QUJD')}`],
    ['repeated key headers', repeat('-----BEGIN PRIVATE KEY-----\n')],
    ['colons and hex', repeat('ab:')],
    ['dotted identifiers', repeat('a.')],
    ['assignments without values', repeat('api_key=')],
    ['URL credentials without host', `http://user:${repeat('p@')}`],
    ['scheme prefixes', repeat('http://a:')],
    ['IBAN prefixes', repeat('DE89 ')],
    ['provider prefix runs', repeat('sk-')],
    ['e-mail local part without end', `${repeat('a.')}@`],
    ['domain labels without TLD', `a@${repeat('a.')}`],
    ['JWT-like dots', repeat('eyJhbGciOiJIUzI1NiJ9.')],
    ['auth headers', repeat('Authorization: ')],
    ['quoted auth headers', repeat('"Authorization": "')],
    ['escaped quoted auth headers', repeat('\\"Authorization\\": \\"Bearer ')],
    ['URL credentials with an empty user', repeat('redis://:')],
    ['no-break spaces between digits', repeat('4\u00a0')],
    ['letter runs as secret values', repeat(`password = ${'a'.repeat(500)}! token: ${'Ab'.repeat(250)}! `)],
  ];
  for (const [name, text] of inputs) {
    it(`finishes on ${name}`, (t) => {
      const ms = timed(() => scanner.scanText(text));
      t.diagnostic(`${(text.length / 1024).toFixed(0)} KB in ${ms.toFixed(0)} ms`);
      assert.ok(ms < BOUND_MS, `${name}: ${ms.toFixed(0)} ms`);
    });
  }
});

describe('redaction on adversarial text', () => {
  it('restores and redacts 1 MB in bounded time', () => {
    const { state } = redact('a@b.io', [{ type: 'EMAIL_ADDRESS', start: 0, end: 6 }], 'placeholder');
    for (const text of [repeat('[A'), `[${repeat('A')}`, repeat('[EMAIL_1]')]) {
      const ms = timed(() => restore(text, state));
      assert.ok(ms < BOUND_MS, `${ms.toFixed(0)} ms`);
    }
    const many = Array.from({ length: 50_000 }, (_, i) => ({
      type: 'PHONE_NUMBER',
      start: i * 20,
      end: i * 20 + 10,
    }));
    const ms = timed(() => redact(repeat('0123456789 abcdefgh '), many, 'placeholder'));
    assert.ok(ms < BOUND_MS, `${ms.toFixed(0)} ms`);
  });
});

describe('1 MB prompts', () => {
  it('scans a 1 MB mixed prompt and keeps offsets exact', (t) => {
    const unit =
      '请联系 ann@example.com 或致电 +1 415 555 0132。The server 10.20.30.40 holds DE89 3704 0044 0532 0130 00. ' +
      `token=${fake.github()} — Lorem ipsum dolor sit amet, consectetur adipiscing elit. `;
    const text = repeat(unit);
    let found: ReturnType<typeof scanner.scanText> = [];
    const ms = timed(() => {
      found = scanner.scanText(text);
    });
    t.diagnostic(`1 MB mixed prompt: ${found.length} findings in ${ms.toFixed(0)} ms`);
    assert.ok(ms < BOUND_MS, `${ms.toFixed(0)} ms`);
    const copies = Math.floor(MB / unit.length);
    assert.ok(found.filter((f) => f.type === 'EMAIL_ADDRESS').length >= copies);
    // Provider keys deep inside a long text: found from the sampled runs of key characters.
    assert.ok(found.filter((f) => f.subtype === 'github').length >= copies);
    for (const f of found.slice(-50)) {
      const value = text.slice(f.start, f.end);
      assert.ok(value.length > 0 && value.trim() === value, JSON.stringify(value));
    }
    const redacted = redact(text, found, 'placeholder');
    assert.ok(!redacted.text.includes('ann@example.com'));
    assert.equal(redacted.state.values.size <= 8, true, 'repeated values share placeholders');
  });

  it('scans 1 MB of plain prose quickly and finds nothing', (t) => {
    const text = repeat('The quick brown fox jumps over the lazy dog; 42 times, in 2024. ');
    let count = -1;
    const ms = timed(() => {
      count = scanner.scanText(text).length;
    });
    t.diagnostic(`1 MB prose in ${ms.toFixed(0)} ms`);
    assert.equal(count, 0);
    assert.ok(ms < BOUND_MS, `${ms.toFixed(0)} ms`);
  });
});
