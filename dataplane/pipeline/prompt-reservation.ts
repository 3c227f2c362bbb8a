// What a request reserves against token and cost limits for its prompt, when the analysis could not count it all.

export interface PromptBounds {
  /** The analysis' count: exact text, but nothing for the parts it could not decode. */
  readonly counted: number;
  /** The completion upper bound of the whole request (all n choices). */
  readonly completionBound: number;
  /** Audio, PDF and other file parts the count leaves out (the analysis' `tokens.uncounted_parts`). */
  readonly uncountedParts: number;
  /** The model's configured context window, if any. */
  readonly contextWindow: number | undefined;
  /** The request's n (chat completions; 1 otherwise). */
  readonly choices: number;
}

/**
 * A prompt with parts the analysis cannot count is counted low, and such a request could run far past a
 * budget it was admitted to; the only sure bound is the model's context window, which each choice's prompt
 * and completion share (as an image of unknown size takes its worst case). So the prompt reserves the window
 * less one choice's completion bound: the whole reservation is then the window (plus the other choices'
 * bounds when n > 1), the most the call can bill, and the cost bound stays right when output tokens are
 * dearer. Without a configured window nothing better than the count is known. Reconciliation charges what
 * the provider reports.
 */
export function promptReservation(b: PromptBounds): number {
  if (b.contextWindow === undefined || b.uncountedParts === 0) return b.counted;
  const perChoice = Math.floor(b.completionBound / Math.max(1, b.choices));
  return Math.max(b.counted, b.contextWindow - perChoice);
}

/** A chat request's n (each choice is billed its own completion); 1 for anything else. */
export function choicesOf(body: unknown): number {
  const n = (body as { n?: unknown } | undefined)?.n;
  return typeof n === 'number' && Number.isInteger(n) && n > 1 ? n : 1;
}
