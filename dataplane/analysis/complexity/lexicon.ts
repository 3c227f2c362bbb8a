// A set of term patterns counted as "how many of them occur". The defining algorithm is one pass of the
// combined regex (each pattern its own capture group, earlier patterns winning where several match at one
// place); Screen.distinct() usually gets the same answer far more cheaply and falls back to this pass when
// the shortcut could differ.

export interface Lexicon {
  readonly patterns: readonly RegExp[];
  /** How many of the patterns the combined pass reports in `text`: the reference algorithm. */
  distinctByScan(text: string): number;
}

export function createLexicon(patterns: readonly RegExp[]): Lexicon {
  const source = patterns.map((pattern) => `(${pattern.source})`).join('|');
  // Each pattern must be free of capture groups of its own, or the group numbers would not line up.
  const groups = new RegExp(`${source}|`).exec('')!.length - 1;
  if (groups !== patterns.length) throw new Error('lexicon patterns must not contain capture groups');
  // Shared global copy: distinctByScan sets lastIndex before use and runs synchronously.
  const combined = new RegExp(source, 'g');
  return {
    patterns,
    distinctByScan(text: string): number {
      const seen = new Set<number>();
      combined.lastIndex = 0;
      for (let match = combined.exec(text); match !== null; match = combined.exec(text)) {
        // As matchAll does: step over an empty match instead of finding it again.
        if (match[0] === '') combined.lastIndex += 1;
        for (let i = 1; i < match.length; i++) {
          if (match[i] !== undefined) {
            seen.add(i);
            break;
          }
        }
        if (seen.size === patterns.length) break;
      }
      return seen.size;
    },
  };
}
