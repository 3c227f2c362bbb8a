// Assembles a BERT encoder (HF BertModel without the pooler) as an ONNX graph from safetensors weights.
// Opset 13 is used with LayerNorm and GELU decomposed into primitive ops: onnxruntime-node 1.14 runs every
// one of them on the CPU provider (and its optimiser re-fuses the LayerNorm pattern), so transformers.js
// never needs its WASM fallback. The inputs/output match what transformers.js feeds a BERT feature extractor.
import type { Safetensors } from '../safetensors.js';
import { GraphBuilder, TensorType } from './graph-builder.js';

export interface BertConfig {
  readonly hiddenSize: number;
  readonly numHeads: number;
  readonly numLayers: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
}

/** ORT 1.14 reads IR versions up to 8 and default-domain opsets up to 18; stay well inside both. */
export const IR_VERSION = 8;
export const OPSET_VERSION = 13;

/**
 * HF BERT adds (1 - mask) * large_negative to the attention scores. -10000 (the classic HF constant) already
 * drives exp() to exactly 0 in float32, without the overflow risk of float32-min.
 */
const MASK_NEGATIVE = -10000;

/** torch Linear stores W as [out, in] (y = x·Wᵀ + b); MatMul wants [in, out], so transpose once here. */
function transposeLinear(weight: Float32Array, outFeatures: number, inFeatures: number): Float32Array {
  const t = new Float32Array(weight.length);
  for (let o = 0; o < outFeatures; o++) {
    for (let i = 0; i < inFeatures; i++) t[i * outFeatures + o] = weight[o * inFeatures + i]!;
  }
  return t;
}

/**
 * How the 36 Linear layers (Q, K, V, attention output, FFN in/out) are stored and run in the int8 model.
 * - `DynamicQuantizeMatMul`: one onnxruntime contrib op (com.microsoft) per Linear: the activation is
 *   quantized to uint8 at run time, the weight is int8, and MLAS runs the u8×s8 product (VNNI on AVX512-VNNI).
 * - `MatMulInteger`: the same maths in standard ops (DynamicQuantizeLinear, MatMulInteger, Cast, Mul, Add).
 * Weights are quantized symmetrically (zero point 0), per output column or per tensor.
 */
export interface Int8Scheme {
  readonly op: 'DynamicQuantizeMatMul' | 'MatMulInteger';
  readonly perColumn: boolean;
}

export const DEFAULT_INT8_SCHEME: Int8Scheme = { op: 'DynamicQuantizeMatMul', perColumn: true };

export interface QuantizedWeight {
  /** int8 values, same [in, out] layout as the input. */
  readonly q: Int8Array;
  /** One scale per output column (perColumn) or a single one; w ≈ q · scale. */
  readonly scales: Float32Array;
}

/**
 * Symmetric int8 quantization of a MatMul weight stored [rows = in, cols = out]: scale = max|w| / 127 over
 * each column (or the whole tensor), q = round(w / scale) in [-127, 127].
 */
export function quantizeSymmetricInt8(
  w: Float32Array,
  rows: number,
  cols: number,
  perColumn: boolean,
): QuantizedWeight {
  if (w.length !== rows * cols) throw new Error(`${w.length} values for [${rows}, ${cols}]`);
  const maxAbs = new Float32Array(perColumn ? cols : 1);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = perColumn ? c : 0;
      const a = Math.abs(w[r * cols + c]!);
      if (a > maxAbs[k]!) maxAbs[k] = a;
    }
  }
  const scales = maxAbs.map((m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(w.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.round(w[r * cols + c]! / scales[perColumn ? c : 0]!);
      q[r * cols + c] = Math.max(-127, Math.min(127, v));
    }
  }
  return { q, scales };
}

class BertGraph {
  readonly g = new GraphBuilder();
  private readonly eps: string;

  constructor(
    private readonly weights: Safetensors,
    private readonly config: BertConfig,
    private readonly int8: Int8Scheme | undefined,
    private readonly fused: boolean,
    private readonly fusedAttention: boolean,
  ) {
    this.eps = this.g.scalar('layer_norm_eps', config.layerNormEps);
  }

