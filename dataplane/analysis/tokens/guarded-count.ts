// Counts text tokens in time linear in its length, even for adversarial input.
// BPE merges within one pre-tokenizer piece cost O(n²): a 400 KB emoji run did not finish in minutes. Runs
// that the pre-tokenizer could keep as one piece (see run-scanner.ts) are cut into slices instead.
import type { Encoder } from './encoder-cache.js';
import { createRunScanner, type RunScanner } from './run-scanner.js';

export interface TextCount {
  tokens: number;
  /** False when a long run had to be sliced: slice edges may merge differently, a few tokens off at most. */
  exact: boolean;
}

/** Longest run counted whole. At 256 UTF-16 units a 1 MB emoji run (the worst case found) takes ~0.1 s. */
export const RUN_LIMIT = 256;

export type GuardedCounter = (text: string) => TextCount;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export function createGuardedCounter(
  encoder: Encoder,
  scanRuns: RunScanner = createRunScanner(),
): GuardedCounter {
  function countRun(run: string): number {
    let tokens = 0;
    let start = 0;
    while (start < run.length) {
      let end = Math.min(run.length, start + RUN_LIMIT);
      // Never split a surrogate pair: half an emoji would encode as replacement bytes.
      if (end < run.length && isLowSurrogate(run.charCodeAt(end))) end += 1;
      tokens += encoder.count(run.slice(start, end));
      start = end;
    }
    return tokens;
  }

  return (text) => {
    if (text.length < RUN_LIMIT) return { tokens: encoder.count(text), exact: true };
    const runs = scanRuns(text, RUN_LIMIT);
    if (runs.length === 0) return { tokens: encoder.count(text), exact: true };
    let tokens = 0;
    let cursor = 0;
    for (const run of runs) {
      tokens += encoder.count(text.slice(cursor, run.start)) + countRun(text.slice(run.start, run.end));
      cursor = run.end;
    }
    return { tokens: tokens + encoder.count(text.slice(cursor)), exact: false };
  };
}
