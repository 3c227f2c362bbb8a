// Prompt-injection signals for one request: every non-system segment is scored by each SignalSource, weighted
// by the role it came from, and the per-signal maxima are combined by noisy-OR into one 0–1 score.
import type { InjectionAnalysis, TextSegment } from '../types.js';
import { noisyOr, roleWeight } from './combine.js';
import { createHeuristicSource } from './heuristic-source.js';
import type { SegmentContext, SignalSource } from './types.js';

export type { HeuristicSignal, SegmentContext, SignalScore, SignalSource } from './types.js';
export { createHeuristicSource } from './heuristic-source.js';

/** Added to `signals` when the strongest evidence for a listed signal sat in a tool result or tool call. */
export const INDIRECT_SIGNAL = 'indirect_injection';

/**
 * Score at or above which a request counts as an injection attempt: one jailbreak-specific cue, or two weaker
 * ones. Chosen on the public eval set (docs/analysis.md); 0.5 is the stricter, higher-precision point.
 */
export const DEFAULT_FLAG_THRESHOLD = 0.3;

export interface InjectionDetectorOptions {
  /** Scorers to combine. Defaults to the heuristics alone; a learned classifier is added alongside them. */
  readonly sources?: readonly SignalSource[];
  /** A signal is listed in `signals` when its weighted score reaches this. */
  readonly reportFloor?: number;
  /**
   * Characters scanned per request, summed over segments. Beyond it the budget is shared fairly (scanShares):
   * short segments whole, long ones at their head and tail only, which bounds the time for arbitrarily large
   * bodies (attacks sit at the start or end in practice) without letting one long segment crowd out the rest.
   */
  readonly maxScanChars?: number;
}

export interface InjectionDetector {
  detect(segments: readonly TextSegment[]): InjectionAnalysis;
}

// Text the application itself wrote: its own instructions are not an attack on it.
const APP_ROLES: ReadonlySet<string> = new Set(['system', 'developer']);
// Text relayed from tools, not typed by the person asking: instructions in it are indirect injection.
const UNTRUSTED_ROLES: ReadonlySet<string> = new Set(['tool', 'tool_call', 'function', 'document']);

const DEFAULT_MAX_SCAN_CHARS = 2 * 1024 * 1024;
const TAIL_CHARS = 65_536;

function budgeted(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const tail = Math.min(TAIL_CHARS, Math.floor(budget / 4));
  return `${text.slice(0, budget - tail)}\n${text.slice(text.length - tail)}`;
}

/**
 * Each segment's share of the scan budget, by water-filling: segments shorter than an equal share of what is
 * left are scanned whole, the longer ones each get that share (their head and tail). Padding one message with
 * megabytes of whitespace therefore cannot push the attack in another out of the scan, whichever comes first
 * (found by adversarial testing: a first-come budget skipped every segment after a 2 MiB one).
 */
export function scanShares(lengths: readonly number[], budget: number): number[] {
  const shares = [...lengths];
  let total = 0;
  for (const length of lengths) total += length;
  if (total <= budget) return shares;
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  let left = budget;
  for (let k = 0; k < order.length; k++) {
    const share = Math.floor(left / (order.length - k));
    const i = order[k]!;
    if (lengths[i]! <= share) {
      left -= lengths[i]!;
      continue;
    }
    for (let j = k; j < order.length; j++) shares[order[j]!] = share;
    break;
  }
  return shares;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export function createInjectionDetector(options: InjectionDetectorOptions = {}): InjectionDetector {
  const sources = options.sources ?? [createHeuristicSource()];
  const reportFloor = options.reportFloor ?? 0.25;
  const maxScanChars = options.maxScanChars ?? DEFAULT_MAX_SCAN_CHARS;

  return {
    detect(segments: readonly TextSegment[]): InjectionAnalysis {
      const best = new Map<string, { score: number; untrusted: boolean }>();
      const scanned = segments.filter((segment) => segment.message !== -1 && !APP_ROLES.has(segment.role));
      const shares = scanShares(
        scanned.map((segment) => segment.text.length),
        maxScanChars,
      );
      for (const [i, segment] of scanned.entries()) {
        const text = budgeted(segment.text, shares[i]!);
        const context: SegmentContext = {
          role: segment.role,
          untrusted: UNTRUSTED_ROLES.has(segment.role),
          sole: scanned.length === 1,
        };
        const weight = roleWeight(segment.role);
        for (const source of sources) {
          for (const { signal, score } of source.score(text, context)) {
            const weighted = Math.min(1, Math.max(0, score)) * weight;
            const current = best.get(signal);
            if (current === undefined || weighted > current.score) {
              best.set(signal, { score: weighted, untrusted: context.untrusted });
            }
          }
        }
      }
      const score = noisyOr([...best.values()].map((entry) => entry.score));
      const listed = [...best.entries()]
        .filter(([, entry]) => entry.score >= reportFloor)
        .sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]));
      const signals = listed.map(([signal]) => signal);
      if (listed.some(([, entry]) => entry.untrusted)) signals.push(INDIRECT_SIGNAL);
      return { score: round(score), signals };
    },
  };
}
