// `routers:` in the config: model ids that name no model but a rule choosing one per request. The only rule
// so far is the analysis' complexity score: cheap models for simple prompts, strong ones for hard prompts.
import { z } from 'zod';
// weights.js alone: the scorer itself (lexicons, patterns) is loaded by the analysis threads only.
import { CLASS_THRESHOLDS } from '../analysis/complexity/weights.js';

const score = z.number().min(0).max(1);

export const complexityRouterSchema = z.strictObject({
  /** What decides the target: the complexity class of the request (docs/analysis.md). */
  by: z.literal('complexity'),
  /** The model (an id under `models:`) each class is sent to. */
  targets: z.strictObject({
    simple: z.string().min(1),
    medium: z.string().min(1),
    complex: z.string().min(1),
  }),
  /**
   * Where the classes start on the 0–1 score, for this router only. Defaults to the analysis' own
   * boundaries, which its calibration set was checked against.
   */
  thresholds: z
    .strictObject({
      medium: score.default(CLASS_THRESHOLDS.medium),
      complex: score.default(CLASS_THRESHOLDS.complex),
    })
    .prefault({})
    .refine((t) => t.medium <= t.complex, {
      message: 'thresholds.medium must not exceed thresholds.complex',
    }),
});

export const routersSchema = z.record(z.string().min(1), complexityRouterSchema).default({});

export type RouterConfig = z.infer<typeof complexityRouterSchema>;
