// A cue is one regex-shaped piece of evidence for a signal, with a weight; this file defines the shape, the
// regex-building helpers every cue file uses (kept ReDoS-safe by construction) and the matcher.
import type { PreparedText } from './prepare.js';
import type { HeuristicSignal } from './types.js';

export interface Cue {
  /** Stable id, reported in SignalScore.cues and used by tests. */
  readonly id: string;
  readonly signal: HeuristicSignal;
  /** Non-global, so `test` keeps no lastIndex state between calls. Matched against lower-cased `norm`. */
  readonly pattern: RegExp;
  /** Strength in user turns, in [0, 1]; independent cues of one signal combine by noisy-OR. */
  readonly weight: number;
  /** Strength when the text is untrusted data (tool results); defaults to `weight`. */
  readonly dataWeight?: number;
  /**
   * Cheap substring pre-check: the regex only runs when one of these occurs in `norm`. Keeps 1 MB inputs
   * fast, since most cues have no chance on most text.
   */
  readonly gate?: readonly string[];
  /** Patterns that must all also occur somewhere in the text (e.g. a reference to an AI model). */
  readonly context?: RegExp | readonly RegExp[];
  /** Match against `clean` (case kept) instead of `norm`, for case-sensitive cues such as `DAN`. */
  readonly caseSensitive?: boolean;
  /**
   * Count up to this many separate matches, each worth half the previous: a jailbreak restates "no rules"
   * five ways, a question about AI safety says it once.
   */
  readonly repeat?: number;
}

export interface CueHit {
  readonly id: string;
  readonly signal: HeuristicSignal;
  readonly weight: number;
}

/** `(?:a|b|c)` from alternatives (already regex source). */
export function alt(...options: readonly string[]): string {
  return `(?:${options.join('|')})`;
}

/**
 * Up to `max` intervening words, then a separator. Word and separator classes are disjoint and words are
 * length-bounded, so the only backtracking choice is how many words the gap takes: at most max+1 tries per
 * start position, never exponential. Separators are bounded too, so a megabyte of spaces after a trigger word
 * costs no more than a short one. Gaps do not cross sentence punctuation.
 */
export function gap(max: number): string {
  return String.raw`(?:[\s,]{1,20}[^\s,.!?;:]{1,40}){0,${max}}[\s,]{1,20}`;
}

/** Builds a non-global regex from source parts. */
export function rx(...parts: readonly string[]): RegExp {
  return new RegExp(parts.join(''));
}

/** Which gate strings occur in a text, found in one pass instead of one substring search per gate. */
export interface GateIndex {
  present(norm: string): ReadonlySet<string>;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createGateIndex(cues: readonly Cue[]): GateIndex {
  // Longest first, so at each position the alternation reports the longest gate; the shorter gates that are
  // its prefixes are added from this table. Gates starting at other positions are found by the lookahead,
  // which is tried at every position (zero-width, so matches may overlap).
  const gates = [...new Set(cues.flatMap((cue) => cue.gate ?? []))].sort((a, b) => b.length - a.length);
  const prefixes = new Map(
    gates.map((gate) => [gate, gates.filter((o) => o !== gate && gate.startsWith(o))]),
  );
  const source = `(?=(${gates.map(escapeRegex).join('|')}))`;
  return {
    present(norm: string): ReadonlySet<string> {
      const found = new Set<string>();
      // A fresh global regex per call: matchAll needs the g flag; nothing is shared between calls.
      for (const match of norm.matchAll(new RegExp(source, 'g'))) {
        const gate = match[1]!;
        if (found.has(gate)) continue;
        found.add(gate);
        for (const prefix of prefixes.get(gate) ?? []) found.add(prefix);
        if (found.size === gates.length) break;
      }
      return found;
    },
  };
}

function gateOpen(cue: Cue, gates: ReadonlySet<string>): boolean {
  if (cue.gate === undefined) return true;
  for (const needle of cue.gate) if (gates.has(needle)) return true;
  return false;
}

/**
 * Every cue that fires on the text, each at most once unless it asks for repeats. `gates` is the text's
 * GateIndex result; `only` limits the run to cues of those signals, for re-scanning decoded payloads.
 */
export function matchCues(
  cues: readonly Cue[],
  text: PreparedText,
  gates: ReadonlySet<string>,
  untrusted: boolean,
  only?: ReadonlySet<HeuristicSignal>,
): CueHit[] {
  const hits: CueHit[] = [];
  // Context patterns are shared by many cues: evaluate each once per text.
  const contextSeen = new Map<RegExp, boolean>();
  for (const cue of cues) {
    if (only !== undefined && !only.has(cue.signal)) continue;
    if (!gateOpen(cue, gates)) continue;
    const subject = cue.caseSensitive === true ? text.clean : text.norm;
    if (!cue.pattern.test(subject)) continue;
    if (cue.context !== undefined && !contextsPresent(cue.context, text.norm, contextSeen)) continue;
    const weight = untrusted ? (cue.dataWeight ?? cue.weight) : cue.weight;
    if (weight <= 0) continue;
    hits.push({ id: cue.id, signal: cue.signal, weight });
    if (cue.repeat !== undefined && cue.repeat > 1) {
      for (let n = 1; n < countMatches(cue.pattern, subject, cue.repeat); n++) {
        hits.push({ id: `${cue.id}#${n + 1}`, signal: cue.signal, weight: weight / 2 ** n });
      }
    }
  }
  return hits;
}

function contextsPresent(
  context: RegExp | readonly RegExp[],
  norm: string,
  seen: Map<RegExp, boolean>,
): boolean {
  for (const pattern of context instanceof RegExp ? [context] : context) {
    let present = seen.get(pattern);
    if (present === undefined) {
      present = pattern.test(norm);
      seen.set(pattern, present);
    }
    if (!present) return false;
  }
  return true;
}

function countMatches(pattern: RegExp, subject: string, max: number): number {
  let count = 0;
  // A fresh global copy per call: matchAll needs the g flag, and the shared cue regex must stay stateless.
  for (const _match of subject.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))) {
    count += 1;
    if (count >= max) break;
  }
  return count;
}
