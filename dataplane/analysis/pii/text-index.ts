// What several detectors look for, found once per text: the maximal runs of ASCII digits (cards, SSNs,
// phone numbers, IPv4 and IBANs all start at or just before one) and the positions of ':' and '='
// (assignments, auth headers). Detectors then run their regexes only at those places, so prose without
// digits or operators costs them almost nothing.

export interface TextIndex {
  /** Start and end (exclusive) of every maximal run of ASCII digits, flattened: [s0, e0, s1, e1, ...]. */
  readonly digitRuns: readonly number[];
  /** Positions of ':' and '=', ascending. */
  readonly operators: readonly number[];
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** `\w` of JavaScript regexes (without the u flag): ASCII letters, digits and `_`. */
export function isWordChar(c: number): boolean {
  return isAsciiLetter(c) || isDigit(c) || c === 95;
}

/**
 * Whether a number may start right after `c` under the look-behind `(?<![\w.+-])` that card and SSN
 * patterns share (not glued to a word, a decimal point or a sign). Checked before running their regexes.
 */
export function numberMayFollow(c: number): boolean {
  return !(isWordChar(c) || c === 46 || c === 43 || c === 45);
}

/** `\s` of JavaScript regexes (without the u flag), so walks by hand agree with the patterns. */
export function isRegexSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Digits of the runs chained from run `i` by exactly one separator character each, counted up to `enough`. */
export function chainedDigits(
  text: string,
  runs: readonly number[],
  i: number,
  isSeparator: (c: number) => boolean,
  enough: number,
): number {
  let digits = runs[i + 1]! - runs[i]!;
  for (let j = i; digits < enough && j + 2 < runs.length; j += 2) {
    const end = runs[j + 1]!;
    if (runs[j + 2] !== end + 1 || !isSeparator(text.charCodeAt(end))) break;
    digits += runs[j + 3]! - runs[j + 2]!;
  }
  return digits;
}

/** Above this many runs per character, a regex finds the next digit faster than ten indexOf cursors. */
const DENSE_RUNS = 1 / 48;

/**
 * The index's scans. On one-byte strings (Latin-1 text) indexOf is a vectorised search, so digits are found
 * with one cursor per digit, several times faster than a regex or a charCodeAt loop when digits are few;
 * when digit runs turn out to be frequent, or the string holds wider characters (where indexOf is slower
 * than the regex), a global regex finds them.
 */
export function createTextIndexer(): (text: string) => TextIndex {
  const digit = /\d/g;
  // Fails at once on a one-byte string: V8 knows none of its characters can match.
  const wide = /[^\0-\xff]/;
  const digitChars = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const next = new Array<number>(10).fill(-1);

  function runEnd(text: string, from: number): number {
    let j = from;
    while (j < text.length && isDigit(text.charCodeAt(j))) j++;
    return j;
  }

  /** Runs from `from` on, appended to `runs`, found with the regex. */
  function regexRuns(text: string, from: number, runs: number[]): number[] {
    digit.lastIndex = from;
    while (digit.test(text)) {
      const start = digit.lastIndex - 1;
      const end = runEnd(text, start + 1);
      runs.push(start, end);
      digit.lastIndex = end;
    }
    return runs;
  }

  function digitRuns(text: string): number[] {
    const runs: number[] = [];
    if (wide.test(text)) return regexRuns(text, 0, runs);
    for (let d = 0; d < 10; d++) next[d] = text.indexOf(digitChars[d]!);
    for (;;) {
      let start = -1;
      for (let d = 0; d < 10; d++) {
        const at = next[d]!;
        if (at !== -1 && (start === -1 || at < start)) start = at;
      }
      if (start === -1) return runs;
      const end = runEnd(text, start + 1);
      runs.push(start, end);
      if (runs.length > 16 && runs.length > end * DENSE_RUNS * 2) return regexRuns(text, end, runs);
      for (let d = 0; d < 10; d++) {
        if (next[d]! !== -1 && next[d]! < end) next[d] = text.indexOf(digitChars[d]!, end);
      }
    }
  }

  function operators(text: string): number[] {
    const out: number[] = [];
    let colon = text.indexOf(':');
    let equals = text.indexOf('=');
    while (colon !== -1 || equals !== -1) {
      if (equals === -1 || (colon !== -1 && colon < equals)) {
        out.push(colon);
        colon = text.indexOf(':', colon + 1);
      } else {
        out.push(equals);
        equals = text.indexOf('=', equals + 1);
      }
    }
    return out;
  }

  return (text) => ({ digitRuns: digitRuns(text), operators: operators(text) });
}
