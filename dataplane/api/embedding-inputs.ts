// How OpenAI reads an embeddings request's `input`: a string, or one array of token ids (already tokenized
// text), is one input; an array of strings or of token-id arrays is one input per item. Kept apart from the
// request schema (zod) so that the analysis workers can use it without loading that.

/** The separate inputs of a request's `input`; anything not in OpenAI's shapes gives none. */
export function embeddingInputs(input: unknown): (string | number[])[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return [];
  if (typeof input[0] === 'number') return [input as number[]];
  return input as (string | number[])[];
}
