// One normalisation pass per segment so every cue matches obfuscated spellings: invisible characters dropped,
// compatibility forms and case folded, look-alike letters in mixed-script words mapped to Latin.
import { isAscii } from './anchor-scan.js';

export interface PreparedText {
  /** NFKC, invisible and bidi control characters removed, curly quotes straightened; case kept. */
  readonly clean: string;
  /** `clean` lower-cased, with Cyrillic/Greek look-alikes inside Latin words folded: what cues match. */
  readonly norm: string;
  /** Zero-width and filler characters that have no legitimate use inside words (ZWJ/ZWNJ not counted). */
  readonly zeroWidth: number;
  /** Explicit bidi embeddings/overrides/isolates (U+202A–202E, U+2066–2069), the "Trojan Source" trick. */
  readonly bidiControls: number;
  /** ASCII hidden in Unicode tag characters (U+E0020–E007E): invisible when rendered, read by models. */
  readonly tagText: string;
  /** Letters spelled with regional-indicator symbols, runs separated by spaces. */
  readonly regionalText: string;
  /** Regional-indicator runs of odd length: words, since flags always pair letters. */
  readonly regionalWords: number;
  readonly mixedScriptWords: number;
  /** `clean` (and so `norm`) is pure ASCII: `norm` is then exactly `clean.toLowerCase()`, position for position. */
  readonly ascii: boolean;
}

// Zero-width/filler characters counted as suspicious: ZWSP, word joiner, invisible operators, BOM, Mongolian
// vowel separator, combining grapheme joiner, Hangul fillers. ZWJ/ZWNJ/soft hyphen are dropped but not
// counted, as emoji sequences, Persian and Indic text, and hyphenated HTML use them legitimately.
function invisibleKind(code: number): 'suspicious' | 'benign' | 'bidi' | 'mark' | null {
  if (code < 0x00ad) return null;
  if (code === 0x200b || (code >= 0x2060 && code <= 0x2064) || code === 0xfeff) return 'suspicious';
  if (code === 0x180e || code === 0x034f || code === 0x115f || code === 0x1160) return 'suspicious';
  if (code === 0x3164 || code === 0xffa0) return 'suspicious';
  if (code === 0x200c || code === 0x200d || code === 0x00ad) return 'benign';
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return 'bidi';
  // Directional marks are ordinary in Arabic and Hebrew text: drop them, do not count them.
  if (code === 0x200e || code === 0x200f || code === 0x061c) return 'mark';
  return null;
}

function straightQuote(code: number): string | null {
  if (code === 0x2018 || code === 0x2019 || code === 0x201a || code === 0x201b || code === 0x2032) return "'";
  if (code === 0x201c || code === 0x201d || code === 0x201e || code === 0x201f || code === 0x2033) return '"';
  if (code === 0x00ab || code === 0x00bb) return '"';
  return null;
}

// Cyrillic and Greek letters that render like Latin ones; only applied inside words that mix scripts, so
// genuine Russian or Greek text is left alone.
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ο: 'o',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  β: 'b',
  γ: 'y',
  η: 'n',
};

const MIXED_SCRIPT_HINT = /[a-z][\u0370-\u03ff\u0400-\u04ff]|[\u0370-\u03ff\u0400-\u04ff][a-z]/;
const LATIN = /[a-z]/;
const NON_LATIN = /[\u0370-\u03ff\u0400-\u04ff]/;

function foldMixedScript(lower: string): { text: string; words: number } {
  if (!MIXED_SCRIPT_HINT.test(lower)) return { text: lower, words: 0 };
  let words = 0;
  // A fresh global regex per call: no lastIndex shared between calls or worker tasks.
  const wordRe = /[a-z\u0370-\u03ff\u0400-\u04ff]+/g;
  const text = lower.replace(wordRe, (word) => {
    if (!LATIN.test(word) || !NON_LATIN.test(word)) return word;
    words += 1;
    let out = '';
    for (const ch of word) out += CONFUSABLES[ch] ?? ch;
    return out;
  });
  return { text, words };
}

export function prepareText(raw: string): PreparedText {
  // Pure ASCII (most prompts) is already NFKC and holds nothing the loop below removes or folds.
  if (isAscii(raw)) {
    return {
      clean: raw,
      norm: raw.toLowerCase(),
      zeroWidth: 0,
      bidiControls: 0,
      tagText: '',
      regionalText: '',
      regionalWords: 0,
      mixedScriptWords: 0,
      ascii: true,
    };
  }
  const source = raw.normalize('NFKC');
  const parts: string[] = [];
  let start = 0;
  let zeroWidth = 0;
  let bidiControls = 0;
  let tagText = '';
  let regionalText = '';
  let regionalRun = 0;
  let regionalWords = 0;
  const endRegionalRun = (): void => {
    if (regionalRun === 0) return;
    if (regionalRun % 2 === 1) regionalWords += 1;
    regionalText += ' ';
    regionalRun = 0;
  };
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code < 0x00ab) {
      if (regionalRun > 0) endRegionalRun();
      continue;
    }
    // Surrogate pairs: tag characters (U+E0000 block) and regional indicators (U+1F1E6–1F1FF).
    if (code === 0xdb40 && i + 1 < source.length) {
      const low = source.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdc7f) {
        const ascii = low - 0xdc00;
        if (ascii >= 0x20 && ascii <= 0x7e && tagText.length < 65_536) tagText += String.fromCharCode(ascii);
        parts.push(source.slice(start, i));
        start = i + 2;
        i += 1;
        continue;
      }
    }
    if (code === 0xd83c && i + 1 < source.length) {
      const low = source.charCodeAt(i + 1);
      if (low >= 0xdde6 && low <= 0xddff) {
        if (regionalText.length < 65_536) regionalText += String.fromCharCode(0x61 + low - 0xdde6);
        regionalRun += 1;
        i += 1;
        continue;
      }
    }
    if (regionalRun > 0) endRegionalRun();
    const kind = invisibleKind(code);
    if (kind !== null) {
      if (kind === 'suspicious') zeroWidth += 1;
      else if (kind === 'bidi') bidiControls += 1;
      parts.push(source.slice(start, i));
      start = i + 1;
      continue;
    }
    const quote = straightQuote(code);
    if (quote !== null) {
      parts.push(source.slice(start, i), quote);
      start = i + 1;
    }
  }
  endRegionalRun();
  parts.push(source.slice(start));
  const clean = parts.join('');
  const folded = foldMixedScript(clean.toLowerCase());
  return {
    clean,
    norm: folded.text,
    zeroWidth,
    bidiControls,
    tagText,
    regionalText: regionalText.trim(),
    regionalWords,
    mixedScriptWords: folded.words,
    ascii: isAscii(clean),
  };
}
