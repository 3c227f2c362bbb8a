// Published sample keys and obvious stand-ins are not reported as secrets; anything that merely resembles
// them (one character changed, a real-format key next to the word "example") still is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPiiScanner } from '../../../../dataplane/analysis/pii/index.js';
import { isPlaceholderKey, PUBLISHED_SAMPLE_KEYS } from '../../../../dataplane/analysis/pii/sample-keys.js';
import { fake, randomChars } from './fixtures.js';

const scanner = createPiiScanner();

function secrets(text: string): { subtype: string | undefined; value: string }[] {
  return scanner
    .scanText(text)
    .filter((f) => f.type === 'SECRET')
    .map((f) => ({ subtype: f.subtype, value: text.slice(f.start, f.end) }));
}

/** The published value of the list that starts with `prefix` (built from the list, not written here). */
function published(prefix: string): string {
  const value = [...PUBLISHED_SAMPLE_KEYS].find((v) => v.startsWith(prefix));
  assert.ok(value !== undefined, prefix);
  return value;
}

/** `value` with the character at `at` replaced by a different one of the same class. */
function mutate(value: string, at: number): string {
  const c = value[at]!;
  const next = /\d/.test(c) ? String((Number(c) + 1) % 10) : c === 'q' ? 'r' : c === 'Q' ? 'R' : 'q';
  return value.slice(0, at) + next + value.slice(at + 1);
}

describe('published sample keys', () => {
  it('does not report any published value, alone or in context', () => {
    for (const value of PUBLISHED_SAMPLE_KEYS) {
      assert.deepEqual(secrets(value), [], value);
      assert.deepEqual(secrets(`const config = { apiKey: "${value}" };`), [], value);
      assert.deepEqual(secrets(`curl -H "Authorization: Bearer ${value}" https://api.test/`), [], value);
    }
  });

  it('still reports a key one character away from a published one', () => {
    const google = published('AI' + 'zaSyC');
    const changed = mutate(google, 20);
    assert.deepEqual(secrets(`key=${changed}`), [{ subtype: 'google', value: changed }]);
    const algolia = mutate(published('6fe4'), 5);
    assert.deepEqual(secrets(`apiKey: "${algolia}"`), [{ subtype: 'generic', value: algolia }]);
  });

  it("still reports a JWT that only shares jwt.io's header or signature", () => {
    const sample = published('ey' + 'JhbG');
    const [header, , signature] = sample.split('.');
    const own = fake.jwt(31);
    const [, payload] = own.split('.');
    const token = `${header}.${payload}.${signature}`;
    assert.deepEqual(secrets(`token: ${token}`), [{ subtype: 'jwt', value: token }]);
  });
});

describe('stand-in keys', () => {
  it('drops provider-format keys that spell out a stand-in word', () => {
    // [before the word, word, after it]: the same key with random characters instead of the word is a
    // control that must still be reported, so the word is what silences it.
    const standIns: [string, string, string][] = [
      [`sk-${'proj'}-`, 'EXAMPLE', randomChars(60, 41)],
      [`gh${'p'}_`, 'yourtoken', randomChars(27, 42)],
      [`sk_${'live'}_`, 'sample', randomChars(24, 43)],
      [`AI${'za'}`, 'DummyKey', randomChars(27, 44)],
      [`gl${'pat'}-`, 'placeholder', randomChars(20, 45)],
    ];
    for (const [head, word, tail] of standIns) {
      const key = head + word + tail;
      assert.deepEqual(secrets(`use ${key} here`), [], key);
      const control = head + randomChars(word.length, 46) + tail;
      assert.equal(secrets(`use ${control} here`).length, 1, control);
    }
  });

  it('keeps reporting real-format keys whatever words surround them', () => {
    // Context words are deliberately ignored: a user's real key pasted into "example" code must be caught.
    for (const [subtype, key] of [
      ['google', fake.google(51)],
      ['github', fake.github(52)],
      ['openai', fake.openai(53)],
      ['aws_access_key', fake.aws(54)],
    ] as const) {
      const text = `For example, a dummy config with a sample key: ${key} (fake, for testing)`;
      assert.deepEqual(secrets(text), [{ subtype, value: key }], key);
    }
  });

  it('does not mistake random keys for stand-ins', () => {
    // 20,000 random 150-character base62 keys: the marker words are long enough not to occur by chance.
    for (let seed = 0; seed < 20_000; seed++) {
      const key = randomChars(150, 1000 + seed);
      assert.equal(isPlaceholderKey(key), false, key);
    }
  });
});
