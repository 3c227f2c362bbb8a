// Shapes shared by injection signal sources and the detector that combines them. A source is anything that
// scores one segment's text (the heuristics today, a learned classifier later) and returns per-signal scores.

/** Signal names the heuristics emit; other sources may add their own (e.g. `learned_classifier`). */
export type HeuristicSignal =
  | 'instruction_override'
  | 'roleplay_jailbreak'
  | 'system_prompt_exfiltration'
  | 'encoded_payload'
  | 'delimiter_injection'
  | 'response_manipulation';

/** Where a segment came from, so sources can judge the same words differently in data than in a request. */
export interface SegmentContext {
  readonly role: string;
  /**
   * True for text the application relays rather than the person asking: tool results and tool-call arguments.
   * Instructions aimed at the assistant are expected from a user but are a red flag inside data
   * (indirect injection).
   */
  readonly untrusted: boolean;
  /** The request's only scanned segment (one turn, one part): a question then stands alone. */
  readonly sole?: boolean;
}

export interface SignalScore {
  readonly signal: string;
  /** Probability-like strength in [0, 1]. */
  readonly score: number;
  /** Ids of the cues that fired, for tests and debugging; never shown to end users. */
  readonly cues?: readonly string[];
}

/** One scorer of injection likelihood. Must be pure and bounded in time for any input size. */
export interface SignalSource {
  readonly name: string;
  score(text: string, context: SegmentContext): readonly SignalScore[];
}
