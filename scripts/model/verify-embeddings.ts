// Loads a provisioned folder through the gateway's own embedding loader (transformers.js' tokenizer and model
// lookup, the graph on onnxruntime-node's CPU provider) and checks the embeddings it produces. A graph that
// onnxruntime-node rejects fails here, at provisioning, not in the gateway's embeddings worker.
import { loadEmbeddingModel, onnxruntimeVersion } from '../../dataplane/cache/embeddings/model.js';
import type { EmbeddingModel } from '../../dataplane/cache/embeddings/model.js';
import { MODEL_ID } from './paths.js';

/**
 * Reference: the first three values of sentence-transformers' fp32 embedding of "This is an example
 * sentence" (mean pooling, L2-normalised). The widely quoted 0.0459 / 0.0733 / 0.0540 are not
 * what the fp32 checkpoint gives (an independent float64 forward pass agrees with 0.0677 / 0.0635 / 0.0487).
 */
export const REFERENCE_SENTENCE = 'This is an example sentence';
export const REFERENCE_FIRST_VALUES = [0.0677, 0.0635, 0.0487] as const;
export const REFERENCE_TOLERANCE = 0.01;
const PARAPHRASE = ['How do I reset my password?', 'How can I change my password?'] as const;
const UNRELATED = 'What is the capital of France?';
/** "Clearly" more similar: the paraphrase must beat the unrelated pair by at least this much cosine. */
const PARAPHRASE_MARGIN = 0.2;
const DIMENSIONS = 384;

export interface VerificationResult {
  readonly sentence: string;
  readonly firstValues: number[];
  readonly expectedFirstValues: readonly number[];
  readonly tolerance: number;
  readonly dimensions: number;
  readonly norm: number;
  readonly paraphraseCosine: number;
  readonly unrelatedCosine: number;
  readonly sessionHandler: string;
}

export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

interface EmbeddingTensor {
  readonly data: Float32Array;
  readonly dims: number[];
}

