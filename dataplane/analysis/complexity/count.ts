// Bounded match counting shared by the complexity features.

/** A global copy of `pattern`, made once where the pattern is defined, for countAll. */
export function globalCopy(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
}

/**
 * How many times a global pattern matches `text` (non-overlapping, left to right), stopping at `cap`: what
 * a matchAll loop stopping at `cap` counts. The shared global pattern's lastIndex is set before use and the
 * loop is synchronous, so nothing carries from one call to the next.
 */
export function countAll(global: RegExp, text: string, cap: number): number {
  let count = 0;
  global.lastIndex = 0;
  while (count < cap) {
    const match = global.exec(text);
    if (match === null) break;
    count += 1;
    // As matchAll does: step over an empty match instead of finding it again.
    if (match[0] === '') global.lastIndex += 1;
  }
  return count;
}
