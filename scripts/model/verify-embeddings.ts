// Loads a provisioned folder through the real @xenova/transformers pipeline (the way the gateway will) and
// checks the embeddings it produces. Any sign of the silent WASM fallback is a failure: it means
// onnxruntime-node rejected our graph, and the gateway would run far slower than intended.
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

function cosine(a: Float32Array, b: Float32Array): number {
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

/** Runs the checks against `<modelsDir>/Xenova/all-MiniLM-L6-v2`; throws VerificationError on any failure. */
export async function verifyEmbeddings(modelsDir: string): Promise<VerificationResult> {
  const { env, pipeline } = await import('@xenova/transformers');
  env.localModelPath = modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;

  // transformers.js reports a failed onnxruntime-node session only through console.warn before retrying on
  // WASM, so capture warnings while the session is created.
  const warnings: string[] = [];
  const originalWarn = console.warn;
  console.warn = (...args: unknown[]): void => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  let extractor: Awaited<ReturnType<typeof pipeline>>;
  try {
    extractor = await pipeline('feature-extraction', MODEL_ID, { quantized: false });
  } catch (error) {
    // When the WASM retry fails too, its error hides onnxruntime-node's (the real cause) in the warnings.
    const cause = warnings.length > 0 ? ` (${warnings.join(' | ')})` : '';
    throw new VerificationError(
      `transformers.js could not load the model: ${(error as Error).message}${cause}`,
      {
        cause: error,
      },
    );
  } finally {
    console.warn = originalWarn;
  }
  try {
    const fallback = warnings.find((w) => /wasm|went wrong/i.test(w));
    if (fallback !== undefined) {
      throw new VerificationError(
        `onnxruntime-node rejected the model (WASM fallback): ${warnings.join(' | ')}`,
      );
    }
    for (const warning of warnings) originalWarn(`  transformers.js warning: ${warning}`);
    // The node backend's handler class; the WASM one is OnnxruntimeWebAssemblySessionHandler.
    const session = (extractor as unknown as { model: { session: { handler?: object } } }).model.session;
    const sessionHandler = session.handler?.constructor.name ?? 'unknown';
    if (sessionHandler !== 'OnnxruntimeSessionHandler') {
      throw new VerificationError(`session is not on onnxruntime-node (handler: ${sessionHandler})`);
    }

    const embed = async (text: string): Promise<EmbeddingTensor> =>
      (await extractor(text, { pooling: 'mean', normalize: true })) as EmbeddingTensor;
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
      sessionHandler,
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
    await extractor.dispose();
  }
}
