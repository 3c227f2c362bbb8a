// OpenAI Embeddings request schema and response shape.
import { z } from 'zod';
import { embeddingInputs } from './embedding-inputs.js';

/** OpenAI's bound on the inputs of one embeddings request. */
export const MAX_EMBEDDING_INPUTS = 2048;

export const embeddingsRequestSchema = z
  .looseObject({
    model: z.string().min(1),
    // As OpenAI: no empty strings, token ids are non-negative integers, at most 2048 inputs per request.
    input: z.union([
      z.string().min(1),
      z.array(z.string().min(1)).min(1),
      z.array(z.number().int().nonnegative()).min(1),
      z.array(z.array(z.number().int().nonnegative()).min(1)).min(1),
    ]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .superRefine((request, ctx) => {
    // Checked after the union, so that the message names the count (inside the union, a length bound is
    // reported as the last alternative's type mismatch). One array of token ids is one input, of any length.
    const inputs = embeddingInputs(request.input).length;
    if (inputs > MAX_EMBEDDING_INPUTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['input'],
        message: `'input' has ${inputs} items; at most ${MAX_EMBEDDING_INPUTS} are allowed per request.`,
      });
    }
  });

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

export interface EmbeddingsResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
  [key: string]: unknown;
}
