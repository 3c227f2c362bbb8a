// Finds long runs of characters that a tiktoken pre-tokenizer may keep in one piece, in one linear pass.
// A Unicode-property regex costs ~100 ns per character here; a per-code-unit class table a few ns.

const LETTER = 1;
const MARK = 2;
const SPACE = 3;
const DIGIT = 4;
const SYMBOL = 5;

export interface Run {
  readonly start: number;
  readonly end: number;
}

/**
 * Runs of at least `minLength` UTF-16 units of letters, whitespace or symbols. Combining marks extend the run
 * they follow, because both pre-tokenizers put marks into word pieces and symbol pieces alike; digits never
 * run long (tiktoken groups them by three). Any piece the scan misses is under twice `minLength` long.
 */
export type RunScanner = (text: string, minLength: number) => Run[];

// Unicode property per class; the order matters only for readability, the classes are disjoint.
const CLASSES: readonly (readonly [string, number])[] = [
  ['\\p{L}', LETTER],
  ['\\p{M}', MARK],
  ['\\s', SPACE],
  ['\\p{N}', DIGIT],
];
// Non-global, so .test() keeps no lastIndex between calls.
const SINGLE: readonly (readonly [RegExp, number])[] = CLASSES.map(([p, cls]) => [
  new RegExp(`^${p}$`, 'u'),
  cls,
]);

function classOfCodePoint(codePoint: number): number {
  const ch = String.fromCodePoint(codePoint);
  for (const [pattern, cls] of SINGLE) if (pattern.test(ch)) return cls;
  return SYMBOL;
}

/** Class of every BMP code unit; surrogates stay SYMBOL and are resolved per code point while scanning. */
function buildBmpClasses(): Uint8Array {
  const table = new Uint8Array(0x10000).fill(SYMBOL);
  const all = Array.from({ length: 0x10000 }, (_, c) =>
    c >= 0xd800 && c <= 0xdfff ? '\0' : String.fromCharCode(c),
  ).join('');
  for (const [p, cls] of CLASSES) {
    for (const m of all.matchAll(new RegExp(`${p}+`, 'gu'))) table.fill(cls, m.index, m.index + m[0].length);
  }
  table.fill(SYMBOL, 0xd800, 0xe000);
  return table;
}

export function createRunScanner(): RunScanner {
  let bmp: Uint8Array | undefined; // built on first use (~10 ms), then only read

  return (text, minLength) => {
    bmp ??= buildBmpClasses();
    const runs: Run[] = [];
    let current = 0;
    let start = 0;
    const close = (end: number) => {
      if (end - start >= minLength && current !== DIGIT && current !== 0) runs.push({ start, end });
    };
    let i = 0;
    while (i < text.length) {
      const unit = text.charCodeAt(i);
      let cls: number;
      let width = 1;
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        cls = classOfCodePoint(text.codePointAt(i)!);
        width = 2;
      } else cls = bmp[unit]!;
      if (cls === MARK) cls = current === LETTER || current === SYMBOL ? current : SYMBOL;
      if (cls !== current || cls === DIGIT) {
        close(i);
        current = cls;
        start = i;
      }
      i += width;
    }
    close(text.length);
    return runs;
  };
}
