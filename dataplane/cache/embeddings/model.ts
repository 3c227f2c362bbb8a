// Loads a sentence-embedding model with transformers.js (feature-extraction, mean pooling, L2-normalised) on
// onnxruntime-node's CPU provider. Runs inside an embeddings worker thread and in the bench's eval script.
// transformers.js silently retries a failed session on its WASM backend; that would be a different, slower
// engine behind the same name, so the session factory is wrapped to refuse anything but the CPU provider.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface EmbeddingModelOptions {
  /** A Hugging Face model id (e.g. Xenova/all-MiniLM-L6-v2), looked up in `modelsDir` first. */
  model: string;
  /** Folder of provisioned models: `<modelsDir>/<model id>/{config.json,tokenizer.json,onnx/model.onnx}`. */
  modelsDir: string;
  /** Download from the Hugging Face hub when the folder lacks the model. */
  allowRemote: boolean;
  /** Use `onnx/model_quantized.onnx` instead of `onnx/model.onnx`. */
  quantized: boolean;
  /** onnxruntime intra-op threads per session. */
  intraOpThreads: number;
  /** Longest input in tokens; longer text is cut (the model saw at most this many in training). */
  maxTokens: number;
}

export interface EmbeddingModel {
  readonly dims: number;
  /** One L2-normalised vector per text, packed row after row. */
  embed(texts: readonly string[]): Promise<Float32Array>;
}

/** `$AI_GATEWAY_MODELS_DIR` (when set and not empty), else `~/.cache/ai-gateway/models`. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.AI_GATEWAY_MODELS_DIR;
  return fromEnv !== undefined && fromEnv !== ''
    ? fromEnv
    : join(homedir(), '.cache', 'ai-gateway', 'models');
}

interface Tensor {
  data: Float32Array;
  dims: number[];
}
type Extractor = ((texts: string[], options: { pooling: 'mean'; normalize: boolean }) => Promise<Tensor>) & {
  tokenizer: { model_max_length: number };
};
interface SessionFactory {
  create(...args: unknown[]): Promise<unknown>;
}

export async function loadEmbeddingModel(options: EmbeddingModelOptions): Promise<EmbeddingModel> {
  // The CommonJS module arrives as `default` or as named exports depending on the loader; either way the
  // InferenceSession class is the one object transformers.js calls, so patching it reaches its sessions.
  const ort = (await import('onnxruntime-node')) as unknown as {
    default?: { InferenceSession: SessionFactory };
    InferenceSession?: SessionFactory;
  };
  const factory = (ort.default?.InferenceSession ?? ort.InferenceSession)!;
  const create = factory.create.bind(factory);
  factory.create = (buffer: unknown, sessionOptions?: { executionProviders?: unknown[] }) => {
    const providers = sessionOptions?.executionProviders ?? [];
    if (!providers.includes('cpu')) {
      return Promise.reject(
        new Error('the embedding model does not load on onnxruntime-node (CPU); refusing the WASM fallback'),
      );
    }
    return create(buffer, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  };

  const transformers = await import('@xenova/transformers');
  const env = transformers.env;
  env.localModelPath = resolve(options.modelsDir) + '/';
  env.cacheDir = resolve(options.modelsDir);
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowRemote;
  let extractor: Extractor;
  try {
    extractor = (await transformers.pipeline('feature-extraction', options.model, {
      quantized: options.quantized,
    })) as unknown as Extractor;
  } catch (error) {
    const where = join(resolve(options.modelsDir), options.model);
    throw new Error(
      `embedding model ${options.model} is not available (looked in ${where}` +
        `${options.allowRemote ? ' and on the Hugging Face hub' : '; remote download is off'}); ` +
        `run \`npm run model:provision\`: ${(error as Error).message}`,
      { cause: error },
    );
  }
  extractor.tokenizer.model_max_length = options.maxTokens;
  const probe = await extractor(['probe'], { pooling: 'mean', normalize: true });
  const dims = probe.dims[1]!;
  return {
    dims,
    async embed(texts) {
      if (texts.length === 0) return new Float32Array(0);
      const out = await extractor([...texts], { pooling: 'mean', normalize: true });
      return out.data;
    },
  };
}
