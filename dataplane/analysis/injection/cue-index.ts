// Everything the cue matcher needs that can be worked out once: each cue's necessary anchor words (from its
// pattern and its context patterns), one scanner that finds all of them in a single pass, and global copies
// of the patterns that count repeats. Built once per detector; read-only afterwards.
import { createAnchorScanner, type AnchorScanner, type CompiledGroup } from './anchor-scan.js';
import type { Cue } from './cue.js';
import { stickyTest, type StickyTest } from './sticky-test.js';
import { analyzePattern, type PatternAnchors } from './literal-anchors.js';

export interface CueIndex {
  readonly cues: readonly Cue[];
  readonly scanner: AnchorScanner;
  /** Per cue: anchor groups that must all be present before its regex is worth running. */
  readonly prefilters: readonly (readonly CompiledGroup[])[];
  /** Per cue with `repeat`: a global copy of its pattern for counting (`match` leaves no lastIndex behind). */
  readonly repeaters: readonly (RegExp | undefined)[];
  /** Per cue: sticky matching at its start anchors, when it has them. */
  readonly sticky: readonly (StickyTest | undefined)[];
  /** Anchor groups of the `extra` patterns, in order. */
  readonly extra: readonly (readonly CompiledGroup[])[];
}

// A context group the cue's own pattern does not need to be skipped: only selective ones are worth the
// extra anchors in the scan (every anchor costs a hit wherever it occurs).
const CONTEXT_PASS = 0.05;

function selective(anchors: PatternAnchors): PatternAnchors {
  return { ...anchors, groups: anchors.groups.filter((g) => g.pass <= CONTEXT_PASS) };
}

function contexts(cue: Cue): readonly RegExp[] {
  if (cue.context === undefined) return [];
  return cue.context instanceof RegExp ? [cue.context] : cue.context;
}

/**
 * `extra`: further patterns whose anchors the same scan should find (their groups are only valid for ASCII
 * text when `caseSensitive`, as for cues). `tokens`: substrings the scan should report (Probe.has).
 */
export function createCueIndex(
  cues: readonly Cue[],
  extra: readonly { pattern: RegExp; caseSensitive: boolean }[] = [],
  tokens: readonly string[] = [],
): CueIndex {
  // A cue fires only if its pattern and every context pattern match, so the anchors of all of them are
  // necessary. Case-sensitive cues run on `clean`: their (lower-cased) anchors only describe `norm` when the
  // two agree position for position, i.e. for ASCII text.
  const analysed = cues.map((cue) => ({
    main: analyzePattern(cue.pattern),
    contexts: contexts(cue).map(analyzePattern).map(selective),
  }));
  const extraAnalysed = extra.map((e) => analyzePattern(e.pattern));
  const all: PatternAnchors[] = [...analysed.flatMap((a) => [a.main, ...a.contexts]), ...extraAnalysed];
  // Sticky matching needs the positions of every start anchor. Only anchors the scan looks for anyway are
  // used: an extra one would cost a hit on every text that has it, for the benefit of one cue.
  const scanned = new Set(all.flatMap((p) => p.groups.flatMap((g) => g.words)));
  const starts = analysed.map((a) =>
    a.main.starts !== null && a.main.starts.every((s) => scanned.has(s.word)) ? a.main.starts : null,
  );
  // Start anchors are located for sticky matching; the extra patterns' words are counted (Probe.occurs).
  const tracked = [
    ...starts.flatMap((list) => (list ?? []).map((s) => s.word)),
    ...extraAnalysed.flatMap((a) => a.groups.flatMap((g) => g.words)),
  ];
  const scanner = createAnchorScanner(all, tokens, tracked);
  return {
    cues,
    scanner,
    prefilters: analysed.map((a, i) => [
      ...scanner.compile(a.main, cues[i]!.caseSensitive === true),
      ...a.contexts.flatMap((c) => scanner.compile(c)),
    ]),
    repeaters: cues.map((cue) =>
      cue.repeat !== undefined && cue.repeat > 1
        ? new RegExp(cue.pattern.source, `${cue.pattern.flags}g`)
        : undefined,
    ),
    sticky: analysed.map((a, i) =>
      starts[i] === null
        ? undefined
        : stickyTest(cues[i]!.pattern, a.main, scanner, cues[i]!.caseSensitive === true),
    ),
    extra: extraAnalysed.map((a, i) => scanner.compile(a, extra[i]!.caseSensitive)),
  };
}
