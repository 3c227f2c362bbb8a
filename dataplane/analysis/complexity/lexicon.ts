// A set of term patterns matched in one pass over the text instead of one pass per pattern: the combined
// regex gives each pattern its own capture group, and the groups that ever match are the terms present.

export interface Lexicon {
  /** How many of the patterns occur in the text. */
  distinct(text: string): number;
}

export function createLexicon(patterns: readonly RegExp[]): Lexicon {
  const source = patterns.map((pattern) => `(${pattern.source})`).join('|');
  // Each pattern must be free of capture groups of its own, or the group numbers would not line up.
  const groups = new RegExp(`${source}|`).exec('')!.length - 1;
  if (groups !== patterns.length) throw new Error('lexicon patterns must not contain capture groups');
  return {
    distinct(text: string): number {
      const seen = new Set<number>();
      // A fresh global regex per call: matchAll needs the g flag and no lastIndex is shared between calls.
      for (const match of text.matchAll(new RegExp(source, 'g'))) {
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
