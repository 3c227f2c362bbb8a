// A pattern whose matches can only start near certain words (PatternAnchors.starts) is tested by trying it
// at those places only, when they are few, instead of letting the engine walk the whole text.
import type { AnchorScanner, Probe } from './anchor-scan.js';
import type { PatternAnchors } from './literal-anchors.js';

export interface StickyTest {
  /** The pattern with the sticky flag: it matches only at lastIndex. */
  readonly pattern: RegExp;
  readonly anchors: readonly { readonly id: number; readonly offset: number }[];
  /** The anchors also cover text with non-ASCII characters (the pattern runs on the scanned text). */
  readonly anyText: boolean;
}

// A sticky attempt costs about as much as scanning this many characters with the whole pattern.
const STICKY_COST = 48;

/**
 * The sticky form of `pattern`, when its start anchors are all tracked by `scanner`; else undefined.
 * `caseKept`: the pattern runs on case-kept text, whose positions only match the scan's for ASCII text.
 * The sticky copy is shared: its lastIndex is set before every use, and use is synchronous.
 */
export function stickyTest(
  pattern: RegExp,
  anchors: PatternAnchors,
  scanner: AnchorScanner,
  caseKept: boolean,
): StickyTest | undefined {
  if (anchors.starts === null) return undefined;
  const ids = anchors.starts.map((s) => ({ id: scanner.wordId(s.word), offset: s.offset }));
  if (ids.some((a) => a.id < 0 || !scanner.tracks(a.id))) return undefined;
  return {
    pattern: new RegExp(pattern.source, `${pattern.flags.replace('g', '')}y`),
    anchors: ids,
    anyText: !caseKept && !anchors.nonAscii,
  };
}

/**
 * `pattern.test(subject)`, answered by sticky attempts where a match could start when those are few: every
 * match starts `offset` characters before one of the start anchors (literal-anchors.ts).
 */
export function testNear(
  pattern: RegExp,
  sticky: StickyTest | undefined,
  subject: string,
  probe: Probe,
): boolean {
  if (sticky === undefined || !(sticky.anyText || probe.ascii)) return pattern.test(subject);
  let attempts = 0;
  for (const anchor of sticky.anchors) attempts += probe.count(anchor.id);
  if (attempts * STICKY_COST >= subject.length) return pattern.test(subject);
  const re = sticky.pattern;
  for (const anchor of sticky.anchors) {
    for (let at = probe.first(anchor.id); at >= 0; at = probe.next(at)) {
      const start = probe.position(at) - anchor.offset;
      if (start < 0) continue;
      re.lastIndex = start;
      if (re.test(subject)) return true;
    }
  }
  return false;
}
