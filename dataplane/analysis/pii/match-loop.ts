// Iteration over regex matches where the detector decides where the next search starts (a validator may
// keep only a prefix of a candidate, and the rest can hold the next value), and context-word checks.
// Regexes with state (g or y flags) belong to one scanner (created in its factory): a scan is synchronous,
// so their lastIndex never leaks between calls, and no regex is compiled per call.

/** Words near a span, lower-cased, for context checks. */
export function around(text: string, start: number, end: number, before: number, after: number): string {
  return `${text.slice(Math.max(0, start - before), start)} ${text.slice(end, end + after)}`.toLowerCase();
}

/** A word list compiled twice: global to find the last match before a span, plain for the first after. */
export interface WordPattern {
  readonly all: RegExp;
  readonly first: RegExp;
}

export function wordPattern(words: RegExp): WordPattern {
  const flags = words.flags.replace(/[gy]/g, '');
  return { all: new RegExp(words.source, `${flags}g`), first: new RegExp(words.source, flags) };
}

/** The lower-cased text within `before` characters ahead of a span and `after` characters behind it. */
export interface Surroundings {
  readonly head: string;
  readonly tail: string;
}

export function surroundings(
  text: string,
  start: number,
  end: number,
  before: number,
  after: number,
): Surroundings {
  return {
    head: text.slice(Math.max(0, start - before), start).toLowerCase(),
    tail: text.slice(end, end + after).toLowerCase(),
  };
}

/**
 * Distance in characters from the span to the nearest match of `words` in its surroundings (the end of the
 * last match in the head, the start of the first in the tail); Infinity when there is none. Lets the closer
 * of two competing cues win ("license clerk ... Phone: 358 0594").
 */
export function wordDistanceIn({ head, tail }: Surroundings, words: WordPattern): number {
  let best = Infinity;
  const all = words.all;
  all.lastIndex = 0;
  for (let m = all.exec(head); m !== null; m = all.exec(head)) {
    best = Math.min(best, head.length - m.index - m[0].length);
    if (m[0].length === 0) all.lastIndex++;
  }
  const first = words.first.exec(tail);
  if (first !== null) best = Math.min(best, first.index);
  return best;
}

export function wordDistance(
  text: string,
  start: number,
  end: number,
  words: WordPattern,
  before: number,
  after: number,
): number {
  return wordDistanceIn(surroundings(text, start, end, before, after), words);
}

/**
 * Calls `visit` for every match of the global regex `re`. `visit` may return the index to resume from
 * (greater than the match start); otherwise the search resumes at the match end, or one past an empty match.
 */
export function eachMatch(re: RegExp, text: string, visit: (match: RegExpExecArray) => unknown): void {
  if (!re.global) throw new Error('eachMatch needs a global regex');
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const next = visit(m);
    const end = m.index + m[0].length;
    re.lastIndex = typeof next === 'number' && next > m.index ? next : end > m.index ? end : m.index + 1;
  }
}

/**
 * eachMatch for a sticky regex tried only at candidate positions: call the returned function with the
 * candidates in ascending order. It reports exactly the matches eachMatch would report for the global form
 * of `re`, as long as every position where a match can start is offered (extra candidates are harmless):
 * the global search resumes at the same place and its next match starts at the next candidate that matches.
 * Detectors find candidates with a cheap scan (a digit run, an '@', a ':'), so text without any costs
 * nothing here.
 */
export function matchAtCandidates(
  re: RegExp,
  text: string,
  visit: (match: RegExpExecArray) => unknown,
): (start: number) => void {
  if (!re.sticky || re.global) throw new Error('matchAtCandidates needs a sticky, non-global regex');
  let resume = 0;
  return (start) => {
    if (start < resume) return;
    re.lastIndex = start;
    const m = re.exec(text);
    if (m === null) return;
    const next = visit(m);
    const end = start + m[0].length;
    resume = typeof next === 'number' && next > start ? next : end > start ? end : start + 1;
  };
}
