// Assembles a BERT encoder (HF BertModel without the pooler) as an ONNX graph from safetensors weights.
// Opset 13 is used with LayerNorm and GELU decomposed into primitive ops, which onnxruntime-node's CPU
// provider runs in every version in use (1.14, under transformers.js' own pipeline, and 1.30, the gateway's
// sessions; 1.30's optimiser fuses the GELU but not this LayerNorm form, whose squared deviation is a Mul, and
// fusing it by writing Pow measured no faster). The inputs/output match what transformers.js feeds a BERT
// feature extractor.
// The int8 variant differs only in the Linear layers: each token's activations are quantized to uint8 with
// their own scale (QuantizeLinear per row), multiplied with int8 weights by MatMulInteger, which onnxruntime's
// CPU provider runs with MLAS u8×s8 kernels (AVX512-VNNI where available), and scaled back (see Int8Scheme).
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
 * - `MatMulInteger`: the same maths in standard ops (DynamicQuantizeLinear, MatMulInteger, Cast, Mul, Add);
 *   onnxruntime's optimiser fuses it back into DynamicQuantizeMatMul, so both run at the same speed.
 * Both quantize the activation with one scale for the whole input tensor, i.e. for every token of every
 * text in a batch: a text's vector then depends on the texts it is batched with (measured: cosine 0.9946
 * median, 0.945 worst, between a text alone and in a batch of 32).
 * - `PerTokenMatMulInteger` (the default): standard ops again, but each token's activation row gets its own
 *   symmetric scale (max|x| / 127, as uint8 around a fixed zero point 128), so a token's result depends on
 *   that token only: alone vs in a batch of 32, cosine 1.0000 median, 0.9984 worst (float sums that differ
 *   in the last bit with the batch's shape can still flip a rounding). It is also closer to fp32 (mean
 *   cosine to fp32 over the 20 check sentences 0.9956 vs 0.9926) at ≈ 5% less throughput for 32 texts and
 *   ≈ 0.4 ms more for one.
 * Weights are quantized symmetrically (zero point 0), per output column or per tensor. Per column is the
 * default: per tensor is no faster and much less accurate (see scripts/model/README.md). The default keeps
 * them within ±63 (U8S8_EXACT_WEIGHT_LEVELS) so that the products are exact on every CPU.
 */
export interface Int8Scheme {
  readonly op: 'DynamicQuantizeMatMul' | 'MatMulInteger' | 'PerTokenMatMulInteger';
  readonly perColumn: boolean;
  /** Linear layers left in fp32: a layer is kept when its weight prefix ends with one of these. */
  readonly keepFp32?: readonly string[];
  /**
   * SmoothQuant-style migration for the Linears fed by a LayerNorm (Q/K/V, FFN in): the activation's channel c
   * is divided by s_c and the weight's row c multiplied by it, s_c = a_c^α / w_c^(1-α), where a_c = |β_c| +
   * LN_SPAN·|γ_c| bounds the LayerNorm output and w_c = max|W[c, :]|. The value is α; absent: off.
   */
  readonly smoothAlpha?: number;
  /**
   * Levels either side of zero for the per-token activations (PerTokenMatMulInteger) and for the weights:
   * 127 (8 bits) or 63 (7 bits); absent: 127. See U8S8_EXACT_WEIGHT_LEVELS for why the default weights use 63.
   */
  readonly activationLevels?: 127 | 63;
  readonly weightLevels?: 127 | 63;
}

/** |LayerNorm output| ≤ |β| + LN_SPAN·|γ| for normalised values within ±LN_SPAN (a calibration-free bound). */
const LN_SPAN = 4;

/**
 * MLAS runs u8×s8 products with VNNI (`vpdpbusd`, exact int32 sums) where the CPU has it, and otherwise (AVX2,
 * AVX-512 without VNNI) with `vpmaddubsw`, which adds two u8·s8 products into a *saturating* int16 before
 * widening. Two products of a uint8 up to 255 and an int8 up to ±127 reach ±64 770, past int16's 32 767, so
 * the same model gave different (and worse) vectors on CPUs without VNNI: measured on an AVX2-only EPYC, mean
 * cos(int8, fp32) 0.9972 and worst 0.9760 over 1,000 QQP questions, against 0.9979 / 0.9840 on AVX512-VNNI.
 * With weights in ±63 two products stay within ±32 130: no saturation on any path, the same integer sums
 * on every CPU (the vectors then differ at most by float rounding). Measured on the AVX2 CPU, 7-bit weights:
 * mean 0.9970, worst 0.9818; 7-bit activations instead (levels ±63 around 64): mean 0.9953, worst 0.9574
 * (the activations' outlier channels need the bit more than per-column weights do).
 */
