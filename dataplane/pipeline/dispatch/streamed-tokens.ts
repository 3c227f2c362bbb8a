// Completion tokens of a stream counted as it passes, before the upstream's own usage (which comes last, if at
// all): a budget's allowance is in tokens, and a stream cut short is billed what it delivered. Tokenizing on the
// event loop would cost more than the rest of the hop, so this is an estimate from the delta's text: about four
// ASCII characters a token (English and code) and one and a half others (accented letters, CJK), at least one
// token per delta that carries anything (OpenAI streams about a token a delta, Anthropic several). Fractional:
// the sum is rounded up once, where it is billed. Deltas are a few characters long, so the loop is short.
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  let ascii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
  return Math.max(1, ascii / 4 + (text.length - ascii) / 1.5);
}
