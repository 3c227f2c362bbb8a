// The shortcuts that make scoring fast must not change what it computes: on the calibration prompts and a
// generated corpus, the Screen answers exactly as running the patterns, and the reworked line, list,
// question, math and script features equal their straightforward definitions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CODE_KEYWORD_START,
  CODE_LINE,
  CODE_PATTERNS,
  CODE_PUNCTUATION,
  codeFeatures,
} from '../../../../dataplane/analysis/complexity/code-features.js';
import { createScreener, type Screen } from '../../../../dataplane/analysis/complexity/screen.js';
import { detectScript, scriptOf, type ScriptInfo } from '../../../../dataplane/analysis/complexity/script.js';
import {
  EXPRESSION,
  LATEX,
  LIST_ITEM,
  SEPARATOR,
  TEXT_LEXICONS,
  TEXT_PATTERNS,
  textFeatures,
} from '../../../../dataplane/analysis/complexity/text-features.js';
import { fuzzTexts, variants, vocabularyOf } from '../injection/fuzz-corpus.js';
import { CALIBRATION, FRESH, HOLDOUT } from './calibration.js';

const screener = createScreener([...TEXT_PATTERNS, ...CODE_PATTERNS], TEXT_LEXICONS);

/** What each Screen method means: the patterns run directly. */
function plainScreen(lower: string): Screen {
  return {
    lower,
    ascii: !/[\u0080-\uffff]/.test(lower),
    test: (pattern) => pattern.test(lower),
    count: (pattern, cap) =>
      Math.min([...lower.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))].length, cap),
    distinct: (lexicon) => lexicon.distinctByScan(lower),
  };
}

const count = (pattern: RegExp, text: string, cap: number): number =>
  Math.min([...text.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))].length, cap);

const CORPUS = (() => {
  const prompts = [...CALIBRATION, ...HOLDOUT, ...FRESH].flatMap((item) => [
    item.prompt,
    ...(item.history ?? []),
  ]);
  const tricky = [
    'Design an operational transformer for a lock-free, multi-region store; compare raft and paxos.',
    'The rust belt; trust in Rust; JavaScript vs Java; node.js and C++ and C#; a* search.',
    'Explain how it works, then explain why. Pros and cons? Step-by-step, in-depth, 300 words.',
    'Protocols, protocol; transformers; write rewrite writes; analyse analyze analysis.',
    '- one\n* two\n  • three\n1. four\n12) five\n123. six\n-seven\n\n- \n',
    'x^2 + y = 3, a <= b, 10 / 2 and $\\frac{1}{2}$ with \\sum and $x$ ? ？',
    'Let me know.\nReturn the value\nfrom a import b\nupdate t set x = 1\nSELECT a FROM b',
    'Ｋelvin \u212a and İstanbul and ÀÉÎ; русский текст; 中文; かな; 한국어',
  ];
  const base = [...prompts, ...tricky];
  return [
    ...base,
    ...variants(base, 11),
    ...fuzzTexts(
      vocabularyOf([...TEXT_PATTERNS, ...CODE_PATTERNS, ...TEXT_LEXICONS.flatMap((l) => l.patterns)]),
      800,
      5,
    ),
  ];
})();

describe('complexity shortcuts change no result', () => {
  it('Screen.test/count/distinct equal running the patterns', () => {
    for (const text of CORPUS) {
      const lower = text.toLowerCase();
      const fast = screener(lower);
      const plain = plainScreen(lower);
      assert.equal(fast.ascii, plain.ascii);
      for (const pattern of [...TEXT_PATTERNS, ...CODE_PATTERNS]) {
        assert.equal(fast.test(pattern), plain.test(pattern), `${pattern.source.slice(0, 50)}: ${text}`);
        for (const cap of [1, 8, 40])
          assert.equal(fast.count(pattern, cap), plain.count(pattern, cap), pattern.source);
      }
      for (const lexicon of TEXT_LEXICONS)
        assert.equal(fast.distinct(lexicon), plain.distinct(lexicon), text);
    }
  });

  it('text and code features equal their straightforward definitions', () => {
    for (const text of [...CORPUS, 'a\n'.repeat(5000), '- x\n'.repeat(4100), '']) {
      const lower = text.toLowerCase();
      const features = textFeatures(text, screener(lower));
      assert.deepEqual(features, textFeatures(text, plainScreen(lower)));
      assert.equal(features.mathLatex, count(LATEX, text, 20));
      assert.equal(features.mathExpressions, count(EXPRESSION, lower, 20));
      assert.equal(features.separators, count(SEPARATOR, text, 40));
      assert.equal(features.listItems, text.split('\n', 4000).filter((line) => LIST_ITEM.test(line)).length);
      let questions = 0;
      for (let i = 0; i < text.length && questions < 50; i++)
        if (text[i] === '?' || text[i] === '？') questions += 1;
      assert.equal(features.questions, questions);
      assert.deepEqual(codeFeatures(text, screener(lower)), codeFeatures(text, plainScreen(lower)));
      if (!CODE_PUNCTUATION.test(text)) {
        for (const line of text.split('\n'))
          assert.equal(CODE_KEYWORD_START.test(line), CODE_LINE.test(line), line);
      }
    }
  });

  it('script detection equals counting every character of the sample', () => {
    const reference = (text: string): ScriptInfo => {
      const counts = new Map<string, number>();
      let letters = 0;
      for (let i = 0; i < Math.min(text.length, 65_536); i++) {
        const script = scriptOf(text.charCodeAt(i));
        if (script === null) continue;
        counts.set(script, (counts.get(script) ?? 0) + 1);
        letters += 1;
      }
      if (letters === 0) return { script: 'none', mixed: false };
      const kana = counts.get('japanese_kana') ?? 0;
      if (kana > 0) {
        counts.set('japanese_kana', kana + (counts.get('han') ?? 0));
        counts.delete('han');
      }
      const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      return {
        script: ranked[0]![0] as ScriptInfo['script'],
        mixed: ranked[1] !== undefined && ranked[1][1] >= 0.2 * letters,
      };
    };
    for (const text of [...CORPUS, '\u212a'.repeat(3), 'é'.repeat(70_000) + 'abc']) {
      const lowerIsAscii = !/[\u0080-\uffff]/.test(text.toLowerCase());
      assert.deepEqual(detectScript(text, lowerIsAscii), reference(text), text.slice(0, 80));
    }
  });
});
