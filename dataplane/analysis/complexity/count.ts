// Bounded match counting shared by the complexity features.

/**
 * How many times `pattern` matches `text`, stopping at `cap`. Works on a fresh global copy, so the shared
 * pattern (kept non-global) carries no lastIndex state between calls.
 */
export function countMatches(pattern: RegExp, text: string, cap: number): number {
  let count = 0;
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  for (const _match of text.matchAll(new RegExp(pattern.source, flags))) {
    count += 1;
    if (count >= cap) break;
  }
  return count;
}
