// Writing-system detection for the complexity features: counts letters per Unicode script over a bounded
// sample and reports the dominant script and whether a second one is substantial (translation, mixed input).

export type Script =
  | 'latin'
  | 'cyrillic'
  | 'greek'
  | 'arabic'
  | 'hebrew'
  | 'devanagari'
  | 'han'
  | 'japanese_kana'
  | 'hangul'
  | 'thai'
  | 'other'
  | 'none';

export interface ScriptInfo {
  readonly script: Script;
  /** A second script holds at least 20% of the letters. */
  readonly mixed: boolean;
}

// Enough to decide the script of any prompt; the rest would only cost time.
const SAMPLE_CHARS = 65_536;

export function scriptOf(code: number): Script | null {
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return 'latin';
  if (code < 0xc0) return null;
  if (code <= 0x24f) return code === 0xd7 || code === 0xf7 ? null : 'latin';
  if (code >= 0x370 && code <= 0x3ff) return 'greek';
  if (code >= 0x400 && code <= 0x52f) return 'cyrillic';
  if (code >= 0x590 && code <= 0x5ff) return 'hebrew';
  if ((code >= 0x600 && code <= 0x6ff) || (code >= 0x750 && code <= 0x77f)) return 'arabic';
  if (code >= 0x900 && code <= 0x97f) return 'devanagari';
  if (code >= 0xe00 && code <= 0xe7f) return 'thai';
  if (code >= 0x1e00 && code <= 0x1eff) return 'latin';
  if (code >= 0x3040 && code <= 0x30ff) return 'japanese_kana';
  if ((code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff)) return 'han';
  if (code >= 0xac00 && code <= 0xd7af) return 'hangul';
  if (code >= 0xd800 && code <= 0xdfff) return null; // surrogates: emoji and rare scripts, not counted
  if (code >= 0x2000 && code <= 0x2bff) return null; // punctuation, symbols, arrows
  if (code >= 0x3000 && code <= 0x303f) return null; // CJK punctuation
  if (code >= 0xff00 && code <= 0xffef) return null; // full-width forms
  return 'other';
}

const SCRIPTS: readonly Script[] = [
  'latin',
  'cyrillic',
  'greek',
  'arabic',
  'hebrew',
  'devanagari',
  'han',
  'japanese_kana',
  'hangul',
  'thai',
  'other',
];
const SCRIPT_INDEX = new Map(SCRIPTS.map((script, i) => [script, i]));
// Below U+00C0 only ASCII letters belong to a script: a sample without such characters is Latin or none.
const BEYOND_LATIN1_LETTERS = /[\u00c0-\uffff]/;
const ASCII_LETTER = /[A-Za-z]/;

/**
 * `lowerIsAscii`: the caller knows `text.toLowerCase()` is pure ASCII. Then no character of `text` is a
 * letter of any script but an ASCII one (the only non-ASCII characters that lower-case to ASCII, such as
 * the Kelvin sign, are symbols here), and the sample needs no per-character pass.
 */
export function detectScript(text: string, lowerIsAscii = false): ScriptInfo {
  const end = Math.min(text.length, SAMPLE_CHARS);
  const sample = end === text.length ? text : text.slice(0, end);
  if (lowerIsAscii || !BEYOND_LATIN1_LETTERS.test(sample)) {
    return { script: ASCII_LETTER.test(sample) ? 'latin' : 'none', mixed: false };
  }
  const counts = new Array<number>(SCRIPTS.length).fill(0);
  let letters = 0;
  let latin = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    // ASCII letters, the common case, without a lookup.
    if ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) {
      latin += 1;
      continue;
    }
    const script = scriptOf(code);
    if (script === null) continue;
    counts[SCRIPT_INDEX.get(script)!]! += 1;
    letters += 1;
  }
  counts[SCRIPT_INDEX.get('latin')!]! += latin;
  letters += latin;
  if (letters === 0) return { script: 'none', mixed: false };
  // Japanese mixes kana with Han characters; any kana means the text is Japanese.
  const kana = SCRIPT_INDEX.get('japanese_kana')!;
  const han = SCRIPT_INDEX.get('han')!;
  if (counts[kana]! > 0) {
    counts[kana]! += counts[han]!;
    counts[han] = 0;
  }
  const ranked = SCRIPTS.map((script, i) => [script, counts[i]!] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const [first, second] = ranked;
  return {
    script: first![0],
    mixed: second !== undefined && second[1] >= 0.2 * letters,
  };
}