/** Cosine similarity of two vectors of any length (neither assumed normalised). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Loads `onnx/model.onnx` (or `onnx/model_quantized.onnx`) the way the gateway's embeddings worker does. */
async function loadExtractor(modelsDir: string, quantized: boolean): Promise<EmbeddingModel> {
  const file = quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  try {
    return await loadEmbeddingModel({
      model: MODEL_ID,
      modelsDir,
      allowRemote: false,
      quantized,
      intraOpThreads: 1,
      maxTokens: 256,
    });
  } catch (error) {
    throw new VerificationError(`could not load ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Where the sessions run, recorded in provenance.json. */
const sessionHandler = async (): Promise<string> => `onnxruntime-node ${await onnxruntimeVersion()} (cpu)`;

const embedWith =
  (model: EmbeddingModel) =>
  async (text: string): Promise<EmbeddingTensor> => ({
    data: await model.embed([text]),
    dims: [1, model.dims],
  });

/** Runs the checks against `<modelsDir>/Xenova/all-MiniLM-L6-v2`; throws VerificationError on any failure. */
export async function verifyEmbeddings(modelsDir: string): Promise<VerificationResult> {
  const extractor = await loadExtractor(modelsDir, false);
  try {
    const handler = await sessionHandler();
    const embed = embedWith(extractor);
    const reference = await embed(REFERENCE_SENTENCE);
    const firstValues = Array.from(reference.data.subarray(0, 3), round);
    const norm = Math.hypot(...reference.data);
    const [a, b, c] = await Promise.all([embed(PARAPHRASE[0]), embed(PARAPHRASE[1]), embed(UNRELATED)]);
    const result: VerificationResult = {
      sentence: REFERENCE_SENTENCE,
      firstValues,
      expectedFirstValues: REFERENCE_FIRST_VALUES,
      tolerance: REFERENCE_TOLERANCE,
      dimensions: reference.data.length,
      norm: round(norm),
      paraphraseCosine: round(cosine(a.data, b.data)),
      unrelatedCosine: round(cosine(a.data, c.data)),
      sessionHandler: handler,
    };

    const problems: string[] = [];
    if (reference.dims.at(-1) !== DIMENSIONS || reference.data.length !== DIMENSIONS) {
      problems.push(`expected ${DIMENSIONS} dimensions, got [${reference.dims.join(', ')}]`);
    }
    if (Math.abs(norm - 1) > 1e-3) problems.push(`embedding norm ${norm} is not 1`);
    REFERENCE_FIRST_VALUES.forEach((expected, i) => {
      const actual = firstValues[i] ?? NaN;
      if (!(Math.abs(actual - expected) <= REFERENCE_TOLERANCE)) {
        problems.push(`value[${i}] = ${actual}, expected ${expected} ± ${REFERENCE_TOLERANCE}`);
      }
    });
    if (!(result.paraphraseCosine > result.unrelatedCosine + PARAPHRASE_MARGIN)) {
      problems.push(
        `paraphrase cosine ${result.paraphraseCosine} is not clearly above unrelated ${result.unrelatedCosine}`,
      );
    }
    if (problems.length > 0) throw new VerificationError(`embedding check failed: ${problems.join('; ')}`);
    return result;
  } finally {
    await extractor.close();
  }
}

/**
 * Fixed, varied sentences for the int8-vs-fp32 check: questions, commands, code, numbers, a long one,
 * non-English, very short. Each int8 embedding must be within cosine QUANTIZED_MIN_COSINE of the fp32 one
 * (QUANTIZED_MIN_COSINE_SHORT for texts of one or two words; see minCosineFor).
 */
export const QUALITY_SENTENCES = [
  'This is an example sentence',
  'How do I reset my password?',
  'What is the capital of France?',
  'Summarise the following article in three bullet points.',
  'Translate "good morning" into Spanish.',
  'Write a Python function that returns the n-th Fibonacci number.',
  'const x = await fetch(url).then((r) => r.json());',
  'The quarterly revenue grew 12.5% to $4.2 billion, beating analyst estimates.',
  'Why is the sky blue during the day but red at sunset?',
  'Can you recommend a good science fiction novel for a long flight?',
  'ERROR 502 Bad Gateway: upstream connect error or disconnect/reset before headers',
  'The patient presented with acute chest pain radiating to the left arm.',
  'Wie spät ist es in Berlin?',
  '¿Cuál es la mejor manera de aprender a programar?',
  'ok',
  'Thanks!',
  'Explain the difference between TCP and UDP to a five-year-old.',
  'In 1969, Neil Armstrong became the first person to walk on the Moon, an event watched by hundreds of ' +
    'millions of people around the world on live television.',
  'SELECT name, COUNT(*) FROM orders GROUP BY name HAVING COUNT(*) > 10;',
  'My cat keeps knocking glasses off the table; how do I stop her?',
] as const;
export const QUANTIZED_MIN_COSINE = 0.98;
/**
 * One- and two-word texts ("ok", "Thanks!") are 3–4 tokens of which [CLS] and [SEP] are half; quantization
 * costs them more (observed 0.975 with per-token activation scales, 0.96–0.97 with the earlier per-tensor
 * ones), so they get this floor instead.
 */
export const QUANTIZED_MIN_COSINE_SHORT = 0.95;

/** The cosine floor for one text: QUANTIZED_MIN_COSINE, or the _SHORT one for one or two words. */
export function minCosineFor(text: string): number {
  return text.trim().split(/\s+/).length <= 2 ? QUANTIZED_MIN_COSINE_SHORT : QUANTIZED_MIN_COSINE;
}

export interface QuantizedVerificationResult {
  readonly sentences: number;
  readonly minCosineRequired: number;
  readonly minCosineRequiredShort: number;
  readonly meanCosine: number;
  readonly minCosine: number;
  readonly worstSentence: string;
  readonly paraphraseCosine: number;
  readonly unrelatedCosine: number;
  readonly sessionHandler: string;
}

/**
 * Checks `onnx/model_quantized.onnx` against `onnx/model.onnx`: both load on onnxruntime-node, every
 * QUALITY_SENTENCES embedding agrees to cosine ≥ QUANTIZED_MIN_COSINE, and the paraphrase check holds.
 */
export async function verifyQuantized(modelsDir: string): Promise<QuantizedVerificationResult> {
  const fp32 = await loadExtractor(modelsDir, false);
  let reference: EmbeddingTensor[];
  try {
    const embed = embedWith(fp32);
    reference = [];
    for (const text of QUALITY_SENTENCES) reference.push(await embed(text));
  } finally {
    await fp32.close();
  }
  const int8 = await loadExtractor(modelsDir, true);
  try {
    const embed = embedWith(int8);
    const cosines: number[] = [];
    for (const [i, text] of QUALITY_SENTENCES.entries()) {
      cosines.push(cosine((await embed(text)).data, reference[i]!.data));
    }
    const [a, b, c] = await Promise.all([embed(PARAPHRASE[0]), embed(PARAPHRASE[1]), embed(UNRELATED)]);
    const minCosine = Math.min(...cosines);
    const result: QuantizedVerificationResult = {
      sentences: cosines.length,
      minCosineRequired: QUANTIZED_MIN_COSINE,
      minCosineRequiredShort: QUANTIZED_MIN_COSINE_SHORT,
      meanCosine: round(cosines.reduce((sum, x) => sum + x, 0) / cosines.length),
      minCosine: round(minCosine),
      worstSentence: QUALITY_SENTENCES[cosines.indexOf(minCosine)]!,
      paraphraseCosine: round(cosine(a.data, b.data)),
      unrelatedCosine: round(cosine(a.data, c.data)),
      sessionHandler: await sessionHandler(),
    };
    const problems: string[] = [];
    cosines.forEach((x, i) => {
      const text = QUALITY_SENTENCES[i]!;
      if (!(x >= minCosineFor(text))) {
        problems.push(`cosine ${x.toFixed(4)} < ${minCosineFor(text)} for ${JSON.stringify(text)}`);
      }
    });
    if (!(result.paraphraseCosine > result.unrelatedCosine + PARAPHRASE_MARGIN)) {
      problems.push(
        `paraphrase cosine ${result.paraphraseCosine} is not clearly above unrelated ${result.unrelatedCosine}`,
      );
    }
    if (problems.length > 0) throw new VerificationError(`int8 model check failed: ${problems.join('; ')}`);
    return result;
  } finally {
    await int8.close();
  }
}