  /** y = x·Wᵀ + b for a torch Linear stored under `prefix`. */
  linear(x: string, prefix: string, inFeatures: number, outFeatures: number, hint: string): string {
    return this.product(x, prefix, inFeatures, outFeatures, hint, true).y;
  }

  /**
   * x·Wᵀ, with the bias added when `addBias` (otherwise left to a fused consumer such as
   * SkipLayerNormalization or BiasGelu); returns the product and the bias initializer's name.
   */
  product(
    x: string,
    prefix: string,
    inFeatures: number,
    outFeatures: number,
    hint: string,
    addBias: boolean,
  ): { y: string; bias: string } {
    const w = this.weights.f32(`${prefix}.weight`, [outFeatures, inFeatures]);
    const b = this.weights.f32(`${prefix}.bias`, [outFeatures]);
    const wT = transposeLinear(w, outFeatures, inFeatures);
    const bias = this.g.f32(`${prefix}.bias`, [outFeatures], b);
    const withBias = (product: string): string =>
      addBias ? this.g.op('Add', [product, bias], hint) : product;
    if (this.int8 === undefined) {
      const wName = this.g.f32(`${prefix}.weight_t`, [inFeatures, outFeatures], wT);
      return { y: withBias(this.g.op('MatMul', [x, wName], `${hint}_matmul`)), bias };
    }
    const { op, perColumn } = this.int8;
    const { q, scales } = quantizeSymmetricInt8(wT, inFeatures, outFeatures, perColumn);
    const qName = this.g.i8(`${prefix}.weight_q`, [inFeatures, outFeatures], q);
    const scaleName = this.g.f32(`${prefix}.weight_scale`, perColumn ? [outFeatures] : [], scales);
    if (op === 'DynamicQuantizeMatMul') {
      // Inputs: A (float), B (int8), b_scale, b_zero_point (omitted: 0), bias (optional).
      const inputs = [x, qName, scaleName, '', ...(addBias ? [bias] : [])];
      return { y: this.g.msOp('DynamicQuantizeMatMul', inputs, addBias ? hint : `${hint}_matmul`), bias };
    }
    const [xq, xScale, xZero] = this.g.opMulti('DynamicQuantizeLinear', [x], [
      `${hint}_xq`,
      `${hint}_xscale`,
      `${hint}_xzero`,
    ]) as [string, string, string];
    const acc = this.g.op('MatMulInteger', [xq, qName, xZero], `${hint}_acc`);
    const accF = this.g.op('Cast', [acc], `${hint}_accf`, { to: TensorType.FLOAT });
    const scale = this.g.op('Mul', [xScale, scaleName], `${hint}_scale`);
    return { y: withBias(this.g.op('Mul', [accF, scale], `${hint}_matmul`)), bias };
  }

  /** LayerNorm(x + skip + bias) as one com.microsoft SkipLayerNormalization, or decomposed. */
  addLayerNorm(x: string, skip: string, bias: string | undefined, prefix: string, hint: string): string {
    if (!this.fused) {
      const withBias = bias === undefined ? x : this.g.op('Add', [x, bias], `${hint}_biased`);
      return this.layerNorm(this.g.op('Add', [withBias, skip], `${hint}_residual`), prefix, hint);
    }
    const h = this.config.hiddenSize;
    const gamma = this.g.f32(`${prefix}.weight`, [h], this.weights.f32(`${prefix}.weight`, [h]));
    const beta = this.g.f32(`${prefix}.bias`, [h], this.weights.f32(`${prefix}.bias`, [h]));
    const inputs = [x, skip, gamma, beta, ...(bias === undefined ? [] : [bias])];
    return this.g.msOp('SkipLayerNormalization', inputs, hint, { epsilon: this.config.layerNormEps });
  }