export const U8S8_EXACT_WEIGHT_LEVELS = 63;

export const DEFAULT_INT8_SCHEME: Int8Scheme = {
  op: 'PerTokenMatMulInteger',
  perColumn: true,
  smoothAlpha: 0.5,
  weightLevels: U8S8_EXACT_WEIGHT_LEVELS,
};

export interface QuantizedWeight {
  /** int8 values, same [in, out] layout as the input. */
  readonly q: Int8Array;
  /** One scale per output column (perColumn) or a single one; w ≈ q · scale. */
  readonly scales: Float32Array;
}

/**
 * Symmetric int8 quantization of a MatMul weight stored [rows = in, cols = out]: scale = max|w| / levels over
 * each column (or the whole tensor), q = round(w / scale) in [-levels, levels].
 */
export function quantizeSymmetricInt8(
  w: Float32Array,
  rows: number,
  cols: number,
  perColumn: boolean,
  levels: 127 | 63 = 127,
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
  const scales = maxAbs.map((m) => (m > 0 ? m / levels : 1));
  const q = new Int8Array(w.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.round(w[r * cols + c]! / scales[perColumn ? c : 0]!);
      q[r * cols + c] = Math.max(-levels, Math.min(levels, v));
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
  ) {
    this.eps = this.g.scalar('layer_norm_eps', config.layerNormEps);
  }

  /** Shape(input_ids) = [batch, tokens], set by embeddings(); per-token Linears restore it on their output. */
  private tokenDims: string | undefined;
  /** Values every per-token Linear shares, made by the first one (they depend only on the token count). */
  private readonly perToken = new Map<string, string>();

  private shared(key: string, make: () => string): string {
    let name = this.perToken.get(key);
    if (name === undefined) {
      name = make();
      this.perToken.set(key, name);
    }
    return name;
  }

  /** y = x·Wᵀ + b for a torch Linear stored under `prefix`; int8 weights when the model is quantized. */
  linear(
    x: string,
    prefix: string,
    inFeatures: number,
    outFeatures: number,
    hint: string,
    smooth?: Float32Array,
  ): string {
    const w = this.weights.f32(`${prefix}.weight`, [outFeatures, inFeatures]);
    const b = this.weights.f32(`${prefix}.bias`, [outFeatures]);
    const wT = transposeLinear(w, outFeatures, inFeatures);
    if (smooth !== undefined) {
      for (let r = 0; r < inFeatures; r++) {
        for (let c = 0; c < outFeatures; c++) wT[r * outFeatures + c]! *= smooth[r]!;
      }
    }
    if (this.int8 !== undefined && !(this.int8.keepFp32 ?? []).some((end) => prefix.endsWith(end)))
      return this.linearInt8(x, prefix, wT, b, inFeatures, outFeatures, hint);
    const wName = this.g.f32(`${prefix}.weight_t`, [inFeatures, outFeatures], wT);
    const bName = this.g.f32(`${prefix}.bias`, [outFeatures], b);
    return this.g.op('Add', [this.g.op('MatMul', [x, wName], `${hint}_matmul`), bName], hint);
  }

  /** The int8 Linear: w ≈ q·scale (per column), activations quantized to uint8 at run time. */
  private linearInt8(
    x: string,
    prefix: string,
    wT: Float32Array,
    b: Float32Array,
    inFeatures: number,
    outFeatures: number,
    hint: string,
  ): string {
    const { op, perColumn } = this.int8!;
    const { q, scales } = quantizeSymmetricInt8(
      wT,
      inFeatures,
      outFeatures,
      perColumn,
      this.int8!.weightLevels ?? 127,
    );
    const qName = this.g.i8(`${prefix}.weight_q`, [inFeatures, outFeatures], q);
    const scaleName = this.g.f32(`${prefix}.weight_scale`, perColumn ? [outFeatures] : [], scales);
    const bName = this.g.f32(`${prefix}.bias`, [outFeatures], b);
    if (op === 'DynamicQuantizeMatMul') {
      // Inputs: A (float), B (int8), b_scale, b_zero_point (omitted: 0), bias.
      return this.g.msOp('DynamicQuantizeMatMul', [x, qName, scaleName, '', bName], hint);
    }
    if (op === 'PerTokenMatMulInteger')
      return this.perTokenLinear(x, qName, scaleName, bName, inFeatures, outFeatures, hint);
    const [xq, xScale, xZero] = this.g.opMulti(
      'DynamicQuantizeLinear',
      [x],
      [`${hint}_xq`, `${hint}_xscale`, `${hint}_xzero`],
    ) as [string, string, string];
    const acc = this.g.op('MatMulInteger', [xq, qName, xZero], `${hint}_acc`);
    const accF = this.g.op('Cast', [acc], `${hint}_accf`, { to: TensorType.FLOAT });
    const scale = this.g.op('Mul', [xScale, scaleName], `${hint}_scale`);
    return this.g.op('Add', [this.g.op('Mul', [accF, scale], `${hint}_matmul`), bName], hint);
  }

  /**
   * The int8 Linear with one activation scale per token (row): y = ((xq - Z)·q)·s_row·s_col + b, where
   * xq = round(x / s_row) + Z and s_row = max|x_row| / L (L = activationLevels, 127 by default, Z = L + 1).
   * Built so each full-size pass is one op:
   * QuantizeLinear and DequantizeLinear per axis 0 over the rows flattened to [tokens, in] (measured on
   * onnxruntime-node 1.14, int8, 32 texts of 30 tokens: ≈ 5% slower than DynamicQuantizeMatMul; written with
   * Div/Round/Add/Cast and two Muls instead it was ≈ 35% slower, and one product for Q, K and V together
   * was no faster).
   */
  private perTokenLinear(
    x: string,
    qName: string,
    scaleName: string,
    bName: string,
    inFeatures: number,
    outFeatures: number,
    hint: string,
  ): string {
    // max|x| per row from two read-only reductions (cheaper than writing Abs(x) and reducing that).
    const rowMax = this.g.op('ReduceMax', [x], `${hint}_rowmax`, { axes: [-1], keepdims: 1 });
    const rowMin = this.g.op('ReduceMin', [x], `${hint}_rowmin`, { axes: [-1], keepdims: 1 });
    const maxAbs = this.g.op('Max', [rowMax, this.g.op('Neg', [rowMin], `${hint}_negmin`)], `${hint}_maxabs`);
    const levels = this.int8!.activationLevels ?? 127;
    const zeroPoint = levels + 1;
    // Scales as a [tokens] vector, the layout QuantizeLinear/DequantizeLinear take per axis 0. A row of zeros
    // keeps a non-zero scale (its quantized values are all the zero point anyway).
    const scale = this.g.op(
      'Mul',
      [
        this.g.op(
          'Reshape',
          [
            this.g.op('Max', [maxAbs, this.g.scalar('tiny', 1e-30)], `${hint}_maxabs_pos`),
            this.g.i64('shape_flat', [1], [-1]),
          ],
          `${hint}_maxabs_1d`,
        ),
        this.g.scalar(`inv${levels}`, 1 / levels),
      ],
      `${hint}_xscale`,
    );
    // Per-axis QuantizeLinear wants a zero point per row too: the same for every token, made once.
    const zp = this.shared('zp', () => this.g.u8(`zp${zeroPoint}`, [], Uint8Array.of(zeroPoint)));
    const zero = this.shared('row_zero', () =>
      this.g.op('Expand', [zp, this.g.op('Shape', [scale], 'row_count')], 'row_zero'),
    );
    const rows = this.g.op(
      'Reshape',
      [x, this.g.i64(`shape_rows_${inFeatures}`, [2], [-1, inFeatures])],
      `${hint}_rows`,
    );
    // round(x / scale) + zero point in one pass.
    const xq = this.g.op('QuantizeLinear', [rows, scale, zero], `${hint}_xq`, { axis: 0 });
    // (xq - zero point)·q in MLAS's u8×s8 kernel, then the row scales (per axis 0, one pass), the column scales
    // and the bias.
    const acc = this.g.op('MatMulInteger', [xq, qName, zp], `${hint}_acc`);
    const rowScaled = this.g.op('DequantizeLinear', [acc, scale], `${hint}_rowscaled`, { axis: 0 });
    const biased = this.g.op(
      'Add',
      [this.g.op('Mul', [rowScaled, scaleName], `${hint}_colscaled`), bName],
      `${hint}_biased`,
    );
    // Back to [batch, tokens, out].
    const tokenDims = this.tokenDims;
    if (tokenDims === undefined)
      throw new Error('a per-token Linear needs the embeddings (and their shape) first');
    const outShape = this.shared(`out_shape_${outFeatures}`, () =>
      this.g.op(
        'Concat',
        [tokenDims, this.g.i64(`last_${outFeatures}`, [1], [outFeatures])],
        `out_shape_${outFeatures}`,
        { axis: 0 },
      ),
    );
    return this.g.op('Reshape', [biased, outShape], hint);
  }

  /**
   * For the int8 model with smoothing: the per-channel factors s for `x` (a LayerNorm output) feeding the
   * Linears `consumers`, and x / s as a value; undefined otherwise.
   */
  smoothInput(
    x: string,
    lnPrefix: string,
    consumers: readonly [prefix: string, outFeatures: number][],
    hint: string,
  ): { input: string; s: Float32Array } | undefined {
    const alpha = this.int8?.smoothAlpha;
    if (alpha === undefined) return undefined;
    const h = this.config.hiddenSize;
    const gamma = this.weights.f32(`${lnPrefix}.weight`, [h]);
    const beta = this.weights.f32(`${lnPrefix}.bias`, [h]);
    const aMax = gamma.map((g, c) => Math.abs(beta[c]!) + LN_SPAN * Math.abs(g));
    const wMax = new Float32Array(h);
    for (const [prefix, out] of consumers) {
      const w = this.weights.f32(`${prefix}.weight`, [out, h]);
      for (let o = 0; o < out; o++) {
        for (let c = 0; c < h; c++) wMax[c] = Math.max(wMax[c]!, Math.abs(w[o * h + c]!));
      }
    }
    const s = new Float32Array(h);
    for (let c = 0; c < h; c++) {
      const a = aMax[c]!;
      s[c] = a > 0 && wMax[c]! > 0 ? a ** alpha / wMax[c]! ** (1 - alpha) : 1;
    }
    const inv = this.g.f32(
      `${hint}_inv_smooth`,
      [h],
      s.map((v) => 1 / v),
    );
    return { input: this.g.op('Mul', [x, inv], `${hint}_smoothed`), s };
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
    this.tokenDims = this.g.op('Shape', [inputIds], 'input_shape');
    const seqLen = this.g.op('Gather', [this.tokenDims, this.g.i64('dim1', [1], [1])], 'seq_len', {
      axis: 0,
    });
    const posEmb = this.g.op(
      'Slice',
      [position, this.g.i64('zero_1d', [1], [0]), seqLen, this.g.i64('axis0_1d', [1], [0])],
      'position_emb',
    );
    const sum = this.g.op('Add', [this.g.op('Add', [wordEmb, posEmb], 'emb_word_pos'), typeEmb], 'emb_sum');
    return this.layerNorm(sum, 'embeddings.LayerNorm', 'embeddings_out');
  }

  /** attention_mask [b, s] (int64 1/0) → additive bias [b, 1, 1, s] (0 / MASK_NEGATIVE). */
  extendedMask(attentionMask: string): string {
    const maskF = this.g.op('Cast', [attentionMask], 'mask_f', { to: TensorType.FLOAT });
    const mask4 = this.g.op('Unsqueeze', [maskF, this.g.i64('axes_1_2', [2], [1, 2])], 'mask_4d');
    const inverted = this.g.op('Sub', [this.g.scalar('one', 1), mask4], 'mask_inverted');
    return this.g.op('Mul', [inverted, this.g.scalar('mask_negative', MASK_NEGATIVE)], 'mask_bias');
  }

  /** One BertLayer: self-attention + residual LayerNorm, then FFN + residual LayerNorm. */
  layer(x: string, maskBias: string, n: number): string {
    const { hiddenSize: h, numHeads, intermediateSize } = this.config;
    const headDim = h / numHeads;
    const p = `encoder.layer.${n}`;
    const l = `l${n}`;
    // [b, s, h] → [b, s, heads, headDim]; 0 in a Reshape target copies the input's dim (batch, seq).
    const splitShape = this.g.i64('shape_split_heads', [4], [0, 0, numHeads, headDim]);
    const heads = (linearOut: string, name: string, perm: number[]): string =>
      this.g.op(
        'Transpose',
        [this.g.op('Reshape', [linearOut, splitShape], `${l}_${name}_4d`)],
        `${l}_${name}_t`,
        { perm },
      );

    const qkv = ['query', 'key', 'value'].map((name) => `${p}.attention.self.${name}`) as [
      string,
      string,
      string,
    ];
    const sx = this.smoothInput(
      x,
      n === 0 ? 'embeddings.LayerNorm' : `encoder.layer.${n - 1}.output.LayerNorm`,
      qkv.map((prefix) => [prefix, h] as [string, number]),
      `${l}_qkv`,
    );
    const xIn = sx?.input ?? x;
    const q = heads(this.linear(xIn, qkv[0], h, h, `${l}_q`, sx?.s), 'q', [0, 2, 1, 3]);
    // K goes straight to [b, heads, headDim, s] so Q·Kᵀ is a plain MatMul.
    const kT = heads(this.linear(xIn, qkv[1], h, h, `${l}_k`, sx?.s), 'k', [0, 2, 3, 1]);
    const v = heads(this.linear(xIn, qkv[2], h, h, `${l}_v`, sx?.s), 'v', [0, 2, 1, 3]);

    const scores = this.g.op('MatMul', [q, kT], `${l}_scores`);
    const scaled = this.g.op(
      'Mul',
      [scores, this.g.scalar('attn_scale', 1 / Math.sqrt(headDim))],
      `${l}_scaled`,
    );
    const masked = this.g.op('Add', [scaled, maskBias], `${l}_masked`);
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

    const attnOut = this.linear(merged, `${p}.attention.output.dense`, h, h, `${l}_attn_dense`);
    const attnNorm = this.layerNorm(
      this.g.op('Add', [attnOut, x], `${l}_attn_residual`),
      `${p}.attention.output.LayerNorm`,
      `${l}_attn_out`,
    );

    const sa = this.smoothInput(
      attnNorm,
      `${p}.attention.output.LayerNorm`,
      [[`${p}.intermediate.dense`, intermediateSize]],
      `${l}_inter`,
    );
    const inter = this.gelu(
      this.linear(sa?.input ?? attnNorm, `${p}.intermediate.dense`, h, intermediateSize, `${l}_inter`, sa?.s),
      `${l}_gelu`,
    );
    const ffnOut = this.linear(inter, `${p}.output.dense`, intermediateSize, h, `${l}_ffn_dense`);
    return this.layerNorm(
      this.g.op('Add', [ffnOut, attnNorm], `${l}_ffn_residual`),
      `${p}.output.LayerNorm`,
      `${l}_out`,
    );
  }
}

/**
 * Builds the serialised ONNX model (inputs input_ids/attention_mask/token_type_ids, output last_hidden_state):
 * fp32, or with int8 Linear layers when `int8` is given (model_quantized.onnx).
 */
export function buildBertOnnx(weights: Safetensors, config: BertConfig, int8?: Int8Scheme): Uint8Array {
  if (config.hiddenSize % config.numHeads !== 0)
    throw new Error('hidden size must be divisible by the head count');
  const bert = new BertGraph(weights, config, int8);
  const inputIds = bert.g.reserve('input_ids');
  const attentionMask = bert.g.reserve('attention_mask');
  const tokenTypeIds = bert.g.reserve('token_type_ids');

  let hidden = bert.embeddings(inputIds, tokenTypeIds);
  const maskBias = bert.extendedMask(attentionMask);
  for (let n = 0; n < config.numLayers; n++) hidden = bert.layer(hidden, maskBias, n);
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
