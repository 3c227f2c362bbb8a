// How features become a score: each factor is a saturating function of its feature, scaled by a weight, and
// the factors combine by noisy-OR. Weights and scales were set by hand and checked against the calibration
// set in test/unit/analysis/complexity/calibration.ts (see docs/analysis.md).
import type { ComplexityClass } from '../types.js';

/** One factor: `weight * x / (x + scale)`. At x = scale it gives half its weight; it never exceeds it. */
export interface Factor {
  readonly weight: number;
  readonly scale: number;
}

export type FactorName =
  | 'length'
  | 'code'
  | 'math'
  | 'reasoning'
  | 'constraints'
  | 'tasks'
  | 'technical'
  | 'questions'
  | 'output'
  | 'tools'
  | 'depth'
  | 'structured'
  | 'language';

export const FACTORS: Readonly<Record<FactorName, Factor>> = {
  // Prompt tokens: 1,200 tokens give half of 0.5.
  length: { weight: 0.5, scale: 1200 },
  // Blocks + code lines/8 + code requests + 0.4 per language involved.
  code: { weight: 0.6, scale: 1.2 },
  // LaTeX*0.5, expressions*0.3, math terms*0.4.
  math: { weight: 0.5, scale: 1 },
  // Weighted reasoning cues (proof/design/optimise 1, analyse/compare 0.5, explain 0.3).
  reasoning: { weight: 0.8, scale: 0.7 },
  // Hard constraints + 0.5*soft constraints + 0.5*list items.
  constraints: { weight: 0.45, scale: 5 },
  // Task verbs beyond the first ("design ..., prove ..., and give ..." is three tasks) + 0.2*separators.
  tasks: { weight: 0.5, scale: 2.5 },
  // Distinct advanced technical terms (distributed, consensus, lock-free, compiler...).
  technical: { weight: 0.5, scale: 2 },
  // Questions beyond the first.
  questions: { weight: 0.2, scale: 3 },
  // Weighted demands for long or structured output (detailed, report, tests, "300 words", pseudocode...).
  output: { weight: 0.5, scale: 1.2 },
  // Tool definitions + 0.5*tool results: the model must plan calls and fold results back in.
  tools: { weight: 0.5, scale: 2 },
  // User turns before the current one.
  depth: { weight: 0.3, scale: 4 },
  // A JSON schema / JSON object response format.
  structured: { weight: 0.1, scale: 1 },
  // A task outside the Latin script (1) and/or with a second script of ≥ 20 % of its letters (1): the cue
  // lexicons see less of such prompts, and smaller models lose more quality outside English. Small on its own:
  // a question in Japanese stays simple; a borderline task in Chinese leans to the stronger class.
  language: { weight: 0.2, scale: 1 },
};

/** simple < 0.33 <= medium < 0.66 <= complex. */
export const CLASS_THRESHOLDS = { medium: 0.33, complex: 0.66 } as const;

export function factor(name: FactorName, x: number): number {
  const { weight, scale } = FACTORS[name];
  if (!(x > 0)) return 0;
  return (weight * x) / (x + scale);
}

/** 1 - Π(1 - c): monotone in every contribution and bounded by 1. */
export function combine(contributions: Iterable<number>): number {
  let miss = 1;
  for (const c of contributions) miss *= 1 - c;
  return 1 - miss;
}

export interface ClassThresholds {
  readonly medium: number;
  readonly complex: number;
}

/** The class of a score; a router may draw its own boundaries (`routers.<id>.thresholds`). */
export function classify(score: number, thresholds: ClassThresholds = CLASS_THRESHOLDS): ComplexityClass {
  if (score >= thresholds.complex) return 'complex';
  if (score >= thresholds.medium) return 'medium';
  return 'simple';
}
