// How evidence combines: noisy-OR within a signal (independent cues each get a chance to be right) and across
// signals, after weighting each segment by the role it came from.
import type { CueHit } from './cue.js';
import type { SignalScore } from './types.js';

/** 1 - Π(1 - p): the probability that at least one of several independent weak detectors is right. */
export function noisyOr(scores: Iterable<number>): number {
  let miss = 1;
  for (const score of scores) miss *= 1 - Math.min(1, Math.max(0, score));
  return 1 - miss;
}

/** Groups cue hits by signal; one SignalScore per signal, its score the noisy-OR of its cues. */
export function combineHits(hits: readonly CueHit[]): SignalScore[] {
  const bySignal = new Map<string, { weights: number[]; cues: string[] }>();
  for (const hit of hits) {
    let entry = bySignal.get(hit.signal);
    if (entry === undefined) {
      entry = { weights: [], cues: [] };
      bySignal.set(hit.signal, entry);
    }
    // A cue counts once per signal even when it fires directly and again inside a decoded copy.
    if (entry.cues.includes(hit.id)) continue;
    entry.weights.push(hit.weight);
    entry.cues.push(hit.id);
  }
  const out: SignalScore[] = [];
  for (const [signal, entry] of bySignal)
    out.push({ signal, score: noisyOr(entry.weights), cues: entry.cues });
  return out;
}

/**
 * How much a role's text counts. The system prompt and developer messages are the application's own and are
 * not scanned at all (see the detector). Assistant history is normally model output but clients can forge it;
 * tool-call arguments are model output shaped by whatever the model read.
 */
export function roleWeight(role: string): number {
  switch (role) {
    case 'assistant':
      return 0.6;
    case 'tool_call':
      return 0.5;
    default:
      return 1;
  }
}
