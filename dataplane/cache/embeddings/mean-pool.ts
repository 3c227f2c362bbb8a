// Sentence vectors from a transformer's token states: the mean of the tokens the attention mask keeps,
// scaled to unit length (what sentence-transformers' mean pooling + Normalize do). transformers.js has the
// same two steps, but its loop reads both tensors through a Proxy and converts every int64 mask value
// (2 × batch × tokens × dims property traps): for 32 texts of 30 tokens that took ≈ 35–50 ms in the
// embeddings thread, as long as the int8 model itself. Here it is one pass over plain typed arrays.

/**
 * `hidden` is `[batch, tokens, dims]` row after row, `mask` is `[batch, tokens]` (1 = a real token).
 * Returns `batch × dims` floats, each row of L2 norm 1 (a row with no kept token, or all zeros, stays zero).
 */
export function meanPoolNormalize(
  hidden: Float32Array,
  mask: ArrayLike<bigint | number>,
  batch: number,
  tokens: number,
  dims: number,
): Float32Array {
  if (hidden.length !== batch * tokens * dims || mask.length !== batch * tokens) {
    throw new RangeError(
      `meanPoolNormalize: ${hidden.length} states and ${mask.length} mask values do not fit ` +
        `[${batch}, ${tokens}, ${dims}]`,
    );
  }
  const out = new Float32Array(batch * dims);
  // Sums in doubles, as transformers.js does, so long inputs do not lose precision to float32 rounding.
  const sum = new Float64Array(dims);
  for (let b = 0; b < batch; b++) {
    sum.fill(0);
    let kept = 0;
    for (let t = 0; t < tokens; t++) {
      // int64 masks arrive as bigint; one conversion per token, not per state.
      if (Number(mask[b * tokens + t]) === 0) continue;
      kept += 1;
      const row = (b * tokens + t) * dims;
      for (let d = 0; d < dims; d++) sum[d]! += hidden[row + d]!;
    }
    if (kept === 0) continue;
    let squares = 0;
    for (let d = 0; d < dims; d++) {
      const mean = sum[d]! / kept;
      sum[d] = mean;
      squares += mean * mean;
    }
    if (squares === 0) continue;
    const scale = 1 / Math.sqrt(squares);
    const at = b * dims;
    for (let d = 0; d < dims; d++) out[at + d] = sum[d]! * scale;
  }
  return out;
}
