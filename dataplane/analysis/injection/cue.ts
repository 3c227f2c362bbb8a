// A cue is one regex-shaped piece of evidence for a signal, with a weight; this file defines the shape, the
// regex-building helpers every cue file uses (kept ReDoS-safe by construction) and the matcher.
import type { Probe } from './anchor-scan.js';
import { testNear } from './sticky-test.js';
import type { CueIndex } from './cue-index.js';
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
   * Substrings of which one must occur in `norm` for the cue to fire. (Speed no longer depends on it: cues
   * are skipped on the anchor words derived from their patterns, see cue-index.ts.)
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

function gateOpen(cue: Cue, norm: string): boolean {
  if (cue.gate === undefined) return true;
  for (const needle of cue.gate) if (norm.includes(needle)) return true;
  return false;
}

/**
 * Every cue that fires on the text, each at most once unless it asks for repeats. `probe` is the anchor scan
 * of `text.norm`; a cue whose anchors are absent cannot match and is skipped without running its regex. The
 * gate is checked after the regex: it rarely gets that far, and the result is the same in any order. `only`
 * limits the run to cues of those signals, for re-scanning decoded payloads.
 */
export function matchCues(
  index: CueIndex,
  text: PreparedText,
  probe: Probe,
  untrusted: boolean,
  only?: ReadonlySet<HeuristicSignal>,
): CueHit[] {
  const hits: CueHit[] = [];
  // Context patterns are shared by many cues: evaluate each once per text.
  const contextSeen = new Map<RegExp, boolean>();
  const { cues, prefilters, repeaters, sticky } = index;
  for (let i = 0; i < cues.length; i++) {
    const cue = cues[i]!;
    if (only !== undefined && !only.has(cue.signal)) continue;
    if (!probe.passes(prefilters[i]!)) continue;
    const subject = cue.caseSensitive === true ? text.clean : text.norm;
    if (!testNear(cue.pattern, sticky[i], subject, probe)) continue;
    if (!gateOpen(cue, text.norm)) continue;
    if (cue.context !== undefined && !contextsPresent(cue.context, text.norm, contextSeen)) continue;
    const weight = untrusted ? (cue.dataWeight ?? cue.weight) : cue.weight;
    if (weight <= 0) continue;
    hits.push({ id: cue.id, signal: cue.signal, weight });
    const repeater = repeaters[i];
    if (repeater !== undefined && cue.repeat !== undefined) {
      const count = Math.min(subject.match(repeater)?.length ?? 0, cue.repeat);
      for (let n = 1; n < count; n++) {
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
