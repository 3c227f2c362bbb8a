// Exact answers to "does this pattern match / how often / how many lexicon terms" for one lower-cased text,
// cheaply: one anchor scan of the text finds which words every pattern needs (see
// injection/literal-anchors.ts), and a pattern whose anchors are absent is answered without running it.
import { createAnchorScanner, isAscii, type CompiledGroup, type Probe } from '../injection/anchor-scan.js';
import { stickyTest, testNear, type StickyTest } from '../injection/sticky-test.js';
import {
  analyzePattern,
  literalStrings,
  wordForms,
  type PatternAnchors,
} from '../injection/literal-anchors.js';
import { countAll, globalCopy } from './count.js';
import type { Lexicon } from './lexicon.js';

/** One text, screened: each method equals running the pattern on `lower` directly. */
export interface Screen {
  readonly lower: string;
  /** No character at or above U+0080. */
  readonly ascii: boolean;
  /** `pattern.test(lower)`. */
  test(pattern: RegExp): boolean;
  /** How many times `pattern` matches `lower` (non-overlapping, left to right), stopping at `cap`. */
  count(pattern: RegExp, cap: number): number;
  /** `lexicon.distinctByScan(lower)`. */
  distinct(lexicon: Lexicon): number;
}

export type Screener = (lower: string) => Screen;

interface Entry {
  readonly groups: readonly CompiledGroup[];
  /** Global copy for counting (countAll sets its lastIndex before every use). */
  readonly global: RegExp;
  /** Tried only where a match can start, when that is known (sticky-test.ts). */
  readonly sticky: StickyTest | undefined;
  /** For a pattern of words at word starts (see wordForms): its words, answered from their positions. */
  readonly forms: readonly { readonly id: number; readonly length: number; readonly whole: boolean }[] | null;
}

const isWordCode = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || (c >= 0x41 && c <= 0x5a);

interface LexiconInfo {
  readonly entries: readonly Entry[];
  /** Entries `i` and `j` may be reported for the same place, or one may hide the other (interactions()). */
  readonly interacts: (i: number, j: number) => boolean;
}

/**
 * The rest of each literal of the pattern from its inner positions (all of them, or only those where a
 * word starts: after the space of `vector space`). Null when the pattern is not a finite set of literals.
 */
function innerRests(pattern: RegExp, wordStartsOnly: boolean): readonly string[] | null {
  const strings = literalStrings(pattern);
  if (strings === null) return null;
  const out: string[] = [];
  for (const text of strings) {
    for (let i = 1; i < text.length; i++) {
      if (!wordStartsOnly || (isWordCode(text.charCodeAt(i)) && !isWordCode(text.charCodeAt(i - 1)))) {
        out.push(text.slice(i));
      }
    }
  }
  return out;
}

const compatible = (a: readonly string[], b: readonly string[]): boolean =>
  a.some((x) => b.some((y) => x.startsWith(y) || y.startsWith(x)));

/**
 * Which pairs of a lexicon's patterns can interact in its combined pass: they can start at the same place
 * (one's literal start begins with the other's), or one can start inside the other's match (at an inner
 * word start, for a pattern that only starts at word starts; anywhere, for one that does not). Patterns
 * whose literals are not known interact with all.
 */
function interactions(
  patterns: readonly RegExp[],
  anchors: readonly PatternAnchors[],
): (i: number, j: number) => boolean {
  const n = anchors.length;
  const words = patterns.map((p) => innerRests(p, true));
  const anywhere = patterns.map((p) => innerRests(p, false));
  // Inside `i`'s match, where `j` could start.
  const inside = (i: number, j: number): readonly string[] | null =>
    anchors[j]!.wordStart ? words[i]! : anywhere[i]!;
  const matrix = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const a = anchors[i]!.leads;
      const b = anchors[j]!.leads;
      const ij = inside(i, j);
      const ji = inside(j, i);
      const overlap =
        a === null ||
        b === null ||
        ij === null ||
        ji === null ||
        compatible(a, b) ||
        compatible(ij, b) ||
        compatible(ji, a);
      matrix[i * n + j] = overlap ? 1 : 0;
    }
  }
  return (i, j) => matrix[i * n + j] === 1;
}

class ScreenedText implements Screen {
  constructor(
    readonly lower: string,
    readonly ascii: boolean,
    private readonly probe: Probe,
    private readonly entries: ReadonlyMap<RegExp, Entry>,
    private readonly lexicons: ReadonlyMap<Lexicon, LexiconInfo>,
  ) {}