  /**
   * LayerNorm over the last axis, decomposed: (x - mean) / sqrt(var + eps) * gamma + beta. Variance is
   * computed as mean((x-mean)²) like torch (not E[x²]-E[x]², which loses precision).
   */
  layerNorm(x: string, prefix: string, hint: string): string {
    const h = this.config.hiddenSize;
    const gamma = this.g.f32(`${prefix}.weight`, [h], this.weights.f32(`${prefix}.weight`, [h]));
    const beta = this.g.f32(`${prefix}.bias`, [h], this.weights.f32(`${prefix}.bias`, [h]));
    const mean = this.g.op('ReduceMean', [x], `${hint}_mean`, { axes: [-1], keepdims: 1 });
    const centred = this.g.op('Sub', [x, mean], `${hint}_centred`);
    const squared = this.g.op('Mul', [centred, centred], `${hint}_sq`);
    const variance = this.g.op('ReduceMean', [squared], `${hint}_var`, { axes: [-1], keepdims: 1 });
    const std = this.g.op('Sqrt', [this.g.op('Add', [variance, this.eps], `${hint}_var_eps`)], `${hint}_std`);
    const normed = this.g.op('Div', [centred, std], `${hint}_normed`);
    return this.g.op('Add', [this.g.op('Mul', [normed, gamma], `${hint}_scaled`), beta], hint);
  }

  /** Exact GELU, as HF's "gelu": 0.5·x·(1 + erf(x/√2)). Not the tanh approximation. */
  gelu(x: string, hint: string): string {
    const scaled = this.g.op('Div', [x, this.g.scalar('sqrt2', Math.SQRT2)], `${hint}_div`);
    const erf = this.g.op('Erf', [scaled], `${hint}_erf`);
    const onePlus = this.g.op('Add', [erf, this.g.scalar('one', 1)], `${hint}_1p`);
    const half = this.g.op('Mul', [x, this.g.scalar('half', 0.5)], `${hint}_half`);
    return this.g.op('Mul', [half, onePlus], hint);
  }

  /** word + position + token_type embeddings, then LayerNorm. */
  embeddings(inputIds: string, tokenTypeIds: string): string {
    const { hiddenSize: h, vocabSize, maxPositions, typeVocabSize } = this.config;
    const word = this.g.f32(
      'word_embeddings',
      [vocabSize, h],
      this.weights.f32('embeddings.word_embeddings.weight', [vocabSize, h]),
    );
    const position = this.g.f32(
      'position_embeddings',
      [maxPositions, h],
      this.weights.f32('embeddings.position_embeddings.weight', [maxPositions, h]),
    );
    const tokenType = this.g.f32(
      'token_type_embeddings',
      [typeVocabSize, h],
      this.weights.f32('embeddings.token_type_embeddings.weight', [typeVocabSize, h]),
    );
    const wordEmb = this.g.op('Gather', [word, inputIds], 'word_emb', { axis: 0 });
    const typeEmb = this.g.op('Gather', [tokenType, tokenTypeIds], 'token_type_emb', { axis: 0 });
    // Positions are 0..seq-1 (the checkpoint's position_ids buffer is exactly arange(512)), so the first
    // `seq` rows of the table are sliced out; [seq, h] then broadcasts over the batch.
    const seqLen = this.g.op(
      'Gather',
      [this.g.op('Shape', [inputIds], 'input_shape'), this.g.i64('dim1', [1], [1])],
      'seq_len',
      {
        axis: 0,
      },
    );
    const posEmb = this.g.op(
      'Slice',
      [position, this.g.i64('zero_1d', [1], [0]), seqLen, this.g.i64('axis0_1d', [1], [0])],
      'position_emb',
    );
    const wordPos = this.g.op('Add', [wordEmb, posEmb], 'emb_word_pos');
    return this.addLayerNorm(wordPos, typeEmb, undefined, 'embeddings.LayerNorm', 'embeddings_out');
  }

  /** attention_mask [b, s] (int64 1/0) → additive bias [b, 1, 1, s] (0 / MASK_NEGATIVE). */
  extendedMask(attentionMask: string): string {
    const maskF = this.g.op('Cast', [attentionMask], 'mask_f', { to: TensorType.FLOAT });
    const mask4 = this.g.op('Unsqueeze', [maskF, this.g.i64('axes_1_2', [2], [1, 2])], 'mask_4d');
    const inverted = this.g.op('Sub', [this.g.scalar('one', 1), mask4], 'mask_inverted');
    return this.g.op('Mul', [inverted, this.g.scalar('mask_negative', MASK_NEGATIVE)], 'mask_bias');
  }

