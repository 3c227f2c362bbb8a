// Iteration over regex matches where the detector decides where the next search starts (a validator may
// keep only a prefix of a candidate, and the rest can hold the next value).
// Each caller passes a regex it created for this call, so no lastIndex leaks between calls or threads.

/** Words near a span, lower-cased, for context checks. */
export function around(text: string, start: number, end: number, before: number, after: number): string {
  return `${text.slice(Math.max(0, start - before), start)} ${text.slice(end, end + after)}`.toLowerCase();
}

/**
 * Distance in characters from the span to the nearest match of `words` within `before` characters ahead
 * of it or `after` characters behind it; Infinity when there is none. Lets the closer of two competing
 * cues win ("license clerk ... Phone: 358 0594").
 */
export function wordDistance(
  text: string,
  start: number,
  end: number,
  words: RegExp,
  before: number,
  after: number,
): number {
  const flags = words.flags.includes('g') ? words.flags : `${words.flags}g`;
  const head = text.slice(Math.max(0, start - before), start).toLowerCase();
  const tail = text.slice(end, end + after).toLowerCase();
  let best = Infinity;
  for (const m of head.matchAll(new RegExp(words.source, flags)))
    best = Math.min(best, head.length - m.index - m[0].length);
  const first = new RegExp(words.source, flags.replace('g', '')).exec(tail);
  if (first !== null) best = Math.min(best, first.index);
  return best;
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