  test(pattern: RegExp): boolean {
    const entry = this.entries.get(pattern);
    if (entry?.forms != null) return this.formAt(entry.forms, 1) > 0;
    if (entry === undefined) return pattern.test(this.lower);
    return this.probe.passes(entry.groups) && testNear(pattern, entry.sticky, this.lower, this.probe);
  }

  count(pattern: RegExp, cap: number): number {
    const entry = this.entries.get(pattern);
    // One match per word start where a form fits (matches lie inside words, so they never overlap).
    if (entry?.forms != null) return this.formAt(entry.forms, cap);
    if (entry !== undefined && !this.probe.passes(entry.groups)) return 0;
    return countAll(entry?.global ?? globalCopy(pattern), this.lower, cap);
  }

  /** How many word starts (at most `cap`) a form fits: its word begins there and, if `whole`, ends. */
  private formAt(forms: NonNullable<Entry['forms']>, cap: number): number {
    const probe = this.probe;
    const lower = this.lower;
    // Forms whose words start alike can fit at the same place: count each place once.
    const seen: number[] = [];
    for (const form of forms) {
      for (let at = probe.first(form.id); at >= 0; at = probe.next(at)) {
        const position = probe.position(at);
        if (form.whole && isWordCode(lower.charCodeAt(position + form.length))) continue;
        if (forms.length > 1 && seen.includes(position)) continue;
        seen.push(position);
        if (seen.length >= cap) return cap;
      }
    }
    return seen.length;
  }

  distinct(lexicon: Lexicon): number {
    const info = this.lexicons.get(lexicon);
    if (info === undefined) return lexicon.distinctByScan(this.lower);
    const candidates: number[] = [];
    for (let i = 0; i < info.entries.length; i++)
      if (this.probe.passes(info.entries[i]!.groups)) candidates.push(i);
    // Terms that cannot interact are each reported wherever they occur: count them one by one. Otherwise
    // only the combined pass says which ones it reports.
    for (const i of candidates) {
      for (const j of candidates) if (info.interacts(i, j)) return lexicon.distinctByScan(this.lower);
    }
    let found = 0;
    for (const i of candidates) if (this.test(lexicon.patterns[i]!)) found += 1;
    return found;
  }
}

/**
 * A screener for the given patterns and lexicons (all matched against lower-case text). Patterns not
 * registered here are still answered, by running them.
 */
export function createScreener(patterns: readonly RegExp[], lexicons: readonly Lexicon[]): Screener {
  const all = [...new Set([...patterns, ...lexicons.flatMap((l) => l.patterns)])];
  const analysed = new Map(all.map((p) => [p, analyzePattern(p)]));
  const forms = new Map(all.map((p) => [p, wordForms(p)]));
  // Words of word patterns are located by the scan, so those patterns never need to run; so are the start
  // words of other patterns when the scan looks for them anyway (an extra word would cost hits everywhere).
  const scanned = new Set([...analysed.values()].flatMap((a) => a.groups.flatMap((g) => g.words)));
  const tracked = [
    ...[...forms.values()].flatMap((list) => (list ?? []).map((f) => f.word)),
    ...[...analysed.values()].flatMap((a) =>
      a.starts !== null && a.starts.every((start) => scanned.has(start.word))
        ? a.starts.map((start) => start.word)
        : [],
    ),
  ];
  const scanner = createAnchorScanner([...analysed.values()], [], tracked);
  const entries = new Map<RegExp, Entry>(
    all.map((p) => [
      p,
      {
        groups: scanner.compile(analysed.get(p)!),
        global: new RegExp(p.source, `${p.flags}g`),
        sticky: stickyTest(p, analysed.get(p)!, scanner, false),
        forms:
          forms.get(p)?.map((f) => ({ id: scanner.wordId(f.word), length: f.word.length, whole: f.whole })) ??
          null,
      },
    ]),
  );
  const infos = new Map<Lexicon, LexiconInfo>(
    lexicons.map((l) => [
      l,
      {
        entries: l.patterns.map((p) => entries.get(p)!),
        interacts: interactions(
          l.patterns,
          l.patterns.map((p) => analysed.get(p)!),
        ),
      },
    ]),
  );
  return (lower: string): Screen => {
    const ascii = isAscii(lower);
    return new ScreenedText(lower, ascii, scanner.scan(lower, ascii), entries, infos);
  };
}