  /** Multi-head self-attention in primitive ops; `mask` is the additive bias [b, 1, 1, s]. Returns [b, s, h]. */
  selfAttention(x: string, mask: string, p: string, l: string): string {
    const { hiddenSize: h, numHeads } = this.config;
    const headDim = h / numHeads;
    // [b, s, h] → [b, s, heads, headDim]; 0 in a Reshape target copies the input's dim (batch, seq).
    const splitShape = this.g.i64('shape_split_heads', [4], [0, 0, numHeads, headDim]);
    const heads = (linearOut: string, name: string, perm: number[]): string =>
      this.g.op(
        'Transpose',
        [this.g.op('Reshape', [linearOut, splitShape], `${l}_${name}_4d`)],
        `${l}_${name}_t`,
        { perm },
      );

    const q = heads(this.linear(x, `${p}.attention.self.query`, h, h, `${l}_q`), 'q', [0, 2, 1, 3]);
    // K goes straight to [b, heads, headDim, s] so Q·Kᵀ is a plain MatMul.
    const kT = heads(this.linear(x, `${p}.attention.self.key`, h, h, `${l}_k`), 'k', [0, 2, 3, 1]);
    const v = heads(this.linear(x, `${p}.attention.self.value`, h, h, `${l}_v`), 'v', [0, 2, 1, 3]);

    const scores = this.g.op('MatMul', [q, kT], `${l}_scores`);
    const scaled = this.g.op(
      'Mul',
      [scores, this.g.scalar('attn_scale', 1 / Math.sqrt(headDim))],
      `${l}_scaled`,
    );
    const masked = this.g.op('Add', [scaled, mask], `${l}_masked`);
    const probs = this.g.op('Softmax', [masked], `${l}_probs`, { axis: -1 });
    const context = this.g.op('MatMul', [probs, v], `${l}_context`);
    const merged = this.g.op(
      'Reshape',
      [
        this.g.op('Transpose', [context], `${l}_context_t`, { perm: [0, 2, 1, 3] }),
        this.g.i64('shape_merge_heads', [3], [0, 0, h]),
      ],
      `${l}_context_merged`,
    );

    return merged;
  }

  /**
   * The same self-attention as one com.microsoft Attention (fp32) or QAttention (int8) node, with Q, K and V
   * weights concatenated to [h, 3h]; `mask` is attention_mask as int32 [b, s].
   */
  attentionOp(x: string, mask: string, p: string, l: string): string {
    const { hiddenSize: h, numHeads } = this.config;
    const parts = ['query', 'key', 'value'].map((name) => ({
      w: transposeLinear(this.weights.f32(`${p}.attention.self.${name}.weight`, [h, h]), h, h),
      b: this.weights.f32(`${p}.attention.self.${name}.bias`, [h]),
    }));
    const w = new Float32Array(h * 3 * h);
    for (let r = 0; r < h; r++) {
      parts.forEach((part, k) => w.set(part.w.subarray(r * h, (r + 1) * h), r * 3 * h + k * h));
    }
    const bias = this.g.f32(`${p}.attention.self.qkv.bias`, [3 * h], Float32Array.from(parts.flatMap((part) => [...part.b])));
    if (this.int8 === undefined) {
      const wName = this.g.f32(`${p}.attention.self.qkv.weight_t`, [h, 3 * h], w);
      return this.g.msOp('Attention', [x, wName, bias, mask], `${l}_context_merged`, { num_heads: numHeads });
    }
    const { q, scales } = quantizeSymmetricInt8(w, h, 3 * h, this.int8.perColumn);
    const qName = this.g.i8(`${p}.attention.self.qkv.weight_q`, [h, 3 * h], q);
    const scaleName = this.g.f32(`${p}.attention.self.qkv.weight_scale`, this.int8.perColumn ? [3 * h] : [], scales);
    const [xq, xScale, xZero] = this.g.opMulti('DynamicQuantizeLinear', [x], [
      `${l}_qkv_xq`,
      `${l}_qkv_xscale`,
      `${l}_qkv_xzero`,
    ]) as [string, string, string];
    // Inputs: input, weight, bias, input_scale, weight_scale, mask_index, input_zero_point.
    return this.g.msOp('QAttention', [xq, qName, bias, xScale, scaleName, mask, xZero], `${l}_context_merged`, {
      num_heads: numHeads,
    });
  }

  /** One BertLayer: self-attention + residual LayerNorm, then FFN + residual LayerNorm. */
  layer(x: string, mask: string, n: number): string {
    const { hiddenSize: h, intermediateSize } = this.config;
    const p = `encoder.layer.${n}`;
    const l = `l${n}`;
    const merged = this.fusedAttention
      ? this.attentionOp(x, mask, p, l)
      : this.selfAttention(x, mask, p, l);

    const attnOut = this.product(merged, `${p}.attention.output.dense`, h, h, `${l}_attn_dense`, false);
    const attnNorm = this.addLayerNorm(
      attnOut.y,
      x,
      attnOut.bias,
      `${p}.attention.output.LayerNorm`,
      `${l}_attn_out`,
    );

    const interProduct = this.product(
      attnNorm,
      `${p}.intermediate.dense`,
      h,
      intermediateSize,
      `${l}_inter`,
      !this.fused,
    );
    const inter = this.fused
      ? this.g.msOp('BiasGelu', [interProduct.y, interProduct.bias], `${l}_gelu`)
      : this.gelu(interProduct.y, `${l}_gelu`);
    const ffnOut = this.product(inter, `${p}.output.dense`, intermediateSize, h, `${l}_ffn_dense`, false);
    return this.addLayerNorm(ffnOut.y, attnNorm, ffnOut.bias, `${p}.output.LayerNorm`, `${l}_out`);
  }
}

/** Builds the serialised ONNX model (inputs input_ids/attention_mask/token_type_ids, output last_hidden_state). */
export interface BuildOptions {
  /** Quantize the Linear layers to int8 (model_quantized.onnx); fp32 when absent. */
  readonly int8?: Int8Scheme;
  /** Use onnxruntime's fused contrib ops (SkipLayerNormalization, BiasGelu) instead of primitive ops. */
  readonly fused?: boolean;
  /** Self-attention as one com.microsoft Attention / QAttention node. */
  readonly fusedAttention?: boolean;
}

export function buildBertOnnx(weights: Safetensors, config: BertConfig, options: BuildOptions = {}): Uint8Array {
  if (config.hiddenSize % config.numHeads !== 0)
    throw new Error('hidden size must be divisible by the head count');
  const bert = new BertGraph(weights, config, options.int8, options.fused ?? false, options.fusedAttention ?? false);
  const inputIds = bert.g.reserve('input_ids');
  const attentionMask = bert.g.reserve('attention_mask');
  const tokenTypeIds = bert.g.reserve('token_type_ids');

  let hidden = bert.embeddings(inputIds, tokenTypeIds);
  const mask =
    options.fusedAttention === true
      ? bert.g.op('Cast', [attentionMask], 'mask_i32', { to: TensorType.INT32 })
      : bert.extendedMask(attentionMask);
  for (let n = 0; n < config.numLayers; n++) hidden = bert.layer(hidden, mask, n);
  // Give the final value the graph output's name; ORT elides the Identity.
  const output = bert.g.opNamed('Identity', [hidden], 'last_hidden_state');

  const dynamic = ['batch_size', 'sequence_length'];
  return bert.g.encode(
    [
      { name: inputIds, elemType: TensorType.INT64, dims: dynamic },
      { name: attentionMask, elemType: TensorType.INT64, dims: dynamic },
      { name: tokenTypeIds, elemType: TensorType.INT64, dims: dynamic },
    ],
    [{ name: output, elemType: TensorType.FLOAT, dims: [...dynamic, config.hiddenSize] }],
    { irVersion: IR_VERSION, opsetVersion: OPSET_VERSION, producerName: 'ai-gateway scripts/model' },
  );
}
